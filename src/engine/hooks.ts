import type { RoundRecord, TimelineSample } from '../report/types.js';

/** Callbacks an embedding tool can pass to watch a run; all are called synchronously, in emulated-time order. */
export interface MigrationHooks {
  /** A round ended (its record is final). */
  onRound?(round: RoundRecord): void;
  /** A 100 ms window closed. */
  onWindow?(sample: TimelineSample): void;
}
