// Break glass earned by failed boots, and start-through in every break glass: the real CLI,
// booted again and again on one state file, as a platform restarting a crash-looping container.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLI, Scenario } from "./helpers/harness.js";
import { Running } from "./helpers/running.js";
import { runCli } from "./run-cli.js";

const daemon = (name: string) => `["/bin/sh", "{daemon}", "${name}", "{results}", "{dir}"]`;

/** vpn, then an app whose pre fails with 3 unless {dir}/fixed exists. */
const CRASH_LOOP = `
[break-glass]
after-failed-boots = 2
state-file = "{dir}/boots.json"
start-through = "vpn"

[[processes]]
name = "vpn"
run = ${daemon("vpn")}

[[processes]]
name = "app"
pre = ["/bin/sh", "-c", "test -e {dir}/fixed || { echo 'cannot open the database'; exit 3; }"]
run = ${daemon("app")}
`;

let scenario: Scenario | undefined;
let socket: string;
const leftovers: number[] = [];

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NO_COLOR: "1",
    GROUNDCONTROL_CONFIG: "",
    GROUNDCONTROL_SOCKET: socket,
    ...extra,
  };
}

/** The scenario's config, written once; each boot() is a fresh start of the CLI on it. */
function setUp(toml: string, extra: NodeJS.ProcessEnv = {}): Scenario {
  // The scenario's own run is the first boot.
  scenario = new Scenario(toml, { env: env(extra) });
  return scenario;
}

function boot(s: Scenario, extra: NodeJS.ProcessEnv = {}): Running {
  // The pid files of the last boot would say "up" before this one's daemons are.
  for (const file of readdirSync(s.dir)) if (file.endsWith(".pid")) rmSync(join(s.dir, file));
  return new Running([process.execPath, CLI, s.config], { env: env(extra) });
}

function count(s: Scenario): { failedBoots: number; lastReason: string } {
  return JSON.parse(readFileSync(join(s.dir, "boots.json"), "utf8"));
}

beforeEach(() => {
  socket = join("/tmp", `gc-crash-${process.pid}-${Date.now()}.sock`);
});
afterEach(() => {
  scenario?.cleanup();
  scenario = undefined;
  // Each was a command's process-group leader: its background sleep goes with the group.
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {}
  }
});

