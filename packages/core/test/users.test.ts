// Docker USER forms resolved against /etc/passwd and /etc/group text: every form, and every error.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  parseGroup,
  parseId,
  parsePasswd,
  resolveUser,
  resolveUserFrom,
  UserError,
} from "../src/users.js";

const passwd = [
  "root:x:0:0:root:/root:/bin/bash",
  "# a comment line",
  "",
  "app:x:1000:1000:App:/home/app:/bin/sh",
  "+nisuser::::::",
  "-blocked::::::",
  "worker:x:1001:1001::/srv/worker:/bin/sh",
  "broken:x:notanumber:1:::",
  "short:x",
  // A user whose name looks like another user's uid: names win.
  "1001:x:4242:4242::/home/numeric:/bin/sh",
  "lonely:x:1002:1002::/home/lonely:/bin/sh\r",
].join("\n");

const group = [
  "root:x:0:",
  "app:x:1000:",
  "worker:x:1001:",
  "# comment",
  "+:::",
  "web:x:2000:app,worker",
  "data:x:2001: app ",
  "audit:x:2002:worker",
  "1001:x:5000:",
  "lonely:x:1002:",
].join("\n");

const db = { passwd, group };

describe("parsing", () => {
  it("skips blank, comment, NIS and malformed passwd lines", () => {
    expect(parsePasswd(passwd).map((entry) => entry.name)).toEqual([
      "root",
      "app",
      "worker",
      "1001",
      "lonely",
    ]);
    expect(parsePasswd(passwd)[1]).toEqual({
      name: "app",
      uid: 1000,
      gid: 1000,
      home: "/home/app",
    });
    expect(parsePasswd(passwd)[4]?.home).toBe("/home/lonely");
  });

  it("reads group members, trimming spaces", () => {
    const groups = parseGroup(group);
    expect(groups.find((entry) => entry.name === "web")?.members).toEqual(["app", "worker"]);
    expect(groups.find((entry) => entry.name === "data")?.members).toEqual(["app"]);
    expect(groups.find((entry) => entry.name === "root")?.members).toEqual([]);
    expect(groups.some((entry) => entry.name.startsWith("+"))).toBe(false);
  });

  it("accepts decimal ids in the kernel's range only", () => {
    expect(parseId("0")).toBe(0);
    expect(parseId("4294967294")).toBe(4294967294);
    expect(parseId("4294967295")).toBeUndefined();
    expect(parseId("-1")).toBeUndefined();
    expect(parseId("1e3")).toBeUndefined();
    expect(parseId(" 1")).toBeUndefined();
    expect(parseId("")).toBeUndefined();
  });
});

describe("resolveUserFrom", () => {
  it.each([
    ["app", { uid: 1000, gid: 1000, groups: [1000, 2000, 2001], name: "app", home: "/home/app" }],
    ["1000", { uid: 1000, gid: 1000, groups: [1000, 2000, 2001], name: "app", home: "/home/app" }],
    ["app:web", { uid: 1000, gid: 2000, groups: [2000], name: "app", home: "/home/app" }],
    ["app:2001", { uid: 1000, gid: 2001, groups: [2001], name: "app", home: "/home/app" }],
    ["1000:web", { uid: 1000, gid: 2000, groups: [2000], name: "app", home: "/home/app" }],
    ["1000:2002", { uid: 1000, gid: 2002, groups: [2002], name: "app", home: "/home/app" }],
    // Numeric ids need no entry once the group is explicit.
    ["4000:4000", { uid: 4000, gid: 4000, groups: [4000] }],
    ["4000:web", { uid: 4000, gid: 2000, groups: [2000] }],
    ["app:7777", { uid: 1000, gid: 7777, groups: [7777], name: "app", home: "/home/app" }],
    // Name first, then numeric id, for users and groups alike.
    ["1001", { uid: 4242, gid: 4242, groups: [4242], name: "1001", home: "/home/numeric" }],
    ["app:1001", { uid: 1000, gid: 5000, groups: [5000], name: "app", home: "/home/app" }],
    [
      "worker",
      { uid: 1001, gid: 1001, groups: [1001, 2000, 2002], name: "worker", home: "/srv/worker" },
    ],
    ["root", { uid: 0, gid: 0, groups: [0], name: "root", home: "/root" }],
    ["lonely", { uid: 1002, gid: 1002, groups: [1002], name: "lonely", home: "/home/lonely" }],
  ])("%s", (spec, expected) => {
    expect(resolveUserFrom(spec, db)).toEqual(expected);
  });

  it("lists the primary group once even when /etc/group names the user in it", () => {
    const text = { passwd: "a:x:10:20::/:/bin/sh", group: "g:x:20:a\nh:x:30:a\nh2:x:30:a" };
    expect(resolveUserFrom("a", text).groups).toEqual([20, 30]);
  });

  it.each([
    ["nobody-here", /unknown user "nobody-here"/],
    ["app:nogroup", /unknown group "nogroup"/],
    ["nobody-here:web", /unknown user "nobody-here"/],
    ["4000", /uid 4000 has no entry in \/etc\/passwd.*use "4000:<gid>"/],
    ["", /invalid user ""/],
    [":web", /invalid user ":web"/],
    ["app:", /invalid user "app:"/],
    ["app:web:extra", /invalid user "app:web:extra"/],
    ["4294967295", /unknown user "4294967295"/],
    ["+nisuser", /unknown user "\+nisuser"/],
  ])("refuses %j", (spec, message) => {
    let caught: unknown;
    try {
      resolveUserFrom(spec, db);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).spec).toBe(spec);
    expect((caught as UserError).message).toMatch(message);
  });
});

describe("resolveUser (files)", () => {
  const dir = mkdtempSync(join(tmpdir(), "gc-users-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the given files", () => {
    writeFileSync(join(dir, "passwd"), passwd);
    writeFileSync(join(dir, "group"), group);
    const files = { passwd: join(dir, "passwd"), group: join(dir, "group") };
    expect(resolveUser("worker:data", files)).toMatchObject({ uid: 1001, gid: 2001 });
  });

  it("treats missing files as empty (scratch images), so only uid:gid resolves", () => {
    const files = { passwd: join(dir, "absent-passwd"), group: join(dir, "absent-group") };
    expect(resolveUser("1234:1234", files)).toEqual({ uid: 1234, gid: 1234, groups: [1234] });
    expect(() => resolveUser("app", files)).toThrow(UserError);
    expect(() => resolveUser("1234", files)).toThrow(/no entry in \/etc\/passwd/);
  });

  it("reports an unreadable file with the spec and the cause", () => {
    const files = { passwd: dir, group: join(dir, "group") }; // a directory: EISDIR
    expect(() => resolveUser("app", files)).toThrow(/cannot read .* to resolve user "app"/);
  });
});
