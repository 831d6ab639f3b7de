/**
 * nock for the test file that calls {@link useNock} at its top level: on
 * while the file's tests run, off after them. test/setup.ts switches it off
 * before each file, so that the files that do not replay recordings or mock
 * ARM with nock send to the emulator without its interception.
 */
import { afterAll } from "vitest";
import nock from "nock";

/** Turn nock's interception on for this file (network closed but for loopback, as test/setup.ts sets it). */
export function useNock(): void {
  if (!nock.isActive()) nock.activate();
  afterAll(() => {
    nock.restore();
  });
}
