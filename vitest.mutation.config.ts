import { defineConfig } from 'vitest/config';

// The tests that mutation testing runs: the behavioural tests of the engine, the policies and the core. The golden
// report hashes are left out on purpose, so the score says what the behavioural tests catch on their own.
export default defineConfig({
  test: {
    include: ['test/controllers/**/*.test.ts', 'test/engine/**/*.test.ts', 'test/core/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
