/// <reference types="node" />
// The installed Debian package's app (npm run test:installed), started by tests/app/installed.rs
// after `apt-get install ./konsekvens_*.deb` with a policy file in /etc/konsekvens.

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    environment: "node",
    include: ["tests/installed/**/*.spec.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: "forks",
    bail: 1,
  },
});
