// Every command form (string, array, table) and how each is normalised or rejected.
import { describe, expect, it } from "vitest";
import { firstProcess, oneIssue, processWith } from "./helpers.js";

const RUN_ME = { program: "/app/run-me.sh", args: ["using", "these", "args"] };

describe("command forms accepted by the original Ground Control", () => {
  it("splits a whitespace-separated command line", () => {
    const process = firstProcess(processWith(`run = "/app/run-me.sh using these args"`));
    expect(process.run).toEqual(RUN_ME);
  });

  it("takes a command vector as the argv", () => {
    const process = firstProcess(processWith(`run = ["/app/run-me.sh", "using", "these", "args"]`));
    expect(process.run).toEqual(RUN_ME);
  });

  it("takes a table whose command is a string, with and without user", () => {
    expect(
      firstProcess(processWith(`run = { command = "/app/run-me.sh using these args" }`)).run,
    ).toEqual(RUN_ME);
    const withUser = processWith(
      `run = { user = "app", command = "/app/run-me.sh using these args" }`,
    );
    expect(firstProcess(withUser).run).toEqual({ ...RUN_ME, user: "app" });
  });

  it("takes a table whose command is a vector, with user and only-env", () => {
    const empty = processWith(
      `run = { user = "app", only-env = [], command = ["/app/run-me.sh", "using", "these", "args"] }`,
    );
    expect(firstProcess(empty).run).toEqual({ ...RUN_ME, user: "app", onlyEnv: [] });
    const some = processWith(
      `run = { user = "app", only-env = ["USER", "HOME"], command = ["/app/run-me.sh", "using", "these", "args"] }`,
    );
    expect(firstProcess(some).run).toEqual({ ...RUN_ME, user: "app", onlyEnv: ["USER", "HOME"] });
  });

  it("takes the expanded (dotted-key) table form", () => {
    const text = processWith(
      [
        'pre.user = "nobody"',
        "pre.only-env = []",
        'pre.command = [ "/bin/echo", "-n", "Hello {{USER}}!" ]',
      ].join("\n"),
    );
    expect(firstProcess(text).pre).toEqual({
      program: "/bin/echo",
      args: ["-n", "Hello {{USER}}!"],
      user: "nobody",
      onlyEnv: [],
    });
  });

  it("takes a table written under its own [processes.run] header", () => {
    const text = `[[processes]]\nname = "app"\n[processes.run]\ncommand = "srv --port 80"\ncwd = "/srv"\n`;
    expect(firstProcess(text).run).toEqual({ program: "srv", args: ["--port", "80"], cwd: "/srv" });
  });

  it("rejects a table without command, naming the missing key", () => {
    expect(oneIssue(processWith("run = { }"))).toBe(
      '3:1 processes[0].run.command: missing required key "command"',
    );
    expect(oneIssue(processWith('run = { user = "app" }'))).toBe(
      '3:1 processes[0].run.command: missing required key "command"',
    );
  });
});

describe("extensions of the command table", () => {
  it("takes per-command env and cwd", () => {
    const text = processWith(
      `run = { command = "srv", env = { PORT = "80", MODE = "prod" }, cwd = "{{HOME}}/app" }`,
    );
    expect(firstProcess(text).run).toEqual({
      program: "srv",
      args: [],
      env: { PORT: "80", MODE: "prod" },
      cwd: "{{HOME}}/app",
    });
  });

  it("keeps only-env in order and drops repeated names", () => {
    const text = processWith(`run = { command = "srv", only-env = ["B", "A", "B"] }`);
    expect(firstProcess(text).run?.onlyEnv).toEqual(["B", "A"]);
  });

  it.each([
    ["name", "app"],
    ["uid", "1000"],
    ["name:group", "app:staff"],
    ["uid:gid", "1000:1000"],
  ])("takes a user in %s form", (_form, user) => {
    expect(firstProcess(processWith(`run = { command = "srv", user = "${user}" }`)).run?.user).toBe(
      user,
    );
  });
});