describe("[break-glass] after-failed-boots", () => {
  it("fails N boots with their status, breaks the glass on the next, then boots normally again", async () => {
    const s = setUp(CRASH_LOOP);
    // Boots 1 and 2: the app's pre fails; each exits 3 and is counted.
    expect((await s.finished).code).toBe(3);
    expect(count(s)).toMatchObject({ failedBoots: 1 });
    expect(count(s).lastReason).toContain('`pre` command failed for process "app" (exit code 3)');
    expect((await boot(s).finished).code).toBe(3);
    expect(count(s).failedBoots).toBe(2);

    // Boot 3 breaks the glass: vpn runs, app never starts.
    const third = boot(s);
    await third.waitFor(/starting only the processes through "vpn": vpn/);
    expect(third.stderr).toMatch(
      /break glass: 2 boots in a row failed \(the last: startup aborted: `pre` command failed for process "app" \(exit code 3\)/,
    );
    await s.waitForPid("vpn");
    const status = await runCli(["status", "--json"], { env: env() });
    const report = JSON.parse(status.stdout);
    expect(report).toMatchObject({ phase: "break glass", ready: false });
    expect(report.note).toContain(`delete ${join(s.dir, "boots.json")}`);
    expect(report.processes.map((p: { name: string; state: string }) => [p.name, p.state])).toEqual(
      [
        ["vpn", "running"],
        ["app", "waiting"],
      ],
    );
    expect((await runCli(["status", "--ready"], { env: env() })).code).toBe(1);
    expect(s.transcriptLines()).not.toContain("app:started");

    // A termination signal stops what break glass started, in reverse, and exits 0.
    third.kill("SIGTERM");
    const done = await third.finished;
    expect(done.code).toBe(0);
    expect(s.transcriptLines().slice(-2)).toEqual(["vpn:shutdown-requested", "vpn:stopped"]);
    expect(count(s).failedBoots).toBe(0);

    // Boot 4 is a normal boot again: the fix is in, so everything starts.
    writeFileSync(join(s.dir, "fixed"), "");
    const fourth = boot(s);
    await fourth.waitFor(/started: all 2 processes ready/);
    expect(fourth.stderr).not.toMatch(/break glass/);
    expect(count(s).failedBoots).toBe(1); // counted until it turns out good
    fourth.kill("SIGTERM");
    expect((await fourth.finished).code).toBe(0);
    expect(count(s).failedBoots).toBe(0); // a termination signal after startup: a good boot
  });

  it("a boot that stays up healthy-after past startup clears the count", async () => {
    const s = setUp(`
[break-glass]
after-failed-boots = 3
state-file = "{dir}/boots.json"
healthy-after = "300ms"

[[processes]]
name = "app"
run = ${daemon("app")}
`);
    await s.waitForOutput(/started: all 1 process|started: 1 process ready/);
    expect(count(s).failedBoots).toBe(1);
    await s.waitForOutput(
      /break glass: up for 300ms after startup: failed boots counted from 0 again/,
    );
    expect(count(s).failedBoots).toBe(0);
    // A run that exits later does not make it a failed boot any more.
    process.kill(await s.waitForPid("app"), "SIGINT");
    expect((await s.finished).code).toBe(1);
    expect(count(s).failedBoots).toBe(0);
  });

  it("a boot killed by SIGKILL during startup counts as failed", async () => {
    const s = setUp(`
[break-glass]
after-failed-boots = 1
state-file = "{dir}/boots.json"

[[processes]]
name = "db"
run = ${daemon("db")}
ready = { file = "{dir}/never" }

[[processes]]
name = "app"
run = ${daemon("app")}
`);
    leftovers.push(await s.waitForPid("db"));
    s.signal("SIGKILL");
    await s.finished;
    expect(count(s)).toEqual(
      expect.objectContaining({
        failedBoots: 1,
        lastReason: expect.stringMatching(/killed outright/),
      }),
    );
    // One failed boot is enough here: the next breaks the glass, and says why.
    const next = boot(s);
    await next.waitFor(/1 boots in a row failed \(the last: it ended without a word/);
    await next.waitFor(/no processes will be started/);
    next.kill("SIGTERM");
    expect((await next.finished).code).toBe(0);
  });

  it("a termination signal during startup counts as failed: a platform killing a stuck boot", async () => {
    const s = setUp(`
[break-glass]
after-failed-boots = 5
state-file = "{dir}/boots.json"

[[processes]]
name = "db"
run = ${daemon("db")}
ready = { file = "{dir}/never" }
`);
    await s.waitForPid("db");
    s.signal("SIGTERM");
    expect((await s.finished).code).toBe(0);
    expect(count(s)).toMatchObject({
      failedBoots: 1,
      lastReason: "received SIGTERM, before startup completed",
    });
  });

  it("a garbage state file is logged and read as zero", async () => {
    const s = setUp(CRASH_LOOP);
    await s.finished;
    writeFileSync(join(s.dir, "boots.json"), "{ not json");
    const next = boot(s);
    expect((await next.finished).code).toBe(3);
    expect(next.stderr).toContain(
      `break glass: ${join(s.dir, "boots.json")} is not a count of failed boots; counting from 0`,
    );
    expect(count(s).failedBoots).toBe(1);
  });

  it("a state file that cannot be written is logged, and the boot goes on", async () => {
    const s = setUp(
      CRASH_LOOP.replace('state-file = "{dir}/boots.json"', 'state-file = "/dev/null/boots.json"'),
    );
    const done = await s.finished;
    expect(done.code).toBe(3); // the boot ran: its pre failed as it always does
    expect(done.stderr).toContain(
      "break glass: cannot read /dev/null/boots.json (ENOTDIR); counting failed boots from 0",
    );
    // Said once, though the boot wrote twice.
    expect(
      done.stderr.match(
        /cannot write \/dev\/null\/boots.json \(ENOTDIR\); failed boots are not counted/g,
      ),
    ).toHaveLength(1);
    expect(existsSync(join(s.dir, "boots.json"))).toBe(false);
  });
});

describe("start-through in a manual break glass", () => {
  it("starts the processes through that one, and clears the count when ended by a signal", async () => {
    const s = setUp(CRASH_LOOP);
    await s.finished; // one failed boot on the count
    const glass = boot(s, { BREAK_GLASS: "1" });
    await glass.waitFor(/BREAK_GLASS is set: starting only the processes through "vpn": vpn/);
    await s.waitForPid("vpn");
    expect(s.transcriptLines()).not.toContain("app:started");
    glass.kill("SIGTERM");
    expect((await glass.finished).code).toBe(0);
    expect(s.transcriptLines().slice(-2)).toEqual(["vpn:shutdown-requested", "vpn:stopped"]);
    expect(count(s).failedBoots).toBe(0);
  });

  it("stays in break glass when what it started exits, until a termination signal", async () => {
    const s = setUp(
      `
[break-glass]
start-through = "vpn"

[[processes]]
name = "vpn"
run = ${daemon("vpn")}

[[processes]]
name = "app"
run = ${daemon("app")}
`,
      { BREAK_GLASS: "" },
    );
    const glass = s.running;
    const vpn = await s.waitForPid("vpn");
    process.kill(vpn, "SIGINT"); // the fixture exits 1 at once
    await glass.waitFor(
      /what was started has stopped \(process "vpn" exited \(exit code 1\)\); still waiting/,
    );
    expect(glass.exited).toBe(false);
    const status = JSON.parse((await runCli(["status", "--json"], { env: env() })).stdout);
    expect(status.phase).toBe("break glass");
    glass.kill("SIGTERM");
    expect((await glass.finished).code).toBe(0);
  });
});
