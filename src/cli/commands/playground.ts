import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidOptionError } from '../../errors/invalid-option-error.js';
import { LivemigError } from '../../errors/livemig-error.js';
import type { Io } from '../io.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
};

interface PlaygroundFlags {
  port: string;
  host: string;
  dir?: string;
}

/** `livemig playground`: serves the built playground (site/, from `npm run playground`) on localhost. */
export function registerPlayground(program: Command, io: Io): void {
  program
    .command('playground')
    .summary('serve the interactive playground on localhost and print its URL')
    .description(
      'Serve the playground, a static page that runs the emulator in your browser (two policies side by side, the ' +
        'scenario in the URL, JSON and experiment-file export), on localhost until Ctrl-C. It is built to site/ by ' +
        '`npm run playground`; the folder needs no server of ours and no network, this command only serves it.',
    )
    .option('--port <n>', 'TCP port (0 = any free port)', '4178')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--dir <folder>', 'the built playground (default: site/ in the livemig package)')
    .action(async (flags: PlaygroundFlags) => {
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65535) throw new InvalidOptionError('--port', flags.port, 'a port number from 0 to 65535');
      const dir = resolve(flags.dir ?? join(packageRoot(), 'site'));
      if (!existsSync(join(dir, 'index.html'))) {
        throw new LivemigError(`no playground in ${dir}: build it with \`npm run playground\` (in the livemig repository) first`);
      }
      await serve(dir, port, flags.host, io);
    });
}

/** Serves `dir` until SIGINT or SIGTERM; GET and HEAD of its files only. */
function serve(dir: string, port: number, host: string, io: Io): Promise<void> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    const inside = file === dir || file.startsWith(dir + sep);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !inside || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });
  return new Promise((done, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(e.code === 'EADDRINUSE' ? new LivemigError(`port ${port} is in use: pick another with --port (0 = any free port)`) : e));
    server.listen(port, host, () => {
      const a = server.address();
      const shown = typeof a === 'object' && a !== null ? a.port : port;
      io.out(`livemig playground: http://${host.includes(':') ? `[${host}]` : host}:${shown}/  (Ctrl-C to stop)\n`);
    });
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => done());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** livemig's package root: the folder above this file with livemig's package.json (src/ under vitest, dist/src/ installed). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'livemig') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new LivemigError("cannot find livemig's package root (and its site/ folder)");
    dir = parent;
  }
}
