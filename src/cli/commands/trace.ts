import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { LivemigError } from '../../errors/livemig-error.js';
import { createTraceWriter, formForPath, intervalsOf, openTrace, type TraceForm } from '../../traces/open.js';
import { traceStats, type TraceStats } from '../../traces/stats.js';
import { parseQueryDirtyRate, workloadsFromDirtyRate } from '../../workloads/qemu-dirty-rate.js';
import { OPTION_TABLE } from '../../model/option-table.js';
import { formatBytes, formatDuration, formatRate, parseBytes, parseDuration, parseRate } from '../../units.js';
import type { Io } from '../io.js';

/** Default link of the pre-copy estimate [REC: a common 1 GbE migration network]. */
const DEFAULT_STATS_BANDWIDTH = '1Gbit/s';
/** QEMU's default downtime-limit, 300 ms [SRC qemu migration/options.c DEFAULT_MIGRATE_SET_DOWNTIME]. */
const DEFAULT_STATS_DOWNTIME = '300ms';

/** `livemig trace stats|convert|from-qemu`: look at, convert, and derive workloads from traces. */
export function registerTrace(program: Command, io: Io): void {
  const trace = program.command('trace').summary('inspect and convert dirty-page traces').description(
    'Dirty-page traces (docs/trace-format.md), as written by livemig record: statistics, conversion between the binary ' +
      "and NDJSON forms, and a workload from QEMU's dirty-rate estimate.",
  );

  trace
    .command('stats')
    .summary("a trace's pages per interval, WSS curve, dirty rate and pre-copy estimate")
    .description(
      'Read a trace once and print: pages written per interval, the writable working set over window lengths (the WSS ' +
        'curve: distinct pages per non-overlapping window of 1, 2, 4, ... intervals), the dirty rate in MiB/s (2^20 bytes), ' +
        'the changed bytes per page (content traces), and how many pages a textbook pre-copy at --bandwidth would send again.',
    )
    .argument('<file>', 'a trace, binary or NDJSON')
    .option('--json', 'print the statistics as JSON (with every interval\'s page count)')
    .option('--bandwidth <rate>', 'link of the pre-copy estimate', DEFAULT_STATS_BANDWIDTH)
    .option('--downtime-limit <duration>', 'the pre-copy stops when the rest fits in this', DEFAULT_STATS_DOWNTIME)
    .action((file: string, f: { json?: boolean; bandwidth: string; downtimeLimit: string }) => {
      const bandwidthBytesPerSec = parseRate('--bandwidth', f.bandwidth);
      if (!(bandwidthBytesPerSec > 0)) throw new InvalidOptionError('--bandwidth', f.bandwidth, 'a rate above 0');
      const downtimeLimitMs = parseDuration('--downtime-limit', f.downtimeLimit);
      const source = openTrace(file);
      const stats = traceStats(source.header, intervalsOf(source), { bandwidthBytesPerSec, downtimeLimitMs });
      io.out(f.json ? `${JSON.stringify({ file, header: source.header, ...stats }, null, 2)}\n` : formatStats(file, stats));
    });

  trace
    .command('convert')
    .summary('convert a trace between the binary and NDJSON forms')
    .description('Copy a trace, interval by interval, into the other form. The output form follows its name (.ndjson or .jsonl: NDJSON; else binary) unless --to says.')
    .argument('<input>', 'a trace, binary or NDJSON')
    .argument('<output>', 'the file to write')
    .option('--to <form>', 'binary or ndjson (default: from the output name)')
    .action((input: string, output: string, f: { to?: string }) => {
      if (f.to !== undefined && f.to !== 'binary' && f.to !== 'ndjson') throw new InvalidOptionError('--to', f.to, 'binary or ndjson');
      const form: TraceForm = (f.to as TraceForm | undefined) ?? formForPath(output);
      const source = openTrace(input);
      const { format: _f, version: _v, ...header } = source.header;
      const sink = createTraceWriter(output, header, form);
      const { intervals } = (() => {
        for (const iv of intervalsOf(source)) sink.write(iv);
        return sink.close();
      })();
      io.err(`wrote ${output} (${form}, ${intervals} intervals)\n`);
    });

  trace
    .command('from-qemu')
    .summary("a workload with the dirty rate QEMU's query-dirty-rate measured")
    .description(
      "Read the JSON of QEMU's query-dirty-rate (bare, or QMP's {\"return\": ...}; dirty-rate in MiB/s) and print livemig " +
        'workload specs (JSON, for an experiment file or the library) that dirty the same number of distinct pages in ' +
        "calc-time: one uniform writer for the VM, or one per vCPU when QEMU measured per-vCPU rates (dirty-ring mode).",
    )
    .argument('<file>', "query-dirty-rate's JSON output")
    .requiredOption('--memory <size>', "the VM's memory (QEMU's output does not say)")
    .option('--page-size <size>', 'the VM\'s page size', `${OPTION_TABLE.pageSize.default as number}B`)
    .action((file: string, f: { memory: string; pageSize: string }) => {
      const memory = parseBytes('--memory', f.memory);
      const pageSize = parseBytes('--page-size', f.pageSize);
      if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new InvalidOptionError('--page-size', f.pageSize, 'a power of two from 512B');
      const pages = Math.floor(memory / pageSize);
      if (pages < 1) throw new InvalidOptionError('--memory', f.memory, `at least one page (${pageSize} bytes)`);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new LivemigError(`${file}: ${code ? `cannot read (${code})` : `not valid JSON (${(e as Error).message})`}`);
      }
      const q = parseQueryDirtyRate(json, file);
      const specs = workloadsFromDirtyRate(q, pages, pageSize);
      io.out(`${JSON.stringify(specs.length === 1 ? specs[0] : specs, null, 2)}\n`);
    });
}

