/// <reference types="node" />
// The UI tests in headless Chromium (npm run test:ui): one browser, the files one after
// another, generous timeouts for a busy two-core machine.

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    environment: "node",
    include: ["tests/ui/**/*.spec.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: "forks",
  },
});
