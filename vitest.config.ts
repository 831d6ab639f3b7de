import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // In-process tests of the command run it against the library's source;
    // the child-process tests run the built command against the built library.
    alias: [
      { find: /^azure-vm-identity\/testing$/, replacement: source("./src/testing/index.ts") },
      { find: /^azure-vm-identity$/, replacement: source("./src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts", "packages/cli/test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Every core works (vitest's default leaves one idle, which on a two-core
    // machine is half of it), and a worker keeps the modules it has loaded
    // from one file to the next instead of loading the SDK, nock and the
    // pipeline again for each of ~90 files: tests restore what they change
    // (nock interceptors, log levels, fake timers) in their own hooks.
    maxWorkers: Math.max(2, availableParallelism()),
    isolate: false,
  },
});
