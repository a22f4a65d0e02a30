import { main } from '../../src/cli/main.js';

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `livemig <args>` in-process, capturing what it writes. */
export async function runCli(...args: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'livemig', ...args], {
    out: (text) => { stdout += text; },
    err: (text) => { stderr += text; },
  });
  return { code, stdout, stderr };
}

/** The options of a commander help text, by long flag, each with its (unwrapped) description. */
export function helpEntries(help: string): Map<string, string> {
  const entries = new Map<string, string>();
  let current: string | undefined;
  for (const line of help.split('\n')) {
    const m = /^ {2}(?:-\w, )?(--[\w-]+)/.exec(line);
    if (m?.[1]) {
      current = m[1];
      entries.set(current, line.trim());
    } else if (current !== undefined && /^ {4,}\S/.test(line)) {
      entries.set(current, `${entries.get(current) ?? ''} ${line.trim()}`);
    } else {
      current = undefined;
    }
  }
  return entries;
}

/** Every flag of `livemig run`, with the output flags. */
export const RUN_FLAGS = [
  '--memory', '--page-size', '--populated', '--vcpus', '--workload', '--write-rate', '--hot-fraction', '--hot-probability',
  '--region-start', '--region-size', '--zipf-exponent', '--drift', '--trace-file', '--trace-placement', '--trace-speed', '--bandwidth', '--algorithm', '--controller', '--downtime-limit', '--max-bandwidth', '--setup-time',
  '--resume-time', '--device-state', '--no-xen-skip', '--seed', '--max-time', '--max-data', '--json', '--all-rounds',
  '--zero-pages', '--throttled-writes', '--qemu-version', '--avail-switchover-bandwidth', '--switchover-ack', '--switchover-ack-delay',
  '--clock-granularity', '--window-wake-latency', '--sync-cost-per-gib',
  '--compressible', '--bytes-changed', '--machine-type', '--xbzrle', '--xbzrle-cache', '--xbzrle-encode-rate', '--multifd',
  '--multifd-compression', '--compression-level', '--compression-ratio', '--compress-rate',
  '--link-trace', '--background', '--background-trace', '--rtt',
  '--postcopy', '--postcopy-after', '--postcopy-at', '--postcopy-on-stall', '--postcopy-preempt', '--postcopy-fault-latency',
  '--max-postcopy-bandwidth', '--postcopy-reads-per-write', '--management',
  '--preset', '--wide', '--export-markdown', '--export-csv', '--export-json',
];
