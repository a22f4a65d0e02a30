import type { Command } from 'commander';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { record, RECORD_METHODS, type RecordMethod } from '../../record/recorder.js';
import { ACCEPTED_DURATION, formatBytes, parseDuration } from '../../units.js';
import type { Io } from '../io.js';

interface RecordFlags {
  pid?: string;
  interval: string;
  duration?: string;
  method: string;
  compare: string;
  out: string;
  description?: string;
}

/** Shortest and longest scan interval accepted [REC: below 10 ms the scan itself dominates; above 1 h nothing is learnt]. */
const INTERVAL_MS = { min: 10, max: 3_600_000 } as const;

/** `livemig record`: a dirty-page trace of a live process. */
export function registerRecord(program: Command, io: Io): void {
  program
    .command('record')
    .summary('record which pages a live Linux process writes, into a trace')
    .description(
      'Record the pages a running process (--pid) or a command it starts (-- CMD ARGS) writes, every interval, over its ' +
        'writable mappings, into a dirty-page trace (docs/trace-format.md). Methods: soft-dirty (clear_refs + pagemap bit 55; ' +
        'needs a kernel with CONFIG_MEM_SOFT_DIRTY) or content (reads the pages through /proc/PID/mem and compares them with ' +
        'the previous scan; also records the changed bytes per page; needs root or to be the parent). Progress and the ' +
        "recorder's own overhead go to stderr. Stops after --duration, when the process exits, or on Ctrl-C; the trace is valid in each case.",
    )
    .argument('[command...]', 'the command to start and record (after --)')
    .option('--pid <pid>', 'record this running process')
    .option('--interval <duration>', 'time between scans, 10ms to 1h', '100ms')
    .option('--duration <duration>', 'stop after this long (default: when the process exits)')
    .option('--method <method>', `how writes are found: ${RECORD_METHODS.join(', ')} (auto: soft-dirty where the kernel supports it, else content)`, 'auto')
    .option('--compare <how>', 'content method: copy (keeps a copy of every page, records changed bytes) or hash (8 bytes per page, no changed bytes)', 'copy')
    .option('-o, --out <file>', 'the trace file to write (binary; convert to NDJSON with livemig trace convert)')
    .option('--description <text>', 'what was recorded, stored in the header')
    .addHelpText('after', '\nExamples:\n  $ livemig record -o sort.lmtrace --interval 100ms -- sort -S 200M big.txt -o /dev/null\n  $ sudo livemig record --pid 1234 --duration 30s -o redis.lmtrace\n')
    .action(async (command: string[], f: RecordFlags) => {
      if (f.out === undefined) throw new InvalidOptionError('--out', undefined, 'a file to write the trace to (-o FILE)');
      let pid: number | undefined;
      if (f.pid !== undefined) {
        if (!/^\d+$/.test(f.pid) || Number(f.pid) < 1 || Number(f.pid) > 2 ** 22) throw new InvalidOptionError('--pid', f.pid, 'a process id: an integer from 1 to 4194304');
        pid = Number(f.pid);
      }
      if (pid !== undefined && command.length > 0) throw new InvalidOptionError('--pid', f.pid, 'either --pid or a command after --, not both');
      if (pid === undefined && command.length === 0) throw new InvalidOptionError('--pid', undefined, 'a process id, or a command to start after -- (livemig record -o FILE -- CMD ARGS)');
      const intervalMs = parseDuration('--interval', f.interval);
      if (intervalMs < INTERVAL_MS.min || intervalMs > INTERVAL_MS.max) {
        throw new InvalidOptionError('--interval', f.interval, `from 10ms to 1h; ${ACCEPTED_DURATION}`);
      }
      const durationMs = f.duration === undefined ? undefined : parseDuration('--duration', f.duration);
      if (durationMs !== undefined && durationMs < intervalMs) throw new InvalidOptionError('--duration', f.duration, `at least one --interval (${f.interval})`);
      if (!RECORD_METHODS.includes(f.method as RecordMethod)) throw new InvalidOptionError('--method', f.method, `one of ${RECORD_METHODS.join(', ')}`);
      if (f.compare !== 'copy' && f.compare !== 'hash') throw new InvalidOptionError('--compare', f.compare, 'copy or hash');
      const stop = new AbortController();
      const onSigint = (): void => stop.abort();
      process.once('SIGINT', onSigint);
      try {
        const r = await record({
          ...(pid !== undefined ? { pid } : { command }),
          intervalMs, ...(durationMs !== undefined ? { durationMs } : {}), method: f.method as RecordMethod, compare: f.compare, out: f.out,
          ...(f.description !== undefined ? { description: f.description } : {}),
          log: (line) => io.err(`${line}\n`), signal: stop.signal,
        });
        const o = r.overhead;
        io.err(
          `record: wrote ${r.file} (${formatBytes(r.fileBytes)}): ${r.intervals} intervals, ${r.pages} pages, ${r.pageWrites} page writes; ended: ${r.endedBy}\n` +
            `record: overhead: ${o.scans} scans, mean ${o.meanScanMs.toFixed(1)} ms (max ${o.maxScanMs.toFixed(1)} ms), ` +
            `${(o.shareOfInterval * 100).toFixed(1)}% of the interval, ${formatBytes(o.meanBytesReadPerScan)} read per scan, ` +
            `${formatBytes(o.totalBytesRead)} in all${o.lateScans > 0 ? `; ${o.lateScans} scans started late (the scan is slower than the interval)` : ''}\n`,
        );
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}
