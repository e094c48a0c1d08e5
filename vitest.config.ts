import os from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Files that measure how fast the server answers while it works (the ReDoS mail and /healthz): on
 * CI's two cores, another test file running beside them would be measured instead. They run alone,
 * once every other file has finished.
 */
const ALONE = ['test/channels-email-redos.test.ts'];

export default defineConfig({
  test: {
    // Each test file gets its own database (in-memory SQLite, or a fresh PostgreSQL schema).
    pool: 'forks',
    // Vitest's default in run mode is one worker fewer than the cores: ONE on CI's 2-core machine.
    // Most files wait on something else (Chromium, PostgreSQL, fsync, child processes), so one
    // worker more than the cores keeps both busy: the PostgreSQL suite went from 19.5 to 16 min
    // on the 2-core VM with three workers instead of two, every test green.
    maxWorkers: Math.max(3, os.availableParallelism() + 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'guichet', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: ALONE, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'seul', include: ALONE, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
