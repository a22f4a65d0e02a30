import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT_INTERNAL } from '../../src/cli/main.js';
import { runCli } from './helpers.js';

// A bug inside livemig, simulated: migrate() throws something that is not a LivemigError.
vi.mock('../../src/api/migrate.js', () => ({
  migrate: () => {
    throw new TypeError('cannot read the frobnicator');
  },
}));

describe('an internal error', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('exits 70 with a one-line message and no stack trace', async () => {
    const { code, stderr } = await runCli('run');
    expect(code).toBe(EXIT_INTERNAL);
    expect(stderr).toBe('livemig: internal error: cannot read the frobnicator\n');
  });

  it('prints the stack trace with LIVEMIG_DEBUG=1', async () => {
    vi.stubEnv('LIVEMIG_DEBUG', '1');
    const { code, stderr } = await runCli('run');
    expect(code).toBe(EXIT_INTERNAL);
    expect(stderr).toMatch(/^livemig: internal error: cannot read the frobnicator\nTypeError: .*\n {4}at /);
  });
});
