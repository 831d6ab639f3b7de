import { defineConfig } from "tsup";

// The command is one ESM file. tsup keeps every package named in
// package.json's dependencies external, the SDK included, so there is one
// copy of the library and of @azure/logger (whose level --verbose sets); a
// package imported but not declared would be bundled, which test/package
// refuses.
export default defineConfig({
  entry: { main: "src/main.ts" },
  format: ["esm"],
  target: "node20",
  clean: true,
  banner: { js: "#!/usr/bin/env node" },
});
