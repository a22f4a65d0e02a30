import { readFileSync } from 'node:fs';

/** One line of /proc/PID/maps (proc(5)). Addresses are Numbers: x86-64 user space ends below 2^47, well within 2^53. */
export interface Mapping {
  start: number;
  end: number;
  perms: string;
  /** The pathname column: a file, "[heap]", "[stack]", or "" for anonymous memory. */
  name: string;
}

/** The mappings a recording covers: writable ones, except the kernel's [vsyscall]/[vvar] pages. */
export function writableMappings(maps: readonly Mapping[]): Mapping[] {
  return maps.filter((m) => m.perms[1] === 'w' && !/^\[(vsyscall|vvar|vvar_vclock|vdso)\]$/.test(m.name));
}

export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+\S+\s+\S+\s+\S+\s*(.*)$/.exec(line);
    if (!m) continue;
    out.push({ start: parseInt(m[1]!, 16), end: parseInt(m[2]!, 16), perms: m[3]!, name: m[4]!.trim() });
  }
  return out;
}

/** Reads /proc/PID/maps; throws the file-system error (ENOENT/ESRCH = the process is gone). */
export function readMaps(pid: number): Mapping[] {
  return parseMaps(readFileSync(`/proc/${pid}/maps`, 'utf8'));
}
