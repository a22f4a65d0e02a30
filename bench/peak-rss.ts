import { readFileSync } from 'node:fs';

/**
 * This process's peak resident set, KiB. On Linux it is VmHWM of /proc/self/status: the high-water mark of the
 * process's own address space. getrusage's maxRSS (process.resourceUsage().maxRSS) is not that in a child: Linux
 * folds the address space it replaced at exec into it, so a child that a large parent spawned starts with the
 * parent's RSS (the drain group's first child read 1.07 GiB before drain() ran, its parent's size). Elsewhere
 * maxRSS is the best there is.
 */
export function peakRssKiB(): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m !== null) return Number(m[1]);
  } catch {
    // no procfs: fall through
  }
  return process.resourceUsage().maxRSS;
}
