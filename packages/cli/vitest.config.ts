import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Black-box tests spawn real processes; none of them waits on a fixed sleep.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