describe("command rejections", () => {
  it.each([
    ['run = ""', "3:1 processes[0].run: empty command"],
    ['run = "   "', "3:1 processes[0].run: empty command"],
    ["run = []", "3:1 processes[0].run: empty command: the array needs at least the program"],
    ['run = ["", "x"]', "3:1 processes[0].run: the program name is empty"],
    ['run = "\\"\\" x"', "3:1 processes[0].run: the program name is empty"],
    [
      'run = "echo \'oops"',
      "3:1 processes[0].run: unterminated single quote (opened at character 6)",
    ],
    [
      "run = 'echo \"oops'",
      "3:1 processes[0].run: unterminated double quote (opened at character 6)",
    ],
    ["run = 'echo oops\\'", "3:1 processes[0].run: command ends with a lone backslash"],
  ])("%s", (line, expected) => {
    expect(oneIssue(processWith(line))).toBe(expected);
  });

  it("names the array item that is not a string", () => {
    expect(oneIssue(processWith('run = ["srv", 80]'))).toBe(
      "3:15 processes[0].run[1]: expected a string, got an integer",
    );
  });

  it("rejects a value of the wrong type with the forms it may take", () => {
    expect(oneIssue(processWith("post = 5"))).toBe(
      "3:1 processes[0].post: expected a command: a string, an array of strings, or a table with `command`, got an integer",
    );
    expect(oneIssue(processWith("pre = true"))).toBe(
      "3:1 processes[0].pre: expected a command: a string, an array of strings, or a table with `command`, got a boolean",
    );
  });

  it("rejects only-env that is not an array of names", () => {
    expect(oneIssue(processWith('run = { command = "srv", only-env = "HOME" }'))).toBe(
      "3:26 processes[0].run.only-env: expected an array of variable names, got a string",
    );
    expect(oneIssue(processWith('run = { command = "srv", only-env = ["A=B"] }'))).toBe(
      "3:38 processes[0].run.only-env[0]: expected a variable name (not empty, no '='), got a string",
    );
  });

  it("rejects unknown keys in a command table, suggesting the likely one", () => {
    expect(oneIssue(processWith('run = { command = "srv", only_env = [] }'))).toBe(
      '3:26 processes[0].run.only_env: unknown key "only_env" (did you mean "only-env"?); expected one of: command, user, only-env, env, cwd, secrets',
    );
  });

  it("rejects env values that are not strings", () => {
    expect(oneIssue(processWith('run = { command = "srv", env = { PORT = 80 } }'))).toBe(
      "3:34 processes[0].run.env.PORT: expected a string (quote the value), got an integer",
    );
  });

  it.each([
    ["has spaces", "app user", "a string"],
    ["has two colons", "a:b:c", "a string"],
    ["is empty", "", "an empty string"],
  ])("rejects a user that %s", (_why, user, got) => {
    expect(oneIssue(processWith(`run = { command = "srv", user = "${user}" }`))).toBe(
      `3:26 processes[0].run.user: expected a user: "name", "uid", "name:group" or "uid:gid", got ${got}`,
    );
  });

  it("rejects an empty cwd", () => {
    expect(oneIssue(processWith('run = { command = "srv", cwd = "" }'))).toBe(
      "3:26 processes[0].run.cwd: expected a directory path, got an empty string",
    );
  });
});

describe("secrets", () => {
  it.each([
    ["pre", 'pre = { command = "srv", secrets = { TOKEN = "/run/secrets/token" } }', "pre"],
    ["run", 'run = { command = "srv", secrets = { TOKEN = "/run/secrets/token" } }', "run"],
    ["post", 'post = { command = "srv", secrets = { TOKEN = "/run/secrets/token" } }', "post"],
  ] as const)("takes a secrets table in %s", (_key, line, key) => {
    expect(firstProcess(processWith(line))[key]).toEqual({
      program: "srv",
      args: [],
      secrets: { TOKEN: "/run/secrets/token" },
    });
  });

  it("takes secrets in a stop command and a ready command, under only-env = []", () => {
    const process = firstProcess(
      processWith(`run = "srv"
stop = { command = "ctl stop", only-env = [], secrets = { KEY = "key.txt" } }
ready = { command = { command = "ctl ping", secrets = { KEY = "key.txt" } } }`),
    );
    expect(process.stop).toEqual({
      kind: "command",
      command: { program: "ctl", args: ["stop"], onlyEnv: [], secrets: { KEY: "key.txt" } },
    });
    expect(process.ready?.check).toEqual({
      kind: "command",
      command: { program: "ctl", args: ["ping"], secrets: { KEY: "key.txt" } },
    });
  });

  it("takes the table under its own header", () => {
    const text = `[[processes]]\nname = "app"\n[processes.run]\ncommand = "srv"\n[processes.run.secrets]\nA = "/a"\nB = "/b"\n`;
    expect(firstProcess(text).run?.secrets).toEqual({ A: "/a", B: "/b" });
  });

  it.each([
    [
      'secrets = "/run/secrets/token"',
      '3:26 processes[0].run.secrets: expected a table of variables and the files to read them from, such as { API_KEY = "/run/secrets/api-key" }, got a string',
    ],
    [
      "secrets = { TOKEN = 5 }",
      "3:38 processes[0].run.secrets.TOKEN: expected a file path, got an integer",
    ],
    [
      'secrets = { TOKEN = "" }',
      "3:38 processes[0].run.secrets.TOKEN: expected a file path, got an empty string",
    ],
    [
      'secrets = { TOKEN = "/run/\\u0000" }',
      "3:38 processes[0].run.secrets.TOKEN: a NUL byte (\\u0000) cannot be passed to a program",
    ],
    [
      'secrets = { "A=B" = "/run/a" }',
      `3:38 processes[0].run.secrets."A=B": expected a variable name (not empty, no '='), got a string`,
    ],
    [
      'secrets = { __proto__ = "/run/a" }',
      '3:38 processes[0].run.secrets.__proto__: unsupported variable name "__proto__"',
    ],
    [
      'env = { TOKEN = "x" }, secrets = { TOKEN = "/run/a" }',
      '3:61 processes[0].run.secrets.TOKEN: "TOKEN" is also in this command\'s env: give it one value, from env or from a secret file',
    ],
  ])("rejects %s, naming line and key", (keys, expected) => {
    expect(oneIssue(processWith(`run = { command = "srv", ${keys} }`))).toBe(expected);
  });
});
