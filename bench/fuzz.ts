/**
 * `npm run fuzz [-- --seed N --runs N --workers N]`: runs fuzz cases (bench/fuzz-cases.ts) in worker threads and
 * prints the counts. A case that runs longer than 20 s is a hang: its worker is terminated and a new one goes
 * on with the next case. Exit status 1 if anything but ok and user errors was found.
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { caseAt, judge, type Verdict } from './fuzz-cases.js';

/** A case that takes longer is counted as a hang (issue 9: 20 s per case). */
const HANG_MS = 20_000;
/** Every n-th valid migrate() case is run twice to check the same seed gives the same bytes. */
const DETERMINISM_EVERY = 10;

interface Task { seed: number; from: number; to: number; stride: number }
type Message = { type: 'start'; index: number } | { type: 'done'; index: number; verdict: Verdict; detail?: string };

if (!isMainThread) {
  const t = workerData as Task;
  void (async () => {
    for (let i = t.from; i < t.to; i += t.stride) {
      parentPort!.postMessage({ type: 'start', index: i } satisfies Message);
      const o = await judge(caseAt(t.seed, i), i % DETERMINISM_EVERY === 0);
      parentPort!.postMessage({ type: 'done', index: i, verdict: o.verdict, ...(o.detail ? { detail: o.detail } : {}) } satisfies Message);
    }
  })();
} else {
  await runMain();
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`fuzz: ${name} takes a whole number\n`);
    process.exit(2);
  }
  return n;
}

async function runMain(): Promise<void> {
  const seed = arg('--seed', 1);
  const runs = arg('--runs', 100_000);
  const workers = Math.max(1, arg('--workers', Math.min(2, cpus().length)));
  const counts: Record<string, number> = { ok: 0, 'user-error': 0, crash: 0, hang: 0, 'non-finite': 0, invariant: 0, 'work-bound': 0, 'wrong-error': 0, nondeterministic: 0 };
  const findings: string[] = [];
  const started = Date.now();
  let finished = 0;
  const file = fileURLToPath(import.meta.url);

  // Worker w takes cases w, w + workers, …; after a hang it restarts past the case that hung.
  await Promise.all(Array.from({ length: workers }, (_, w) => new Promise<void>((resolveAll) => {
    const spawn = (from: number): void => {
      if (from >= runs) { resolveAll(); return; }
      const worker = new Worker(file, { workerData: { seed, from, to: runs, stride: workers } satisfies Task });
      let current = -1;
      let since = Date.now();
      let done = false;
      const watchdog = setInterval(() => {
        if (current >= 0 && Date.now() - since > HANG_MS) {
          done = true;
          clearInterval(watchdog);
          counts['hang']!++;
          finished++;
          findings.push(`case ${current}: hang (> ${HANG_MS / 1000} s)`);
          const next = current + workers;
          void worker.terminate().then(() => spawn(next));
        }
      }, 500);
      worker.on('message', (m: Message) => {
        if (m.type === 'start') { current = m.index; since = Date.now(); return; }
        current = -1;
        counts[m.verdict] = (counts[m.verdict] ?? 0) + 1;
        finished++;
        if (m.verdict !== 'ok' && m.verdict !== 'user-error' && findings.length < 50) findings.push(`case ${m.index}: ${m.verdict}${m.detail ? `: ${m.detail}` : ''}`);
        if (finished % 5000 === 0) process.stderr.write(`fuzz: ${finished}/${runs} cases, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
      });
      worker.on('error', (e) => {
        if (done) return;
        done = true;
        clearInterval(watchdog);
        counts['crash']!++;
        finished++;
        findings.push(`case ${current}: worker died: ${e.message}`);
        spawn((current < 0 ? from : current) + workers);
      });
      worker.on('exit', () => {
        if (done) return;
        done = true;
        clearInterval(watchdog);
        resolveAll();
      });
    };
    spawn(w);
  })));

  const bad = counts['crash']! + counts['hang']! + counts['non-finite']! + counts['invariant']! + counts['work-bound']! + counts['wrong-error']! + counts['nondeterministic']!;
  for (const f of findings) process.stdout.write(`${f}\n`);
  process.stdout.write(
    `fuzz: seed ${seed}, ${finished} cases in ${((Date.now() - started) / 1000).toFixed(0)} s on ${workers} workers: ` +
      `${counts['ok']} ok, ${counts['user-error']} user errors (typed, naming the field); ` +
      `crashes ${counts['crash']}, hangs ${counts['hang']}, non-finite ${counts['non-finite']}, invariant violations ${counts['invariant']}, ` +
      `over the work bound ${counts['work-bound']}, wrong or missing errors ${counts['wrong-error']}, nondeterministic ${counts['nondeterministic']}\n`,
  );
  process.exitCode = bad > 0 ? 1 : 0;
}
