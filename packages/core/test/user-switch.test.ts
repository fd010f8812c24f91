// Whether a command needs a user switch and which way it goes, the user's environment, and the
// exec-as helper's request. No processes: see exec-as.test.ts.
import { describe, expect, it } from "vitest";
import { parseRequest } from "../src/exec-as.js";
import { switchFor, userEnv } from "../src/user-switch.js";
import { type ResolvedUser, UserError } from "../src/users.js";

const ROOT = { uid: 0, gid: 0, groups: [0] };
const app: ResolvedUser = {
  uid: 1000,
  gid: 1000,
  groups: [1000, 27, 44],
  name: "app",
  home: "/home/app",
};
const plain: ResolvedUser = { uid: 1001, gid: 1001, groups: [1001], name: "plain", home: "/srv" };
const anonymous: ResolvedUser = { uid: 4000, gid: 4000, groups: [4000] };

describe("switchFor", () => {
  it("spawns with uid/gid for a user without supplementary groups, else the helper", () => {
    expect(switchFor("plain", plain, ROOT)).toBe("spawn");
    expect(switchFor("app", app, ROOT)).toBe("helper");
    // In a cwd of its own, through the helper: it enters the directory as the user.
    expect(switchFor("plain", plain, ROOT, true)).toBe("helper");
  });

  it("refuses a switch when not root, naming the spec and the uid", () => {
    const identity = { uid: 1000, gid: 1000, groups: [1000] };
    expect(() => switchFor("app", app, identity)).toThrow(UserError);
    expect(() => switchFor("plain", plain, identity)).toThrow(
      /cannot run a command as user "plain" .*switching users needs root.*uid 1000/,
    );
  });

  it("needs none when not root but already that user with those groups", () => {
    expect(switchFor("app", app, { uid: 1000, gid: 1000, groups: [44, 27, 1000] })).toBeUndefined();
    expect(() => switchFor("app", app, { uid: 1000, gid: 1000, groups: [27] })).toThrow(UserError);
  });
});

describe("userEnv", () => {
  it("changes only the variables that are present", () => {
    expect(userEnv(app, { PATH: "/bin" })).toEqual({ PATH: "/bin" });
    expect(userEnv(app, { LOGNAME: "root" })).toEqual({ LOGNAME: "app" });
    const env = { HOME: "/root" };
    expect(userEnv(plain, env)).toEqual({ HOME: "/srv" });
    expect(env.HOME).toBe("/root"); // the caller's object is left alone
  });

  it("gives a uid without passwd entry HOME=/ and drops root's USER/LOGNAME", () => {
    expect(userEnv(anonymous, { HOME: "/root", USER: "root", LOGNAME: "root", A: "1" })).toEqual({
      HOME: "/",
      A: "1",
    });
  });
});

describe("parseRequest (the exec-as helper's stdin)", () => {
  const good = {
    uid: 1000,
    gid: 100,
    groups: [100, 27],
    path: "/bin/sh",
    argv: ["sh"],
    env: ["A=1"],
  };

  it("takes a whole request, with an optional cwd and descriptor", () => {
    expect(parseRequest(JSON.stringify(good))).toEqual(good);
    const more = { ...good, cwd: "/srv", keepFd: 5 };
    expect(parseRequest(JSON.stringify(more))).toEqual(more);
  });

  it("takes a request without ids (no switch), for WATCHDOG_PID alone", () => {
    const { uid: _u, gid: _g, groups: _gs, ...noSwitch } = { ...good, watchdogPid: true };
    expect(parseRequest(JSON.stringify(noSwitch))).toEqual(noSwitch);
  });

  it.each([
    ["not JSON", "uid=0"],
    ["a negative uid", JSON.stringify({ ...good, uid: -1 })],
    ["a group that is not a number", JSON.stringify({ ...good, groups: [100, "27"] })],
    ["an argv that is not strings", JSON.stringify({ ...good, argv: ["sh", 1] })],
    ["no environment", JSON.stringify({ ...good, env: undefined })],
    ["descriptor 1", JSON.stringify({ ...good, keepFd: 1 })],
    ["a uid without a gid", JSON.stringify({ ...good, gid: undefined, groups: undefined })],
    ["a watchdogPid that is not a boolean", JSON.stringify({ ...good, watchdogPid: 1 })],
  ])("refuses %s", (_what, text) => {
    expect(typeof parseRequest(text)).toBe("string");
  });
});
