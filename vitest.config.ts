import { defineConfig } from 'vitest/config';

/** Test files that start `moto_server` (the AWS emulator) are named `*.moto.test.ts`. */
const needsMoto = 'test/**/*.moto.test.ts';

/** What every project shares (projects do not inherit it, or they would also run the global setup). */
const shared = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' } as const;

export default defineConfig({
  test: {
    // Once per run: a private temp folder, checked for leftovers (folders and processes) at the end.
    globalSetup: ['test/support/test-run.ts'],
    projects: [
      // `npm run test:unit`: everything that runs without moto.
      { test: { ...shared, name: 'unit', include: ['test/**/*.test.ts'], exclude: [needsMoto] } },
      { test: { ...shared, name: 'moto', include: [needsMoto] } },
    ],
  },
});
