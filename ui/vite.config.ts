import { defineConfig } from "vitest/config";

// Tauri embeds ui/dist into the binary at compile time (src-tauri/tauri.conf.json → frontendDist).
export default defineConfig({
  base: "./",
  // The app icon lives in the top-level icons/ directory; Vite copies it into dist/.
  publicDir: "../icons",
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
