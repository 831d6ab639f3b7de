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
  },
});
