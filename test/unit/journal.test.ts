import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openJournal } from "../../src/fleet/journal.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "journal-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as { code?: string; message?: string });

describe("openJournal", () => {
  it("writes a header, then one line per outcome, and a second open reads them back", async () => {
    const path = join(dir, "run.jsonl");
    const first = await openJournal(path, "identity", "f1");
    await first.record("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/VM1", "changed");
    await first.record("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm2", "failed", "Conflict");
    await first.close();
    const lines = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ journal: "azure-vm-identity fleet journal", version: 1, operation: "identity", fingerprint: "f1" });
    expect(lines.slice(1).map((l) => [l.status, l.code])).toEqual([["changed", undefined], ["failed", "Conflict"]]);
    const second = await openJournal(path, "identity", "f1");
    expect(second.previous("/subscriptions/s/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1")).toBe("changed");
    expect(second.previous("/subscriptions/s/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm2")).toBe("failed");
    await second.close();
  });

  it("a journal in a folder that does not exist is InvalidJournal, naming the path, not a raw ENOENT", async () => {
    const path = join(dir, "missing", "run.jsonl");
    const error = await refusal(openJournal(path, "identity", "f1"));
    expect(error).toMatchObject({ code: "InvalidJournal" });
    expect(error?.message).toContain(path);
    expect(error?.message).toContain("folder does not exist");
  });

  it("a path that is a folder is InvalidJournal", async () => {
    expect(await refusal(openJournal(dir, "identity", "f1"))).toMatchObject({ code: "InvalidJournal" });
  });

  it("another fleet's journal is JournalMismatch; a file that is not a journal is InvalidJournal; both left as they were", async () => {
    const theirs = join(dir, "theirs.jsonl");
    await (await openJournal(theirs, "msiExtension.install", "f2")).close();
    const before = readFileSync(theirs, "utf8");
    expect(await refusal(openJournal(theirs, "identity", "f1"))).toMatchObject({ code: "JournalMismatch" });
    expect(readFileSync(theirs, "utf8")).toBe(before);
    const notes = join(dir, "notes.txt");
    writeFileSync(notes, "shopping list\n");
    expect(await refusal(openJournal(notes, "identity", "f1"))).toMatchObject({ code: "InvalidJournal" });
    expect(readFileSync(notes, "utf8")).toBe("shopping list\n");
  });
});
