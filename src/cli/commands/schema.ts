import type { Command } from 'commander';
import { experimentJsonSchema } from '../../experiments/schema.js';
import type { Io } from '../io.js';

/** `livemig schema`: prints the experiment-file JSON Schema (the same as schema/experiment.schema.json). */
export function registerSchema(program: Command, io: Io): void {
  program
    .command('schema')
    .summary('print the JSON Schema of experiment files')
    .description(
      'Print the JSON Schema (draft 2020-12) that experiment files follow, for editors and validators. ' +
        'Point an experiment at it with "$schema": "<path to livemig>/schema/experiment.schema.json".',
    )
    .action(() => {
      io.out(`${JSON.stringify(experimentJsonSchema(), null, 2)}\n`);
    });
}
