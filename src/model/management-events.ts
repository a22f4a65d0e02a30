/** What a management layer did during a run, as the report records it (src/model/management.ts is the seam). */

/** What an action changed, as the report records it. */
export type ManagementEventKind = 'capability' | 'downtime-limit' | 'max-bandwidth' | 'pause' | 'postcopy' | 'abort';

/** One parameter change or action of a management layer, in the round table and the JSON report. */
export interface ManagementEvent {
  /** When the layer acted (its monitor's poll), ms since the migration started. */
  tMs: number;
  /**
   * When the emulated QEMU applied it, ms: a downtime limit at the next closed 100 ms window (QEMU recomputes the
   * threshold in migration_update_counters), max-bandwidth and a pause at once, an abort when the migration thread
   * next checks its state (the end of the send burst in flight); null when the run ended first.
   */
  appliedMs: number | null;
  /** The round in progress when the layer acted (QEMU's dirty-sync-count then). */
  round: number;
  kind: ManagementEventKind;
  /** The new value: ms for a downtime limit, B/s for max-bandwidth, the capability's name; null for an action. */
  value: number | string | null;
  /** Why, in the layer's own terms ("step 2 of 10: elapsed > 150 s"). */
  reason: string;
}

/** The report's account of the management layer: its checked parameters and what it did. */
export interface ManagementRecord {
  name: string;
  params: Record<string, unknown>;
  events: ManagementEvent[];
}