function formatStats(file: string, s: TraceStats): string {
  const ps = s.pageSizeBytes;
  const n = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  const sum = (v: { min: number; mean: number; p50: number; p95: number; max: number }): string =>
    `min ${n(v.min)}, mean ${n(v.mean)}, p50 ${n(v.p50)}, p95 ${n(v.p95)}, max ${n(v.max)}`;
  const lines = [
    `${file}: ${s.method} trace, ${s.pages} pages of ${formatBytes(ps)} (${formatBytes(s.pages * ps)}), ` +
      `interval ${s.intervalMs} ms (measured mean ${s.meanIntervalMs.toFixed(1)} ms), ${s.intervals} intervals over ${formatDuration(s.durationMs)}`,
    `  page writes: ${s.pageWrites} in all, ${s.distinctPages} distinct pages (${formatBytes(s.distinctPages * ps)})`,
    `  pages written per interval: ${sum(s.pagesPerInterval)}`,
    `  dirty rate: ${s.dirtyRateMiBps.toFixed(2)} MiB/s mean, ${s.peakDirtyRateMiBps.toFixed(2)} MiB/s in the busiest interval`,
  ];
  if (s.changedBytesPerPage) lines.push(`  changed bytes per written page: ${sum(s.changedBytesPerPage)} (of ${ps})`);
  lines.push('', 'Writable working set (distinct pages per window):', '  window      windows  mean pages   max pages   mean size');
  for (const w of s.wss) {
    lines.push(`  ${formatDuration(w.windowMs).padEnd(10)} ${String(w.windows).padStart(8)} ${w.meanPages.toFixed(1).padStart(11)} ${String(w.maxPages).padStart(11)}   ${formatBytes(w.meanBytes)}`);
  }
  const p = s.precopy;
  lines.push('', `Pre-copy at ${formatRate(p.bandwidthBytesPerSec)}, downtime limit ${p.downtimeLimitMs} ms: ${p.outcome}, ` +
    `${p.resentPages} pages sent again (${formatBytes(p.resentPages * ps)})${p.finalPages !== null ? `, ${p.finalPages} left for the stop-and-copy` : ''}`);
  lines.push('  round   pages sent    duration   pages dirtied');
  for (const r of p.rounds) lines.push(`  ${String(r.round).padStart(5)} ${String(r.pagesSent).padStart(12)} ${formatDuration(r.durationMs).padStart(11)} ${String(r.pagesDirtied).padStart(15)}`);
  return `${lines.join('\n')}\n`;
}
