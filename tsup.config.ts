import { defineConfig } from "tsup";

// The SDK's two entries, `azure-vm-identity` and `azure-vm-identity/testing`,
// each in ESM and CommonJS with bundled types. Code splitting is on for both
// formats: a module that both entries import is emitted once, as a shared
// chunk, instead of once inside each entry (so a class both use is one class,
// whichever entry made the instance). Every dependency stays external. No
// source maps: the tarball carries only what runs.
export default defineConfig([
  {
    entry: { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: false,
    clean: true,
    target: "node20",
    splitting: true,
    treeshake: true,
    // The SDK loads @azure/core-rest-pipeline (and its pipeline chunk) at the first request, with
    // import(). In CommonJS that must be require(): an import() there would load the package's ESM
    // copy, whose RestError and logger are not the ones a CommonJS user's require() gets.
    esbuildOptions(options, { format }) {
      if (format === "cjs") options.supported = { ...options.supported, "dynamic-import": false };
    },
  },
]);
