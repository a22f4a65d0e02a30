import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { MAX_SHARDS, type Shard } from './shard.js';

/**
 * `--shard auto`: the shard of this task of an index-sharded array job.
 *   Slurm (`sbatch --array=0-N` or `1-N`): SLURM_ARRAY_TASK_ID, with SLURM_ARRAY_TASK_COUNT or
 *     SLURM_ARRAY_TASK_MIN/MAX; shard = ID − MIN + 1 of COUNT (or MAX − MIN + 1).
 *   Kubernetes Indexed Job: JOB_COMPLETION_INDEX (0-based) of `count` (the Job's completions, given by flag,
 *     since the pod is not told it).
 * `count` (the --shard-count flag), when given, is the number of shards in both cases.
 */
export function autoShard(env: NodeJS.ProcessEnv, count: number | undefined, countFlag = '--shard-count'): Shard {
  const int = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    if (!/^\d+$/.test(v.trim())) throw new InvalidOptionError(name, v, 'a whole number (as Slurm or Kubernetes set it)');
    return Number(v);
  };
  const check = (index: number, n: number, from: string): Shard => {
    if (n < 1 || n > MAX_SHARDS) throw new InvalidOptionError(countFlag, n, `a whole number of shards from 1 to ${MAX_SHARDS}`);
    if (index < 1 || index > n) {
      throw new InvalidOptionError(
        '--shard auto',
        `${from} → shard ${index} of ${n}`,
        `an array whose task ids run without gaps (sbatch --array=0-${n - 1} or 1-${n}, no :step or lists; Indexed Job completions = ${countFlag})`,
      );
    }
    return { index, count: n };
  };
  const slurmId = int('SLURM_ARRAY_TASK_ID');
  if (slurmId !== undefined) {
    const min = int('SLURM_ARRAY_TASK_MIN') ?? 0;
    const max = int('SLURM_ARRAY_TASK_MAX');
    const n = count ?? int('SLURM_ARRAY_TASK_COUNT') ?? (max !== undefined ? max - min + 1 : undefined);
    if (n === undefined) {
      throw new InvalidOptionError('--shard auto', `SLURM_ARRAY_TASK_ID=${slurmId}`, `SLURM_ARRAY_TASK_COUNT or SLURM_ARRAY_TASK_MIN/MAX set too (Slurm sets them), or ${countFlag}`);
    }
    return check(slurmId - min + 1, n, `SLURM_ARRAY_TASK_ID=${slurmId}, MIN=${min}`);
  }
  const k8s = int('JOB_COMPLETION_INDEX');
  if (k8s !== undefined) {
    if (count === undefined) throw new InvalidOptionError(countFlag, undefined, 'the number of shards (the Indexed Job\'s completions), needed with JOB_COMPLETION_INDEX');
    return check(k8s + 1, count, `JOB_COMPLETION_INDEX=${k8s}`);
  }
  throw new InvalidOptionError(
    '--shard auto',
    'auto',
    'to run in a Slurm array (SLURM_ARRAY_TASK_ID set) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX set); elsewhere give --shard i/n',
  );
}
