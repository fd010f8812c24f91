// The executable as a black box: --check, --json, --print-schema, --version, --help, usage errors.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Running } from "./helpers/running.js";
import { CLI_PATH, runCli, STACK_FRAME } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "gc-cli-"));
const VALID =
  '[env]\nAPI_KEY = "sk-live-123"\n[[processes]]\nname = "web"\nrun = "node server.js"\nready.http = "http://127.0.0.1:3000/"\n';
const INVALID =
  '[[processes]]\nname = "web"\nrun = "node server.js"\nstop = "SIGBOGUS"\n\n[[processes]]\nname = "web"\n';
const validFile = join(dir, "valid.toml");
const invalidFile = join(dir, "invalid.toml");
writeFileSync(validFile, VALID);
writeFileSync(invalidFile, INVALID);

describe("groundcontrol --check", () => {
  it("prints the plan and exits 0 for a valid file, naming variables but not their values", async () => {
    const result = await runCli(["--check", validFile]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain(`${validFile}: valid (1 process)`);
    expect(result.stdout).toContain(
      "ready when http http://127.0.0.1:3000/ (timeout 1m, every 100ms)",
    );
    expect(result.stdout).toContain("[env] API_KEY");
    expect(result.stdout).not.toContain("sk-live-123");
  });

  it("prints the plan as JSON with --json", async () => {
    const result = await runCli(["--check", "--json", validFile]);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.startup[0].phases[0]).toEqual({
      phase: "run",
      argv: ["node", "server.js"],
      user: null,
      cwd: null,
      env: { inheritsAll: true, onlyEnv: null, envTable: ["API_KEY"], commandEnv: [] },
      ready: {
        check: "http",
        target: "http://127.0.0.1:3000/",
        command: null,
        timeoutMs: 60_000,
        intervalMs: 100,
      },
      forwardSignals: ["SIGHUP", "SIGUSR1", "SIGUSR2"],
      restart: null,
      health: null,
      notify: null,
    });
  });

  it("reports every problem on stderr with file:line:column and exits 2, without a stack trace", async () => {
    const result = await runCli(["--check", invalidFile]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        `${invalidFile}: invalid config (2 problems)`,
        `${invalidFile}:4:1: processes[0].stop: unknown signal "SIGBOGUS": expected a standard signal such as SIGTERM, SIGINT, SIGQUIT or SIGHUP`,
        `${invalidFile}:7:1: processes[1].name: duplicate process name "web" (first used by processes[0])`,
        "",
      ].join("\n"),
    );
  });

  it("prints the issues as JSON on stdout with --json, and the report on stderr", async () => {
    const result = await runCli(["--check", "--json", invalidFile]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      valid: false,
      issues: [{ line: 4 }, { line: 7 }],
    });
    expect(result.stderr).toContain("invalid config (2 problems)");
  });

  it("shows the TOML code frame for a syntax error", async () => {
    const file = join(dir, "syntax.toml");
    writeFileSync(file, '[[processes]]\nname = "a\n');
    const result = await runCli(["--check", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(
        `${file}:2:\\d+: TOML syntax error: .+\\n {4}1: {2}\\[\\[processes\\]\\]\\n {4}2: {2}name = "\\*`,
      ),
    );
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it("exits 2 for a missing file, naming it", async () => {
    const result = await runCli(["--check", join(dir, "missing.toml")]);
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toContain(
      `${join(dir, "missing.toml")}: cannot read the config file: no such file`,
    );
  });

  it("finds the config through $GROUNDCONTROL_CONFIG, then ./groundcontrol.toml", async () => {
    const viaEnv = await runCli(["--check"], {
      env: { ...process.env, GROUNDCONTROL_CONFIG: validFile },
    });
    expect(viaEnv.stdout).toContain(`${validFile}: valid`);
    const cwd = mkdtempSync(join(tmpdir(), "gc-cwd-"));
    writeFileSync(join(cwd, "groundcontrol.toml"), VALID);
    const viaCwd = await runCli(["--check"], {
      cwd,
      env: { ...process.env, GROUNDCONTROL_CONFIG: "" },
    });
    expect(viaCwd.code).toBe(0);
    expect(viaCwd.stdout).toContain("./groundcontrol.toml: valid");
  });

  it("takes a path that starts with - after --", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "gc-dash-"));
    writeFileSync(join(cwd, "-odd.toml"), VALID);
    const result = await runCli(["--check", "--", "-odd.toml"], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("-odd.toml: valid");
  });
});

