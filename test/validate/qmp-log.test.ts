import { describe, expect, it } from 'vitest';
import { QmpLogError, observeLog, parseQmpLog } from '../../src/validate/qmp-log.js';

const active = (t: number, remaining: number, syncs: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ t, status: 'active', 'total-time': t * 1000, ...extra, ram: { total: 8192, 'page-size': 4096, transferred: t * 1e6, remaining, 'dirty-sync-count': syncs } });

describe('QMP log', () => {
  const good = [
    JSON.stringify({ t: 0.01, status: 'setup' }),
    active(0.1, 4096, 1),
    active(0.2, 8192, 2, { 'cpu-throttle-percentage': 20 }),
    active(0.3, 0, 3, { 'cpu-throttle-percentage': 30 }),
    JSON.stringify({ t: 0.4, status: 'completed', 'total-time': 350, ram: { transferred: 5e5, remaining: 0, 'dirty-sync-count': 5 } }),
  ].join('\n');

  it('reads the outcome, counters, sync times and throttle steps', () => {
    const obs = observeLog(parseQmpLog(good, 'log'));
    expect(obs.outcome).toBe('completed');
    expect(obs.totalTimeMs).toBe(350);
    expect(obs.dirtySyncCount).toBe(5);
    expect(obs.syncSeenMs).toEqual([100, 200, 300, 400, 400]);
    expect(obs.throttleStepsMs).toEqual([[200, 20], [300, 30]]);
    expect(obs.finalThrottlePct).toBe(30);
  });

  it('accepts whole QMP responses ({"return": ...})', () => {
    const wrapped = good.split('\n').map((l) => { const o = JSON.parse(l) as Record<string, unknown>; const { t, ...rest } = o; return JSON.stringify({ t, return: rest }); }).join('\n');
    expect(observeLog(parseQmpLog(wrapped, 'log')).dirtySyncCount).toBe(5);
  });

  const err = (text: string): QmpLogError => { try { parseQmpLog(text, 'my.ndjson'); } catch (e) { return e as QmpLogError; } throw new Error('no error'); };

  it('names the line and the field of a bad reply', () => {
    const lines = good.split('\n');
    lines[2] = JSON.stringify({ t: 0.2, status: 'active', ram: { transferred: 1, 'dirty-sync-count': 2 } });
    const e = err(lines.join('\n'));
    expect(e).toBeInstanceOf(QmpLogError);
    expect(e.message).toBe('my.ndjson:3: missing field "ram.remaining" (a number) in a "active" reply');
    expect(err('{"status":"active"}').message).toMatch(/^my\.ndjson:1: missing field "t"/);
    expect(err(`${active(0.1, 1, 1)}\n{oops`).message).toMatch(/^my\.ndjson:2: not JSON/);
    expect(err(`${active(0.2, 1, 1)}\n${active(0.1, 1, 1)}`).message).toMatch(/^my\.ndjson:2: field "t" is 0\.1, before the previous line's 0\.2/);
    expect(err(active(0.1, -5, 1)).message).toMatch(/^my\.ndjson:1: field "ram\.remaining" is -5/);
  });

  it('refuses a partial log (no final reply) and an empty one', () => {
    expect(err(good.split('\n').slice(0, 4).join('\n')).message).toBe('my.ndjson:4: partial log: the last reply has status "active"; expected a final reply (completed, cancelled, failed)');
    expect(err('\n\n').message).toMatch(/empty log/);
  });
});
