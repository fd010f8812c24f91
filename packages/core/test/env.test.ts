// Environment building and {{VAR}} expansion: pure functions, no processes.
import { describe, expect, it } from "vitest";
import {
  baseEnvironment,
  commandEnvironment,
  DEFAULT_PATH,
  envKeysFor,
  expand,
  expandCommand,
  MissingVariableError,
} from "../src/env.js";

describe("baseEnvironment", () => {
  it("is the inherited environment with [env] on top", () => {
    expect(baseEnvironment({ A: "1", B: "2", GONE: undefined }, { B: "two", C: "3" })).toEqual({
      A: "1",
      B: "two",
      C: "3",
    });
  });

  it("takes Ground Control's own tracing out of DEBUG, and keeps everyone else's", () => {
    expect(baseEnvironment({ DEBUG: "groundcontrol:*" })).toEqual({});
    expect(baseEnvironment({ DEBUG: "groundcontrol" })).toEqual({});
    expect(baseEnvironment({ DEBUG: "groundcontrol:reaper,express:*" })).toEqual({
      DEBUG: "express:*",
    });
    expect(baseEnvironment({ DEBUG: "-groundcontrol:output, app" })).toEqual({ DEBUG: "app" });
    expect(baseEnvironment({ DEBUG: "groundcontroller" })).toEqual({ DEBUG: "groundcontroller" });
  });

  it("lets [env] set DEBUG for the commands on purpose", () => {
    expect(baseEnvironment({ DEBUG: "groundcontrol:*" }, { DEBUG: "groundcontrol:*" })).toEqual({
      DEBUG: "groundcontrol:*",
    });
  });
});

describe("expand", () => {
  const vars = { NAME: "world", EMPTY: "", TRICKY: "a b {{NAME}} $HOME" };

  it.each([
    ["hello {{NAME}}", "hello world"],
    ["{{ NAME }}!", "world!"],
    ["{{\tNAME\t}}", "world"],
    ["[{{EMPTY}}]", "[]"],
    ["{{NAME}}{{NAME}}", "worldworld"],
    ["no placeholders", "no placeholders"],
    ["{{ not a name }}", "{{ not a name }}"],
    ["{{9LIVES}}", "{{9LIVES}}"],
    ["{single}", "{single}"],
  ])("%s -> %s", (template, expected) => {
    expect(expand(template, vars)).toBe(expected);
  });

  it("puts a value in verbatim: no splitting, no re-expansion", () => {
    expect(expand("{{TRICKY}}", vars)).toBe("a b {{NAME}} $HOME");
  });

  it("names an unknown variable", () => {
    expect(() => expand("x {{MISSING}} y", vars)).toThrow(MissingVariableError);
    expect(() => expand("x {{MISSING}} y", vars)).toThrow(
      'unknown variable "MISSING" in {{MISSING}}',
    );
  });
});

describe("commandEnvironment", () => {
  const base = { PATH: "/bin", HOME: "/root", SECRET: "s", TOKEN: "t" };

  it("inherits everything without only-env", () => {
    expect(commandEnvironment({ program: "x", args: [] }, base)).toEqual(base);
  });

  it("only-env = [] gives PATH alone", () => {
    expect(commandEnvironment({ program: "x", args: [], onlyEnv: [] }, base)).toEqual({
      PATH: "/bin",
    });
  });

  it("only-env lets exactly the listed variables through, plus the command's own env", () => {
    expect(
      commandEnvironment(
        { program: "x", args: [], onlyEnv: ["TOKEN"], env: { MODE: "prod" } },
        base,
      ),
    ).toEqual({ PATH: "/bin", TOKEN: "t", MODE: "prod" });
  });

  it("a command's env overrides what it inherits", () => {
    expect(commandEnvironment({ program: "x", args: [], env: { HOME: "/app" } }, base).HOME).toBe(
      "/app",
    );
  });

  it("refuses an only-env variable that is not set", () => {
    expect(() => commandEnvironment({ program: "x", args: [], onlyEnv: ["NOPE"] }, base)).toThrow(
      'only-env lists "NOPE", which is not set',
    );
  });

  it("does not ask for an only-env variable that is one of the command's secrets", () => {
    const command = { program: "x", args: [], onlyEnv: ["NOPE"], secrets: { NOPE: "/run/s" } };
    expect(commandEnvironment(command, base)).toEqual({ PATH: "/bin" });
  });

  it("gives a sane PATH when Ground Control has none", () => {
    expect(commandEnvironment({ program: "x", args: [] }, {}).PATH).toBe(DEFAULT_PATH);
    expect(commandEnvironment({ program: "x", args: [], onlyEnv: [] }, {}).PATH).toBe(DEFAULT_PATH);
  });

  it("does not touch the base it was given", () => {
    const copy = { ...base };
    commandEnvironment({ program: "x", args: [], env: { HOME: "/app" } }, base);
    expect(base).toEqual(copy);
  });
});

describe("expandCommand", () => {
  it("expands the program, every argument and cwd, from the base (which only-env does not filter)", () => {
    const base = { BIN: "/usr/bin", DIR: "/data", SECRET: "hunter2" };
    expect(
      expandCommand(
        {
          program: "{{BIN}}/env",
          args: ["--dir={{DIR}}", "{{SECRET}}"],
          onlyEnv: [],
          cwd: "{{DIR}}/app",
        },
        base,
      ),
    ).toEqual({ argv: ["/usr/bin/env", "--dir=/data", "hunter2"], cwd: "/data/app" });
  });
});

describe("envKeysFor", () => {
  it("names the secrets and their files, and nothing read from them", () => {
    const command = {
      program: "x",
      args: [],
      onlyEnv: [],
      env: { MODE: "prod" },
      secrets: { TOKEN: "/run/secrets/token", KEY: "key.pem" },
    };
    expect(envKeysFor(command, ["REGION"])).toEqual({
      inheritsAll: false,
      onlyEnv: ["PATH"],
      envTable: [],
      commandEnv: ["MODE"],
      secrets: [
        { name: "TOKEN", path: "/run/secrets/token" },
        { name: "KEY", path: "key.pem" },
      ],
    });
    expect(envKeysFor({ program: "x", args: [] }, ["REGION"]).secrets).toEqual([]);
  });
});
