// The argv parser: every action, the config path defaults, and every usage error.
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, parseArgs } from "../src/args.js";

const noEnv = {};

describe("parseArgs", () => {
  it.each([
    [[], { kind: "run", config: DEFAULT_CONFIG }],
    [["app.toml"], { kind: "run", config: "app.toml" }],
    [["--check"], { kind: "check", config: DEFAULT_CONFIG, json: false, strict: false }],
    [["--check", "app.toml"], { kind: "check", config: "app.toml", json: false, strict: false }],
    [["app.toml", "--check"], { kind: "check", config: "app.toml", json: false, strict: false }],
    [
      ["--check", "--json", "app.toml"],
      { kind: "check", config: "app.toml", json: true, strict: false },
    ],
    [["--json", "--check"], { kind: "check", config: DEFAULT_CONFIG, json: true, strict: false }],
    [["--print-schema"], { kind: "print-schema" }],
    [["--version"], { kind: "version" }],
    [["-V"], { kind: "version" }],
    [["--help"], { kind: "help" }],
    [["-h"], { kind: "help" }],
    [["--", "--check"], { kind: "run", config: "--check" }],
    [
      ["--check", "--", "-weird.toml"],
      { kind: "check", config: "-weird.toml", json: false, strict: false },
    ],
    [["-"], { kind: "run", config: "-" }],
    [["--check", "--strict"], { kind: "check", config: DEFAULT_CONFIG, json: false, strict: true }],
    [["status"], { kind: "status", json: false, ready: false, socket: undefined }],
    [
      ["status", "--json", "--ready"],
      { kind: "status", json: true, ready: true, socket: undefined },
    ],
    [
      ["status", "--socket", "/x.sock"],
      { kind: "status", json: false, ready: false, socket: "/x.sock" },
    ],
    [
      ["status", "--socket=/x.sock"],
      { kind: "status", json: false, ready: false, socket: "/x.sock" },
    ],
    [["./status"], { kind: "run", config: "./status" }],
    [
      ["status", "app.toml"],
      {
        kind: "usage-error",
        message: 'status takes no config file (got "app.toml"): it asks the running Ground Control',
      },
    ],
    [["status", "--socket"], { kind: "usage-error", message: "--socket takes a path" }],
    [
      ["status", "--check"],
      { kind: "usage-error", message: 'unknown option "--check" for status' },
    ],
  ])("%j", (argv, action) => {
    expect(parseArgs(argv, noEnv)).toEqual(action);
  });

  it.each([
    [["--check", "--platform", "fly"], { platform: "fly" }],
    [["--check", "--platform=kubernetes", "app.toml"], { platform: "kubernetes" }],
    [["--platform", "docker", "--check", "--json"], { platform: "docker" }],
    [["--check", "--kill-timeout", "25s"], { ms: 25_000 }],
    [["--check", "--kill-timeout=1.5s"], { ms: 1_500 }],
    [["--check", "--kill-timeout", "30"], { ms: 30_000 }],
    [["--check", "--kill-timeout", "2m", "--strict"], { ms: 120_000 }],
  ])("%j: a kill timeout for --check", (argv, killTimeout) => {
    expect(parseArgs(argv, noEnv)).toMatchObject({ kind: "check", killTimeout });
  });

  it("takes the word after --platform as its value, not as the config", () => {
    expect(parseArgs(["--check", "--platform", "fly", "app.toml"], noEnv)).toEqual({
      kind: "check",
      config: "app.toml",
      json: false,
      strict: false,
      killTimeout: { platform: "fly" },
    });
  });

  it("takes the config path from $GROUNDCONTROL_CONFIG when no argument names one", () => {
    const env = { GROUNDCONTROL_CONFIG: "/etc/gc.toml" };
    expect(parseArgs([], env)).toEqual({ kind: "run", config: "/etc/gc.toml" });
    expect(parseArgs(["--check"], env)).toEqual({
      kind: "check",
      config: "/etc/gc.toml",
      json: false,
      strict: false,
    });
    expect(parseArgs(["mine.toml"], env)).toEqual({ kind: "run", config: "mine.toml" });
  });

  it("ignores an empty $GROUNDCONTROL_CONFIG", () => {
    expect(parseArgs([], { GROUNDCONTROL_CONFIG: "" })).toEqual({
      kind: "run",
      config: DEFAULT_CONFIG,
    });
  });

  it.each([
    [["--bogus"], 'unknown option "--bogus"'],
    [["-x", "app.toml"], 'unknown option "-x"'],
    [["--check=app.toml"], 'unknown option "--check=app.toml"'],
    [["--json"], "--json goes with --check"],
    [["--strict", "a.toml"], "--strict goes with --check"],
    [["--json", "app.toml"], "--json goes with --check"],
    [["--check", "--print-schema"], "--check and --print-schema cannot be used together"],
    [["--version", "--help"], "--version and --help cannot be used together"],
    [["--check", "--check"], "--check and --check cannot be used together"],
    [["a.toml", "b.toml"], "expected one config file, got 2: a.toml b.toml"],
    [["--print-schema", "a.toml"], "--print-schema takes no config file"],
    [["--version", "a.toml"], "--version takes no config file"],
    [[""], "the config file path is empty"],
    [["--platform", "fly"], "--platform goes with --check"],
    [["--kill-timeout", "5s", "app.toml"], "--kill-timeout goes with --check"],
    [["--version", "--platform=fly"], "--platform goes with --check"],
    [["--check", "--platform"], "--platform needs a value"],
    [["--check", "--platform="], "--platform needs a value"],
    [["--check", "--platform", "--json"], "--platform needs a value"],
    [["--check", "--kill-timeout"], "--kill-timeout needs a value"],
    [
      ["--check", "--platform", "heroku"],
      'unknown platform "heroku": expected one of fly, docker, kubernetes',
    ],
    [
      ["--check", "--platform", "Fly"],
      'unknown platform "Fly": expected one of fly, docker, kubernetes',
    ],
    [
      ["--check", "--kill-timeout", "soon"],
      '--kill-timeout: expected a duration such as "250ms", "10s", "2m" or a number of seconds',
    ],
    [
      ["--check", "--kill-timeout", "0s"],
      '--kill-timeout: expected a duration such as "250ms", "10s", "2m" or a number of seconds, longer than 0',
    ],
    [
      ["--check", "--platform", "fly", "--kill-timeout", "5s"],
      "--platform and --kill-timeout cannot be used together",
    ],
    [["--check", "--platform", "fly", "--platform", "docker"], "--platform is given twice"],
  ])("rejects %j", (argv, message) => {
    expect(parseArgs(argv, noEnv)).toEqual({ kind: "usage-error", message });
  });
});
