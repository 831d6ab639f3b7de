/**
 * The `vm-identity` executable: runs the command with the process's arguments
 * and I/O and sets the exit code. All behaviour lives in `program.ts`, so that
 * importing any other module of the command has no side effect.
 *
 * The process ends by itself once everything is written: nothing is left
 * running (signal listeners are removed, idle sockets do not hold the event
 * loop), and no timer cuts a large output that a slow reader is still reading.
 */
import { processIo } from "./io.js";
import { run } from "./program.js";

const io = processIo();
const code = await run(process.argv.slice(2), io);
io.dispose();
process.exitCode = code;
