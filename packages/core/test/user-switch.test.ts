// Launch plans for a user (direct spawn uid/gid or the exec-as helper), the user's environment,
// the refusal when not root, and the helper's argument parsing. No processes: see exec-as.test.ts.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { locate, parseExecAsArgs } from "../src/exec-as.js";
import {
  createUserLauncher,
  needsSwitch,
  planLaunch,
  STASH_PREFIX,
  stashNodeEnv,
  userEnv,
} from "../src/user-switch.js";
import { type ResolvedUser, UserError } from "../src/users.js";

const HELPER = ["/usr/bin/node", "/opt/gc/exec-as.js"];
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

describe("planLaunch", () => {
  it("spawns directly with uid/gid when the user has no supplementary groups", () => {
    const plan = planLaunch(plain, "id", ["-G"], HELPER, { identity: ROOT });
    expect(plan).toEqual({ file: "id", args: ["-G"], uid: 1001, gid: 1001, viaHelper: false });
  });

  it("goes through the helper with uid, gid and every group otherwise", () => {
    const plan = planLaunch(app, "id", ["-G", "--", "x"], HELPER, { identity: ROOT });
    expect(plan).toEqual({
      file: "/usr/bin/node",
      args: ["/opt/gc/exec-as.js", "1000", "1000", "1000,27,44", "--", "id", "-G", "--", "x"],
      viaHelper: true,
    });
  });

  it("asks the helper to keep extra descriptors (a readiness fd)", () => {
    const plan = planLaunch(app, "daemon", [], HELPER, { identity: ROOT, fdCount: 5 });
    expect(plan.args.slice(0, 6)).toEqual([
      "/opt/gc/exec-as.js",
      "1000",
      "1000",
      "1000,27,44",
      "--fds=5",
      "--",
    ]);
  });

  it("sets HOME/USER/LOGNAME and keeps NODE_* away from the helper", () => {
    const env = { PATH: "/bin", HOME: "/root", USER: "root", NODE_OPTIONS: "--inspect" };
    const viaHelper = planLaunch(app, "x", [], HELPER, { identity: ROOT, env });
    expect(viaHelper.env).toEqual({
      PATH: "/bin",
      HOME: "/home/app",
      USER: "app",
      [`${STASH_PREFIX}NODE_OPTIONS`]: "--inspect",
    });
    const direct = planLaunch(plain, "x", [], HELPER, { identity: ROOT, env });
    expect(direct.env).toEqual({
      PATH: "/bin",
      HOME: "/srv",
      USER: "plain",
      NODE_OPTIONS: "--inspect",
    });
    expect(env.HOME).toBe("/root"); // the caller's object is left alone
  });

  it("refuses a switch when not root, naming the spec and the uid", () => {
    const identity = { uid: 1000, gid: 1000, groups: [1000] };
    expect(() => planLaunch(app, "x", [], HELPER, { identity, spec: "app" })).toThrow(UserError);
    expect(() => planLaunch(plain, "x", [], HELPER, { identity, spec: "plain" })).toThrow(
      /cannot run a command as user "plain" .*switching users needs root.*uid 1000/,
    );
  });

  it("runs as is when not root but already that user with those groups", () => {
    const identity = { uid: 1000, gid: 1000, groups: [44, 27, 1000] };
    const plan = planLaunch(app, "x", ["y"], HELPER, { identity, env: { USER: "app" } });
    expect(plan).toEqual({ file: "x", args: ["y"], env: { USER: "app" }, viaHelper: false });
  });
});

describe("needsSwitch", () => {
  it("is true as root, false as the same identity, and throws otherwise", () => {
    expect(needsSwitch("app", app, ROOT)).toBe(true);
    expect(needsSwitch("plain", plain, { uid: 1001, gid: 1001, groups: [] })).toBe(false);
    expect(() => needsSwitch("plain", plain, { uid: 1001, gid: 1001, groups: [27] })).toThrow(
      UserError,
    );
  });
});

describe("userEnv", () => {
  it("changes only the variables that are present", () => {
    expect(userEnv(app, { PATH: "/bin" })).toEqual({ PATH: "/bin" });
    expect(userEnv(app, { LOGNAME: "root" })).toEqual({ LOGNAME: "app" });
  });

  it("gives a uid without passwd entry HOME=/ and drops root's USER/LOGNAME", () => {
    expect(userEnv(anonymous, { HOME: "/root", USER: "root", LOGNAME: "root", A: "1" })).toEqual({
      HOME: "/",
      A: "1",
    });
  });
});

