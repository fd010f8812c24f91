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
      env: {
        inheritsAll: true,
        onlyEnv: null,
        envTable: ["API_KEY"],
        commandEnv: [],
        secrets: [],
      },
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
    expect(result.stdout).toContain(
      "groundcontrol --check [--json] [--strict] [--platform P | --kill-timeout D] [CONFIG]",
    );
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

// Fly.io kills 5 s after its signal, Docker 10 s, Kubernetes 30 s: the shutdown must fit.
describe("groundcontrol --check with a kill timeout", () => {
  const budgetDir = mkdtempSync(join(tmpdir(), "gc-budget-"));
  const config = (name: string, runs: number, top = "") => {
    const file = join(budgetDir, name);
    const processes = Array.from(
      { length: runs },
      (_, i) => `[[processes]]\nname = "p${i}"\nrun = "sleep 60"\n`,
    );
    writeFileSync(file, `${top}${processes.join("\n")}`);
    return file;
  };
  const twoDefault = config("two.toml", 2);
  const twoWithDeadline = config("two-4s.toml", 2, 'shutdown-timeout = "4s"\n\n');
  const threeDefault = config("three.toml", 3);
  const withPost = join(budgetDir, "post.toml");
  writeFileSync(withPost, '[[processes]]\nname = "db"\nrun = "sleep 60"\npost = "true"\n');

  it.each([
    [
      "plain --check: the figure, and exit 0",
      [twoDefault],
      0,
      "Worst-case shutdown: 20s (the stop-timeouts, one after the other)\n",
    ],
    [
      "--platform fly: two default stop-timeouts do not fit in 5s",
      ["--platform", "fly", twoDefault],
      2,
      'does not fit in Fly.io\'s 5s kill timeout with 1s to spare\n  set shutdown-timeout = "4s"',
    ],
    [
      '--platform fly: shutdown-timeout = "4s" fits',
      ["--platform", "fly", twoWithDeadline],
      0,
      "Worst-case shutdown: 4s (the shutdown-timeout): fits in Fly.io's 5s kill timeout, 1s to spare\n",
    ],
    [
      "--platform kubernetes: two default stop-timeouts fit in 30s",
      ["--platform=kubernetes", twoDefault],
      0,
      "fits in Kubernetes's 30s kill timeout, 10s to spare",
    ],
    [
      "--kill-timeout 25s: three default stop-timeouts do not fit",
      ["--kill-timeout", "25s", threeDefault],
      2,
      'does not fit in the 25s kill timeout with 1s to spare\n  set shutdown-timeout = "24s"',
    ],
    [
      "--platform docker: a post without shutdown-timeout is unbounded",
      ["--platform", "docker", withPost],
      2,
      'Worst-case shutdown: unbounded (a post command has no time limit without shutdown-timeout): does not fit in Docker\'s 10s kill timeout with 1s to spare\n  set shutdown-timeout = "9s"',
    ],
  ])("%s", async (_what, args, code, shown) => {
    const result = await runCli(["--check", ...args]);
    expect(result.code).toBe(code);
    expect(result.stdout).toContain(shown);
    const file = args.at(-1)!;
    if (code === 0) expect(result.stderr).toBe("");
    else
      expect(result.stderr).toMatch(
        new RegExp(
          `^${file}: the (worst-case shutdown|shutdown is unbounded).* does not fit in .*: (set|lower) shutdown-timeout`,
        ),
      );
  });

  it("carries the figure in --check --json, and fails it the same way", async () => {
    const failing = await runCli(["--check", "--json", "--platform", "fly", twoDefault]);
    expect(failing.code).toBe(2);
    const plan = JSON.parse(failing.stdout);
    expect(plan.valid).toBe(true);
    expect(plan.shutdownBudget).toEqual({
      worstCaseMs: 20_000,
      bound: "stop-timeouts",
      platform: "fly",
      killTimeoutMs: 5_000,
      fits: false,
      advice: expect.stringMatching(/^set shutdown-timeout = "4s" \(1s under the kill timeout/),
    });
    expect(failing.stderr).toMatch(/does not fit in Fly\.io's 5s kill timeout/);
    const passing = await runCli(["--check", "--json", "--platform", "fly", twoWithDeadline]);
    expect(passing.code).toBe(0);
    expect(JSON.parse(passing.stdout).shutdownBudget).toEqual({
      worstCaseMs: 4_000,
      bound: "shutdown-timeout",
      platform: "fly",
      killTimeoutMs: 5_000,
      fits: true,
    });
    const plain = await runCli(["--check", "--json", withPost]);
    expect(JSON.parse(plain.stdout).shutdownBudget).toEqual({
      worstCaseMs: null,
      bound: "unbounded",
    });
  });

  it.each([
    [["--platform", "fly", twoDefault], "--platform goes with --check"],
    [
      ["--check", "--platform", "heroku", twoDefault],
      'unknown platform "heroku": expected one of fly, docker, kubernetes',
    ],
    [
      ["--check", "--platform", "fly", "--kill-timeout", "5s", twoDefault],
      "--platform and --kill-timeout cannot be used together",
    ],
  ])("%j is a usage error: exit 2", async (args, message) => {
    expect(await runCli(args)).toEqual({
      code: 2,
      stdout: "",
      stderr: `groundcontrol: ${message}\nTry 'groundcontrol --help'.\n`,
    });
  });
});
