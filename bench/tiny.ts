import { Bench, type Task } from 'tinybench';

/** Per-task timing options; every group picks its own (large VMs need few, long iterations). */
export interface BenchTiming {
  /** Measured time budget per task, ms (only time inside the task function counts). */
  time: number;
  /** Minimum measured iterations per task. */
  iterations: number;
  warmupTime: number;
  warmupIterations: number;
}

/** A tinybench Bench that collects garbage before each task's warmup and run (node --expose-gc). */
export function newBench(name: string, timing: BenchTiming): Bench {
  return new Bench({
    name,
    ...timing,
    throws: true,
    setup: () => {
      globalThis.gc?.();
    },
  });
}

/** What the groups use from a finished task: latency statistics in milliseconds. */
export interface TaskStats {
  samples: number;
  meanMs: number;
  /** The median latency: the figure rates and ratios are computed from (robust to GC and VM noise). */
  medianMs: number;
  minMs: number;
  /** Relative margin of error of the mean, percent (95%). */
  rmePct: number;
}

export function taskStats(task: Task | undefined): TaskStats {
  if (task === undefined) throw new Error('bench: no such task');
  const r = task.result;
  if (r.state !== 'completed') {
    throw new Error(`bench: task "${task.name}" ${r.state}${r.state === 'errored' ? `: ${r.error.message}` : ''}`);
  }
  return {
    samples: r.latency.samplesCount,
    meanMs: r.latency.mean,
    medianMs: r.latency.p50,
    minMs: r.latency.min,
    rmePct: r.latency.rme,
  };
}
