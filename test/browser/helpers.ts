/** Shared by the Chromium tests of the playground and of livemig/browser. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
/** Skipped only where Chromium cannot be; with CI=true the tests run (and fail without it). */
export const SKIP_CHROMIUM = !existsSync(CHROMIUM) && process.env['CI'] !== 'true';

export function chromiumTitle(what: string): string {
  const title = SKIP_CHROMIUM
    ? `${what}: SKIPPED, ${CHROMIUM} not found (apt-get install chromium; with CI=true this test runs and fails instead)`
    : what;
  if (SKIP_CHROMIUM) console.warn(title);
  return title;
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** Starts `livemig playground` (the real command) on a free port serving `dir`; resolves with the URL it prints. */
export function serveDir(dir: string): Promise<{ url: string; server: ChildProcess }> {
  const server = spawn(process.execPath, ['bin/livemig.js', 'playground', '--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, server });
    });
    server.once('exit', (code) => reject(new Error(`livemig playground exited (${code}): ${out}`)));
  });
}
