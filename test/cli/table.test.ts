import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/api/migrate.js';
import { formatReport, formatRounds, formatSummary, formatTable, summaryFields } from '../../src/report/table.js';
import type { RoundRecord } from '../../src/model/report.js';

function round(index: number): RoundRecord {
  return {
    index, phase: 'live', startMs: index * 100, endMs: index * 100 + 100, normalPages: 10, zeroPages: 0, skippedPages: 0,
    bytes: 41040, dirtiedPages: 5, remainingPages: 10, bandwidthBytesPerSec: 410400, expectedDowntimeMs: 100, throttlePct: 0,
  };
}

describe('formatTable', () => {
  it('aligns numbers right and words left, with a units line when any column has a unit', () => {
    const text = formatTable(
      [{ title: 'name', align: 'left' }, { title: 'size', unit: 'MiB' }, { title: 'note', align: 'left' }],
      [['a', '1.5', 'x'], ['longer', '1024.0', '']],
    );
    expect(text.split('\n')).toEqual([
      'name      size  note',
      '           MiB',
      'a          1.5  x',
      'longer  1024.0',
    ]);
  });

  it('has no units line when no column has a unit', () => {
    expect(formatTable([{ title: 'k', align: 'left' }, { title: 'v' }], [['x', '1']])).toBe('k  v\nx  1');
  });
});

describe('formatRounds', () => {
  const rounds = Array.from({ length: 25 }, (_, i) => round(i + 1));
  const rowIndexes = (text: string): number[] =>
    text.split('\n').flatMap((line) => /^\s*(\d+)\s+live/.exec(line)?.[1] ?? []).map(Number);

  it('shows the first and last rounds of a long run and how many it left out', () => {
    const text = formatRounds(rounds, 10);
    expect(rowIndexes(text)).toEqual([...Array.from({ length: 10 }, (_, i) => i + 1), ...Array.from({ length: 10 }, (_, i) => i + 16)]);
    expect(text).toContain('... 5 rounds omitted ...');
    const lines = text.split('\n');
    expect(lines.findIndex((l) => l.includes('omitted'))).toBe(lines.findIndex((l) => /^\s*16\s/.test(l)) - 1);
  });

  it('shows every round when asked, or when the run is short enough', () => {
    expect(rowIndexes(formatRounds(rounds))).toHaveLength(25);
    expect(rowIndexes(formatRounds(rounds.slice(0, 20), 10))).toHaveLength(20);
    expect(formatRounds(rounds.slice(0, 20), 10)).not.toContain('omitted');
  });

  it('puts the units of every column in the header', () => {
    const [titles, units] = formatRounds([round(1)]).split('\n');
    expect(titles?.split(/\s{2,}/).filter(Boolean)).toEqual([
      'round', 'phase', 'start', 'end', 'normal', 'zero', 'skipped', 'sent', 'dirtied', 'remaining', 'bandwidth', 'exp. downtime', 'throttle',
    ]);
    expect(units?.trim().split(/\s+/)).toEqual(['s', 's', 'pages', 'pages', 'pages', 'MiB', 'pages', 'pages', 'MB/s', 'ms', '%']);
  });
});

describe('summary', () => {
  it('labels every summary value with its unit', () => {
    const report = migrate({ memoryBytes: 16 * 1024 ** 2 });
    const fields = Object.fromEntries(summaryFields(report).map((f) => [f.label, f.value]));
    expect(Object.keys(fields)).toEqual([
      'status', 'total time', 'downtime', 'setup time', 'transferred', 'pages sent', 'rounds', 'guest CPU lost',
      'mean throttle', 'max throttle', 'algorithm', 'controller',
    ]);
    expect(fields['status']).toBe('completed');
    expect(fields['setup time']).toBe('10.0 ms');
    expect(fields['transferred']).toMatch(/^[\d.]+ MiB \(\d+ B\)$/);
    expect(fields['downtime']).toMatch(/ ms$/);
    expect(fields['guest CPU lost']).toMatch(/^[\d.]+ % \(/);
    expect(fields['controller']).toBe('none');
    expect(formatSummary(report)).toMatch(/^summary\nstatus +completed\n/);
  });

  it('says why a run was cancelled and that it had no downtime', () => {
    const report = migrate({ memoryBytes: 16 * 1024 ** 2, maxDataBytes: 1024 ** 2 });
    const fields = Object.fromEntries(summaryFields(report).map((f) => [f.label, f.value]));
    expect(fields['status']).toBe('cancelled (max-data)');
    expect(fields['downtime']).toMatch(/^none/);
  });

  it('renders scenario, rounds and summary', () => {
    const text = formatReport(migrate({ memoryBytes: 16 * 1024 ** 2 }));
    expect(text).toMatch(/^16 MiB guest \(4096 pages of 4 KiB, 50 % populated\), 1 vCPU running hot-cold, link 125\.0 MB\/s/);
    expect(text).toContain('\n\nround  phase');
    expect(text).toContain('\n\nsummary\n');
  });
});
