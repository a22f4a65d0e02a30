import type { Summary } from '../model/report.js';

/** "completed", or "cancelled (max-time)": a run's outcome in one word or two. */
export function statusText(s: Summary): string {
  return s.status === 'completed' ? 'completed' : s.reason === 'aborted' ? 'aborted (management)' : `cancelled (${s.reason})`;
}
