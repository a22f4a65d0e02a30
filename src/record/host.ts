import { readFileSync } from 'node:fs';
import { arch, cpus, hostname, release, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';

/** The recording machine, for the trace header. */
export function hostInfo(): Record<string, string | number> {
  return {
    hostname: hostname(),
    kernel: release(),
    arch: arch(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    thp: readOr('/sys/kernel/mm/transparent_hugepage/enabled', 'unknown'),
    node: process.version,
  };
}

/** The system page size (getconf PAGESIZE); 4096 when it cannot be asked. */
export function systemPageSize(): number {
  try {
    const n = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 4096;
  } catch {
    return 4096;
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}
