// Secrets from files (`secrets` in a command table), through the executable: the value reaches
// that command's environment alone, is read again at each start, and shows up in no message.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withScenario } from "./helpers/harness.js";
import { canSwitchUsers, createTestUsers, linesOf, type TestUsers } from "./helpers/users.js";
import { runCli } from "./run-cli.js";

const VALUE = "sk-live-7f3c9e2a";
/** Ground Control's environment: no GC_TOKEN in it, unless a test puts one there. */
const ENV = { PATH: process.env.PATH, NO_COLOR: "1" };

const dir = mkdtempSync(join(tmpdir(), "gc-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
/** A secret file outside the scenario's directory, readable by its owner (root) alone. */
function secretFile(content: string | Uint8Array = `${VALUE}\n`, mode = 0o600): string {
  const path = join(dir, `secret-${++count}`);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

/** A command that appends `label:[$GC_TOKEN]` (or `label:unset`) to the transcript. */
const show = (label: string) =>
  `["/bin/sh", "-c", "echo ${label}:\${GC_TOKEN-unset}: >> {results}"]`;

async function run(toml: string, env: NodeJS.ProcessEnv = ENV) {
  return withScenario(
    toml,
    async (s) => {
      const done = await s.finished;
      return { ...done, transcript: s.transcriptLines() };
    },
    { env },
  );
}

describe("a secret", () => {
  it.each([
    ["inheriting everything", ""],
    ["under only-env = []", "only-env = [], "],
    ["under an only-env that lists it", 'only-env = ["GC_TOKEN"], '],
  ])("reaches its own command alone, one trailing newline removed: %s", async (_what, onlyEnv) => {
    const token = secretFile(`${VALUE}\n`);
    // The neighbour goes first: app's run exits at once, which ends the run.
    const done = await run(`
[[processes]]
name = "neighbour"
pre = { command = ${show("neighbour")} }
post = { command = ${show("neighbour-post")} }

[[processes]]
name = "app"
pre = { command = ${show("app-pre")} }
run = { ${onlyEnv}command = ${show("app-run")}, secrets = { GC_TOKEN = "${token}" } }
post = { command = ${show("app-post")} }
`);
    expect(done.code).toBe(0);
    expect(done.transcript).toEqual([
      "neighbour:unset:",
      "app-pre:unset:",
      `app-run:${VALUE}:`,
      "app-post:unset:",
      "neighbour-post:unset:",
    ]);
    expect(done.stdout + done.stderr).not.toContain(VALUE);
  });

  it("loses a trailing CRLF, and nothing else", async () => {
    const token = secretFile(`${VALUE}\r\n`);
    const done = await run(`
[[processes]]
name = "app"
run = { command = ["/bin/sh", "-c", "printf '[%s]' \\"$GC_TOKEN\\" >> {results}"], secrets = { GC_TOKEN = "${token}" } }
`);
    expect(done.code).toBe(0);
    expect(done.transcript).toEqual([`[${VALUE}]`]);
  });

  it("is not a {{VAR}}: {{GC_TOKEN}} is an unknown variable", async () => {
    const token = secretFile();
    const done = await run(`
[[processes]]
name = "app"
run = { command = ["/bin/echo", "{{GC_TOKEN}}"], secrets = { GC_TOKEN = "${token}" } }
`);
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(
      /startup aborted: run command of process "app": unknown variable "GC_TOKEN" in \{\{GC_TOKEN\}\}/,
    );
    expect(done.stdout + done.stderr).not.toContain(VALUE);
  });

  it("is not a {{VAR}}: {{GC_TOKEN}} is the environment's, the command's variable the secret", async () => {
    const token = secretFile();
    const done = await run(
      `
[[processes]]
name = "app"
run = { command = ["/bin/sh", "-c", "echo \\"{{GC_TOKEN}} $GC_TOKEN\\" >> {results}"], secrets = { GC_TOKEN = "${token}" } }
`,
      { ...ENV, GC_TOKEN: "from-the-environment" },
    );
    expect(done.code).toBe(0);
    expect(done.transcript).toEqual([`from-the-environment ${VALUE}`]);
  });

  it.each([
    ["pre", `pre = { command = "true", secrets = { GC_TOKEN = "{missing}" } }\nrun = "sleep 60"`],
    ["run", `run = { command = "sleep 60", secrets = { GC_TOKEN = "{missing}" } }`],
    [
      "ready",
      `run = "sleep 60"\nready = { command = { command = "true", secrets = { GC_TOKEN = "{missing}" } } }`,
    ],
  ])(
    "that is missing fails startup (exit 1), naming process, phase, variable and path: %s",
    async (phase, keys) => {
      const missing = join(dir, "no-such-secret");
      const done = await run(`
[[processes]]
name = "first"
run = ["/bin/sh", "-c", "exec sleep 60"]
post = ["/bin/sh", "-c", "echo first-post >> {results}"]

[[processes]]
name = "app"
${keys.replaceAll("{missing}", missing)}
`);
      expect(done.code).toBe(1);
      // The ready command speaks as the process's run command.
      const named = phase === "ready" ? "run" : phase;
      expect(done.stderr).toContain(
        `${named} command of process "app": secret "GC_TOKEN": cannot read "${missing}": no such file`,
      );
      expect(done.stderr).toMatch(/startup aborted/);
      expect(done.transcript).toEqual(["first-post"]);
    },
  );

  it.each([
    ["a NUL byte", Buffer.from(`${VALUE}\0\n`), "holds a NUL byte"],
    [
      "bytes that are not UTF-8",
      Buffer.concat([Buffer.from(VALUE), Buffer.from([0xff])]),
      "is not valid UTF-8",
    ],
  ])("with %s fails startup without printing the value", async (_what, content, problem) => {
    const token = secretFile(content);
    const done = await run(`
[[processes]]
name = "app"
run = { command = "sleep 60", secrets = { GC_TOKEN = "${token}" } }
`);
    expect(done.code).toBe(1);
    expect(done.stderr).toContain(
      `run command of process "app": secret "GC_TOKEN": "${token}" ${problem}`,
    );
    expect(done.stdout + done.stderr).not.toContain(VALUE);
  });

  it("in a file every user may read works, with a warning naming the file", async () => {
    const token = secretFile(`${VALUE}\n`, 0o644);
    const done = await run(`
[[processes]]
name = "app"
run = { command = ${show("app")}, secrets = { GC_TOKEN = "${token}" } }
`);
    expect(done.code).toBe(0);
    expect(done.transcript).toEqual([`app:${VALUE}:`]);
    expect(done.stderr).toContain(
      `run command of process "app": secret "GC_TOKEN": "${token}" is readable by every user (mode 0644); make it 0400 or 0440`,
    );
    expect(done.stdout + done.stderr).not.toContain(VALUE);
  });

  it("is read again when its run is restarted", async () => {
    const token = secretFile("first\n");
    await withScenario(
      `
[[processes]]
name = "app"
run = { command = ["/bin/sh", "-c", "echo token:$GC_TOKEN >> {results}; until [ -e {dir}/go ]; do sleep 0.01; done; rm {dir}/go; exit 1"], secrets = { GC_TOKEN = "${token}" } }
restart = { on = "failure", max = 3, backoff = "10ms" }
`,
      async (s) => {
        await s.waitForTranscript("token:first");
        writeFileSync(token, "second\n");
        writeFileSync(join(s.dir, "go"), "");
        await s.waitForTranscript("token:second");
        s.signal("SIGTERM");
        const done = await s.finished;
        expect(done.code).toBe(0);
        expect(s.transcriptLines()).toEqual(["token:first", "token:second"]);
        expect(done.stderr).toMatch(/process "app" exited: exit code 1; restart 1 in 10ms/);
      },
      { env: ENV },
    );
  });

  it("gone when its run is restarted fails that restart, within the budget", async () => {
    const token = secretFile("first\n");
    await withScenario(
      `
[[processes]]
name = "app"
run = { command = ["/bin/sh", "-c", "echo token:$GC_TOKEN >> {results}; exit 3"], secrets = { GC_TOKEN = "${token}" } }
restart = { on = "failure", max = 2, backoff = "300ms" }
`,
      async (s) => {
        await s.waitForTranscript("token:first");
        rmSync(token);
        const done = await s.finished;
        expect(done.code).toBe(1);
        expect(s.transcriptLines()).toEqual(["token:first"]);
        expect(done.stderr).toMatch(
          /process "app" exited: could not start: run command of process "app": secret "GC_TOKEN": cannot read "[^"]+": no such file; restart 2 in 600ms/,
        );
        expect(done.stderr).toMatch(/shutting down: process "app" used up its restart budget/);
      },
      { env: ENV },
    );
  });
});

describe.runIf(canSwitchUsers)("a secret for a command run as another user", () => {
  let users: TestUsers;
  beforeAll(() => {
    users = createTestUsers();
  });
  afterAll(() => users.remove());

  it("is read by Ground Control, so the user needs no access to the file", async () => {
    const token = secretFile(`${VALUE}\n`, 0o600);
    const done = await run(`
suppress_timestamps = true

[[processes]]
name = "app"
run = { user = "${users.loner}", only-env = [], command = ["/bin/sh", "-c", "id -u; echo token:$GC_TOKEN; cat ${token} || echo denied"], secrets = { GC_TOKEN = "${token}" } }
`);
    expect(done.code).toBe(0);
    const [uid, seen, direct] = linesOf(done.stdout, "app");
    expect(Number(uid)).toBe(users.uid(users.loner));
    expect(seen).toBe(`token:${VALUE}`);
    expect(direct).toBe("denied");
  });
});

describe("--check and secrets", () => {
  it("lists each secret's name and file, in text and JSON, without reading it", async () => {
    const token = secretFile();
    const config = join(dir, "check.toml");
    const missing = join(dir, "not-there");
    writeFileSync(
      config,
      `[[processes]]
name = "app"
run = { command = "app", only-env = [], secrets = { GC_TOKEN = "${token}", OTHER = "${missing}" } }
`,
    );
    const text = await runCli(["--check", config]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `env: only PATH + secrets GC_TOKEN from ${token}, OTHER from ${missing}`,
    );
    const json = await runCli(["--check", "--json", config]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).startup[0].phases[0].env.secrets).toEqual([
      { name: "GC_TOKEN", path: token },
      { name: "OTHER", path: missing },
    ]);
    expect(text.stdout + text.stderr + json.stdout + json.stderr).not.toContain(VALUE);
  });
});
