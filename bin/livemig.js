#!/usr/bin/env node
// A closed pipe (`livemig --help | head -1`) is not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main } = await import('../dist/src/cli/main.js');
process.exitCode = await main(process.argv);
