import type { Summary } from './types.js';

/** "completed", or "cancelled (max-time)": a run's outcome in one word or two. */
export function statusText(s: Summary): string {
  return s.status === 'completed' ? 'completed' : `cancelled (${s.reason})`;
}
