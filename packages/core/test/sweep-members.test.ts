// The cheap check the final sweep makes first: is anyone left in a process group at all?
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { groupHasMembers } from "../src/sweep.js";

describe.runIf(process.platform !== "win32")("groupHasMembers", () => {
  it("is true while a group has a member, false once its last member is gone", async () => {
    const child = spawn("/bin/sh", ["-c", "read line"], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    const pgid = child.pid!;
    const exited = new Promise((resolve) => child.on("exit", resolve));
    expect(groupHasMembers(pgid)).toBe(true);
    child.stdin.end("go\n");
    await exited; // libuv has reaped it: no zombie left in the group either
    expect(groupHasMembers(pgid)).toBe(false);
  });
});
