import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SweepError } from '../errors/sweep-error.js';

/** DIR/sweep.lock: present while a sweep (or a queue collector) writes DIR, holding its pid and host. */
export const LOCK_FILE = 'sweep.lock';

interface LockOwner {
  pid: number;
  host: string;
}

/**
 * Takes DIR/sweep.lock (created exclusively) and returns its release; a lock left by a dead process on this
 * host is taken over. A lock from another host cannot be checked, so it is refused with how to clear it.
 */
export function acquireLock(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      return () => {
        try {
          unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
    }
    let owner: LockOwner | null = null;
    try {
      owner = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
    } catch {
      owner = null; // torn or unreadable: treat as stale
    }
    if (owner !== null && owner.host !== me.host) {
      throw new SweepError(`${dir} is in use by a livemig sweep on host ${owner.host} (pid ${owner.pid}); if none runs there any more, delete ${file}`);
    }
    if (owner !== null && alive(owner.pid)) {
      throw new SweepError(`${dir} is in use by another livemig sweep (pid ${owner.pid}); wait for it to end, or choose another --out directory`);
    }
    unlinkSync(file);
  }
}

/** Whether process `pid` runs on this host. */
export function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