describe("stashNodeEnv", () => {
  it("prefixes NODE_* (and already-prefixed names, so unstashing restores them exactly)", () => {
    expect(
      stashNodeEnv({ NODE_ENV: "production", [`${STASH_PREFIX}X`]: "1", NODEJS: "keep" }),
    ).toEqual({
      [`${STASH_PREFIX}NODE_ENV`]: "production",
      [`${STASH_PREFIX}${STASH_PREFIX}X`]: "1",
      NODEJS: "keep",
    });
  });
});

describe("createUserLauncher", () => {
  const dir = mkdtempSync(join(tmpdir(), "gc-launcher-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, "passwd"),
    "app:x:1000:1000::/home/app:/bin/sh\nplain:x:1001:1001::/srv:/bin/sh\n",
  );
  writeFileSync(join(dir, "group"), "app:x:1000:\nvideo:x:44:app\n");
  const files = { passwd: join(dir, "passwd"), group: join(dir, "group") };
  const launch = createUserLauncher({ helper: HELPER, files, identity: ROOT });

  it("rewrites a supervisor plan, keeping its other fields", () => {
    const plan = { file: "srv", args: ["-v"], env: { HOME: "/root" }, cwd: "/tmp", notifyFd: 3 };
    expect(launch("app", plan)).toEqual({
      file: "/usr/bin/node",
      args: ["/opt/gc/exec-as.js", "1000", "1000", "1000,44", "--fds=4", "--", "srv", "-v"],
      env: { HOME: "/home/app" },
      cwd: "/tmp",
      notifyFd: 3,
    });
    expect(launch("plain", { file: "srv", args: [], env: {} })).toEqual({
      file: "srv",
      args: [],
      env: {},
      uid: 1001,
      gid: 1001,
    });
  });

  it("throws UserError for unknown users and groups", () => {
    expect(() => launch("ghost", { file: "x", args: [], env: {} })).toThrow(/unknown user "ghost"/);
    expect(() => launch("app:ghosts", { file: "x", args: [], env: {} })).toThrow(
      /unknown group "ghosts"/,
    );
  });
});

describe("parseExecAsArgs", () => {
  it("reads ids, groups, descriptors and the command", () => {
    expect(parseExecAsArgs(["1000", "100", "100,27", "--", "sh", "-c", "--"])).toEqual({
      uid: 1000,
      gid: 100,
      groups: [100, 27],
      fdCount: 3,
      argv: ["sh", "-c", "--"],
    });
    expect(parseExecAsArgs(["1", "2", "2", "--fds=5", "--", "x"])).toMatchObject({ fdCount: 5 });
  });

  it.each([
    [["1000", "100", "100"]],
    [["1000", "100", "100", "--"]],
    [["x", "100", "100", "--", "sh"]],
    [["1000", "100", "", "--", "sh"]],
    [["1000", "100", "1,a", "--", "sh"]],
    [["1000", "100", "100", "--bogus", "--", "sh"]],
  ])("rejects %j", (argv) => {
    expect(typeof parseExecAsArgs(argv)).toBe("string");
  });
});

describe("locate (PATH search in the helper)", () => {
  const dir = mkdtempSync(join(tmpdir(), "gc-locate-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const sub of ["a", "b", "c"]) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, "a", "tool"), "", { mode: 0o644 }); // found, not executable
  writeFileSync(join(dir, "b", "tool"), "", { mode: 0o755 });
  mkdirSync(join(dir, "c", "dironly"));
  const path = ["a", "b", "c"].map((sub) => join(dir, sub)).join(":");

  it("takes the first executable file, else the first file, else nothing", () => {
    expect(locate("tool", path)).toBe(join(dir, "b", "tool"));
    expect(locate("tool", join(dir, "a"))).toBe(join(dir, "a", "tool"));
    expect(locate("dironly", path)).toBeUndefined();
    expect(locate("absent", path)).toBeUndefined();
  });

  it("leaves a program with a slash alone", () => {
    expect(locate("./x", path)).toBe("./x");
    expect(locate("/no/such", path)).toBe("/no/such");
  });
});
