import { defineConfig } from 'vitest/config';

/** Unit tests: the pure core in Node, fake timers where time matters. */
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
});