describe("other actions", () => {
  it("--print-schema prints the checked-in JSON Schema", async () => {
    const result = await runCli(["--print-schema"]);
    expect(result.code).toBe(0);
    const checkedIn = readFileSync(
      new URL("../../config/schema/groundcontrol.schema.json", import.meta.url),
      "utf8",
    );
    expect(result.stdout).toBe(checkedIn);
  });

  it("--version prints the package version", async () => {
    const { version } = JSON.parse(
      readFileSync(new URL("../package.json", import.meta.url), "utf8"),
    );
    expect(await runCli(["--version"])).toEqual({
      code: 0,
      stdout: `groundcontrol ${version} (Node ${process.version})\n`,
      stderr: "",
    });
  });

  it("--help prints the usage", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage:\n {2}groundcontrol \[CONFIG\]/);
    expect(result.stdout).toContain("groundcontrol --check [--json] [--strict] [CONFIG]");
  });

  it.each([
    [["--bogus"], 'groundcontrol: unknown option "--bogus"'],
    [["--json"], "groundcontrol: --json goes with --check"],
    [["a.toml", "b.toml"], "groundcontrol: expected one config file, got 2: a.toml b.toml"],
  ])("%j is a usage error: exit 2", async (args, message) => {
    expect(await runCli(args)).toEqual({
      code: 2,
      stdout: "",
      stderr: `${message}\nTry 'groundcontrol --help'.\n`,
    });
  });
});

// What only the image can answer, checked where the image is built.
describe("groundcontrol --check --strict", () => {
  const strictDir = mkdtempSync(join(tmpdir(), "gc-strict-"));
  const file = join(strictDir, "groundcontrol.toml");
  writeFileSync(
    file,
    `[[processes]]
name = "db"
run = { user = "postgre-no-such-user", command = "postgres -D /data" }

[[processes]]
name = "app"
run = { command = ["no-such-program-gc", "serve"], cwd = "/no/such/dir" }

[[processes]]
name = "ok"
pre = "true"
run = { user = "root:root", command = ["/bin/sleep", "1"], cwd = "/" }
post = "{{TOOL}} cleanup"
`,
  );

  it("passes plain --check: the file itself is fine", async () => {
    expect((await runCli(["--check", file])).code).toBe(0);
  });

  it("fails naming the unknown user, the missing program and the missing cwd, with their lines", async () => {
    const result = await runCli(["--check", "--strict", file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        `${file}: not usable in this image (3 problems)`,
        `${file}:3:9: processes[0].run.user: unknown user "postgre-no-such-user": no such name in /etc/passwd`,
        `${file}:7:1: processes[1].run: program "no-such-program-gc" not found on PATH`,
        `${file}:7:52: processes[1].run.cwd: cwd "/no/such/dir" does not exist`,
        "",
      ].join("\n"),
    );
  });

  it("gives the same problems as JSON with --json", async () => {
    const result = await runCli(["--check", "--strict", "--json", file]);
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout);
    expect(report.valid).toBe(false);
    expect(report.issues.map((issue: { path: string }) => issue.path)).toEqual([
      "processes[0].run.user",
      "processes[1].run",
      "processes[1].run.cwd",
    ]);
  });
});

// An API key in [env] next to a typo: the error must say where, never what the key is.
describe("a value from the config file is never printed", () => {
  const SECRET = "sk-live-4f9a8b7c6d5e";
  const secretDir = mkdtempSync(join(tmpdir(), "gc-secret-"));
  const typo = join(secretDir, "typo.toml");
  writeFileSync(
    typo,
    `[env]\nAPI_KEY = "${SECRET}"\nPORT = \n\n[[processes]]\nname = "a"\nrun = "true"\n`,
  );
  const wrongType = join(secretDir, "wrong-type.toml");
  writeFileSync(wrongType, `[env]\nPORT = 98765432\n\n[[processes]]\nname = "a"\nrun = "true"\n`);
  const nul = join(secretDir, "nul.toml");
  writeFileSync(
    nul,
    `[env]\nAPI_KEY = "${SECRET}\\u0000"\n\n[[processes]]\nname = "a"\nrun = "true"\n`,
  );

  it.each([
    ["--check", ["--check", typo], SECRET],
    ["--check --json", ["--check", "--json", typo], SECRET],
    ["a run", [typo], SECRET],
    ["a wrong type", ["--check", wrongType], "98765432"],
    ["a NUL byte", [nul], SECRET],
  ])("%s", async (_what, args, value) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid config/);
    expect(result.stdout + result.stderr).not.toContain(value);
  });

  it("break glass, which logs the broken config's errors", async () => {
    const running = new Running([process.execPath, CLI_PATH, typo], {
      env: { ...process.env, BREAK_GLASS: "1", NO_COLOR: "1" },
    });
    await running.waitFor(/unset BREAK_GLASS/);
    running.kill("SIGTERM");
    const done = await running.finished;
    expect(done.stderr).toMatch(/TOML syntax error/);
    expect(done.stdout + done.stderr).not.toContain(SECRET);
  });
});
