/// <reference types="node" />
// The end-to-end test of the real app (npm run test:e2e): one app, the steps in order, long
// timeouts — a debug build under Xvfb on a busy two-core machine is slow to start and render.

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    environment: "node",
    include: ["tests/e2e/**/*.spec.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: "forks",
    // A failed step leaves the app in an unknown state: the later steps would only add noise.
    bail: 1,
  },
});
