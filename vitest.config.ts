import { defineConfig } from 'vitest/config';

// Tests drive the real kernel: namespaces, mounts, cgroups. Files run one at a time so the suite-wide
// leak check (test/global-setup.ts) compares host state with nothing else in flight.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx', '**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
