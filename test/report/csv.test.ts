import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/batch/record.js';
import { SCENARIO_COLUMNS, SUMMARY_COLUMNS, csvField, csvHeader, toCsv } from '../../src/report/csv.js';
import { smallSweep } from './fixtures.js';

/** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted field');
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const m = /[,\r\n]/.exec(text.slice(i));
      const end = m ? i + m.index : text.length;
      field = text.slice(i, end);
      if (field.includes('"')) throw new Error(`bare quote in an unquoted field: ${field}`);
      i = end;
    }
    row.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else if (i < text.length) throw new Error(`expected , or CRLF at ${i}`);
  }
  if (row.length > 0) throw new Error('last record does not end with CRLF');
  return rows;
}

describe('CSV export', () => {
  const records = smallSweep();
  const rows = parseCsv(toCsv(records));
  const header = rows[0]!;
  const col = (name: string): number => {
    const i = header.indexOf(name);
    expect(i, `column ${name}`).toBeGreaterThanOrEqual(0);
    return i;
  };

  it('has the identifying columns, one param_ column per axis, then status, the summary and the scenario', () => {
    expect(header).toEqual([
      'id', 'index', 'experiment', 'policy', 'algorithm', 'controller', 'seed',
      'param_bandwidthBytesPerSec',
      'status', 'reason',
      'totalTimeMs', 'downtimeMs', 'setupTimeMs', 'transferredBytes', 'rounds', 'normalPages', 'zeroPages', 'skippedPages',
      'guestCpuLostPct', 'meanThrottlePct', 'maxThrottlePct', 'throttledMs',
      // every scalar of the option table, in its order (src/model/option-table.ts)
      'memoryBytes', 'pageSize', 'populatedFraction', 'zeroPageLayout', 'throttledWriteFraction', 'vcpus', 'bandwidthBytesPerSec', 'backgroundBytesPerSec', 'linkRttMs', 'downtimeLimitMs', 'maxBandwidthBytesPerSec',
      'setupTimeMs', 'deviceStateBytes', 'resumeTimeMs', 'maxTimeMs', 'maxDataBytes', 'xenSkipRule',
      'qemuVersion', 'availSwitchoverBandwidthBytesPerSec', 'switchoverAck', 'switchoverAckDelayMs', 'clockGranularityMs', 'windowWakeLatencyMs', 'syncCostPerGiBMs',
      'compressibleFraction', 'machineType', 'xbzrle', 'xbzrleCacheBytes', 'xbzrleEncodeBytesPerSec', 'multifdChannels', 'multifdCompression',
      'multifdCompressionLevel', 'compressionRatio', 'compressPerCoreBytesPerSec',
      'postcopyRam', 'postcopyAfterSyncs', 'postcopyAfterMs', 'postcopyStallSyncs', 'postcopyPreempt', 'postcopyFaultLatencyMs',
      'maxPostcopyBandwidthBytesPerSec', 'postcopyReadsPerWrite',
      'management',
    ]);
    expect(csvHeader(records)).toEqual(header);
  });

  it('writes one row per run, in index order, every row as wide as the header', () => {
    expect(rows.length).toBe(records.length + 1);
    rows.forEach((r) => expect(r.length).toBe(header.length));
    expect(rows.slice(1).map((r) => r[col('id')])).toEqual(records.map((r) => r.id));
  });

  it('names every quantity with its base unit and keeps full precision', () => {
    for (const name of [...SUMMARY_COLUMNS, ...SCENARIO_COLUMNS]) {
      expect(name, 'a unit suffix or a count').toMatch(/(Ms|Bytes|BytesPerSec|Pct|Pages|Fraction|^rounds|^pageSize|^vcpus|^xenSkipRule|^switchoverAck|^qemuVersion|^zeroPageLayout|^throttledWriteFraction|^machineType|^xbzrle|^multifdChannels|^multifdCompression|^multifdCompressionLevel|^compressionRatio|^postcopy(Ram|Preempt|AfterSyncs|StallSyncs|ReadsPerWrite)|^management)$/);
    }
    records.forEach((r, i) => {
      const row = rows[i + 1]!;
      // Base units, not rounded: the cell reads back as the very same double.
      expect(Number(row[col('totalTimeMs')])).toBe(r.summary.totalTimeMs);
      expect(Number(row[col('transferredBytes')])).toBe(r.summary.transferredBytes);
      expect(Number(row[col('guestCpuLostPct')])).toBe(r.summary.guestCpuLostPct);
      expect(Number(row[col('bandwidthBytesPerSec')])).toBe(r.scenario.bandwidthBytesPerSec);
      expect(Number(row[col('param_bandwidthBytesPerSec')])).toBe(r.params['bandwidthBytesPerSec']);
    });
    // Something in the fixture has more digits than a table would print.
    expect(rows.slice(1).some((r) => /\.\d{6,}/.test(r[col('totalTimeMs')]!))).toBe(true);
  });

  it('leaves null cells empty: the downtime of a cancelled run, the reason of a completed one', () => {
    const cancelled = records.findIndex((r) => r.summary.status === 'cancelled');
    const completed = records.findIndex((r) => r.summary.status === 'completed');
    expect(cancelled).toBeGreaterThanOrEqual(0);
    expect(completed).toBeGreaterThanOrEqual(0);
    expect(rows[cancelled + 1]![col('downtimeMs')]).toBe('');
    expect(rows[cancelled + 1]![col('reason')]).toBe('max-time');
    expect(rows[completed + 1]![col('reason')]).toBe('');
    expect(Number(rows[completed + 1]![col('downtimeMs')])).toBeGreaterThan(0);
  });

  it('quotes by RFC 4180 and writes non-numeric axis values as JSON', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvField(true)).toBe('true');
    const odd: RunRecord = {
      ...records[0]!,
      policy: 'qemu, "tuned"\nv2',
      params: { ...records[0]!.params, workload: { kind: 'uniform', writesPerSec: 1000 } },
    };
    const parsed = parseCsv(toCsv([odd]));
    const h = parsed[0]!;
    expect(h).toContain('param_workload');
    expect(parsed[1]![h.indexOf('policy')]).toBe('qemu, "tuned"\nv2');
    expect(JSON.parse(parsed[1]![h.indexOf('param_workload')]!)).toEqual({ kind: 'uniform', writesPerSec: 1000 });
  });

  it('ends every line with CRLF', () => {
    const text = toCsv(records);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n').length).toBe(records.length + 2);
  });
});
