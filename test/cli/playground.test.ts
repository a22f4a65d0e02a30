/** `livemig playground`: serves a built folder on localhost, prints the URL, nothing outside the folder; clear errors. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveDir } from '../browser/helpers.js';
import { runCli } from './helpers.js';

describe('livemig playground', () => {
  const dir = mkdtempSync(join(tmpdir(), 'livemig-serve-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a folder with no built playground, and a bad port', async () => {
    const missing = await runCli('playground', '--dir', join(dir, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no playground in .*nope: build it with `npm run playground`/);
    const port = await runCli('playground', '--port', 'http');
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port/);
  });

  it('serves the folder\'s files and nothing else, until SIGTERM', async () => {
    writeFileSync(join(dir, 'index.html'), '<!DOCTYPE html><title>t</title>');
    writeFileSync(join(dir, 'app.js'), 'void 0;');
    const { url, server } = await serveDir(dir);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await fetch(url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await fetch(`${url}app.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${url}%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    expect((await fetch(`${url}missing.js`)).status).toBe(404);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
    const exited = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
