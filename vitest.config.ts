import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Each test file gets its own database (in-memory SQLite, or a fresh PostgreSQL schema).
    pool: 'forks',
    // Vitest's default in run mode is one worker fewer than the cores: ONE on CI's 2-core machine.
    // Most files wait on something else (Chromium, PostgreSQL, fsync, child processes), so one
    // worker per core keeps both busy.
    maxWorkers: Math.max(2, os.availableParallelism()),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
