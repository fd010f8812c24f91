// Commands run as real users through the executable (its --exec-as mode), as Docker's USER would.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withScenario } from "./helpers/harness.js";

const usable = process.platform === "linux" && process.getuid?.() === 0;
if (!usable) console.warn("user tests skipped: they need root on Linux (they create users)");

const tag = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;
const member = `gcm${tag}`; // member of two extra groups
const loner = `gcl${tag}`; // only its primary group
const groupA = `gca${tag}`;
const groupB = `gcb${tag}`;
let secretDir = "";
let secret = "";

const idOf = (kind: "-u" | "-g", name: string) =>
  Number(execFileSync("id", [kind, name], { encoding: "utf8" }));
const gidOf = (group: string) =>
  Number(execFileSync("getent", ["group", group], { encoding: "utf8" }).split(":")[2]);

/** The lines a process wrote to stdout, without their labels. */
function linesOf(stdout: string, name: string): string[] {
  const label = new RegExp(`^${name} +\\| `);
  return stdout
    .split("\n")
    .filter((line) => label.test(line))
    .map((line) => line.replace(label, ""));
}

describe.runIf(usable)("users", () => {
  beforeAll(() => {
    execFileSync("groupadd", [groupA]);
    execFileSync("groupadd", [groupB]);
    execFileSync("useradd", ["--create-home", "--groups", `${groupA},${groupB}`, member]);
    execFileSync("useradd", ["--create-home", loner]);
    secretDir = mkdtempSync(join(tmpdir(), "gc-secret-"));
    chmodSync(secretDir, 0o755);
    secret = join(secretDir, "root-only");
    writeFileSync(secret, "top secret\n", { mode: 0o600 });
  });

  afterAll(() => {
    for (const user of [member, loner])
      execFileSync("userdel", ["--remove", user], { stdio: "ignore" });
    for (const group of [groupA, groupB]) execFileSync("groupdel", [group], { stdio: "ignore" });
    rmSync(secretDir, { recursive: true, force: true });
  });

  it("gives a user exactly its groups, its HOME/USER/LOGNAME, and keeps the exit status", async () => {
    await withScenario(
      `
suppress_timestamps = true

[[processes]]
name = "member"
pre = { user = "${member}", command = ["/bin/sh", "-c", "id -u; id -g; id -G; echo $HOME $USER $LOGNAME; cat ${secret} || echo denied"] }
run = { user = "${member}", command = ["/bin/sh", "-c", "exit 7"] }
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(7);
        const [uid, gid, groups, names, secretLine] = linesOf(done.stdout, "member\\[pre\\]");
        expect(Number(uid)).toBe(idOf("-u", member));
        expect(Number(gid)).toBe(idOf("-g", member));
        expect(groups!.split(" ").map(Number).sort()).toEqual(
          [idOf("-g", member), gidOf(groupA), gidOf(groupB)].sort(),
        );
        expect(groups!.split(" ")).not.toContain("0");
        expect(names).toBe(`/home/${member} ${member} ${member}`);
        expect(secretLine).toBe("denied");
      },
      { env: { ...process.env, NO_COLOR: "1", HOME: "/root", USER: "root", LOGNAME: "root" } },
    );
  });

  it.each([
    ["name:group", () => `${member}:${groupA}`, () => [gidOf(groupA)]],
    ["uid:gid", () => `${idOf("-u", member)}:${gidOf(groupB)}`, () => [gidOf(groupB)]],
    ["a user with no extra groups", () => loner, () => [idOf("-g", loner)]],
  ])("%s gives that group alone", async (_what, user, expected) => {
    await withScenario(
      `
suppress_timestamps = true

[[processes]]
name = "who"
run = { user = "${user()}", command = ["/bin/sh", "-c", "id -G"] }
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(linesOf(done.stdout, "who")[0]!.split(" ").map(Number)).toEqual(expected());
      },
    );
  });

  it("refuses an unknown user or group, and a bare uid without a passwd entry", async () => {
    for (const [user, message] of [
      ["no-such-user-x", /no-such-user-x/],
      [`${member}:no-such-group-x`, /no-such-group-x/],
      ["48213", /uid 48213 has no entry in \/etc\/passwd.*"48213:<gid>"/],
    ] as const) {
      await withScenario(
        `
[[processes]]
name = "bad"
run = { user = "${user}", command = "true" }
`,
        async (s) => {
          const done = await s.finished;
          expect(done.code).toBe(1);
          expect(done.stderr).toMatch(message);
        },
      );
    }
  });
});
