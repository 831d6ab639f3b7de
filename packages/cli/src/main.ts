/**
 * The `vm-identity` executable: runs the command with the process's arguments
 * and I/O and sets the exit code. All behaviour lives in `program.ts`, so that
 * importing any other module of the command has no side effect.
 */
import { processIo } from "./io.js";
import { run } from "./program.js";

const io = processIo();
const code = await run(process.argv.slice(2), io);
io.dispose();
process.exitCode = code;
// Nothing should be left running; if something is (a stray socket or timer), do not hang the shell.
setTimeout(() => process.exit(code), 2000).unref();
