import type { Command } from 'commander';
import { mergeShards } from '../../batch/merge.js';
import type { Io } from '../io.js';

const EXAMPLES = `
Examples:
  $ livemig merge out/bw-1 out/bw-2 out/bw-3 out/bw-4 --out out/bw     # the folders of --shard 1/4 … 4/4
  $ livemig merge out/bw-*                                            # only check: every run present once?
`;

/** `livemig merge`: the shard folders of one sweep into one. */
export function registerMerge(program: Command, io: Io): void {
  program
    .command('merge')
    .summary('merge the folders of a sharded sweep, checking every run is there exactly once')
    .description(
      'Check that the shard folders come from one experiment and hold every run exactly once (naming the runs and shards ' +
        'missing), and with --out write them as one sweep folder (manifest.json, results.ndjson in index order).',
    )
    .argument('<dirs...>', 'the shard folders (written by livemig sweep --shard)')
    .option('-o, --out <dir>', 'write the merged sweep here, a new folder (default: only check)')
    .addHelpText('after', EXAMPLES)
    .action((dirs: string[], flags: { out?: string }) => {
      const s = mergeShards({ dirs, ...(flags.out !== undefined ? { outDir: flags.out } : {}) });
      io.err(
        `livemig: merge: ${s.runs}/${s.totalRuns} runs of "${s.experiment}" from ${s.dirs} folder${s.dirs === 1 ? '' : 's'}, each exactly once` +
          `${s.outDir === null ? ' (checked; add --out DIR to write them)' : `; written to ${s.outDir}`}\n`,
      );
    });
}
