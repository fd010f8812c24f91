// Environment: inherited by default, [env] on top, only-env to isolate, {{VAR}} expansion.
import { describe, expect, it } from "vitest";
import { withScenario } from "./helpers/harness.js";

const baseEnv = { PATH: "im_the_path", TESTVAR1: "one", TESTVAR2: "two", NO_COLOR: "1" };

async function transcriptOf(toml: string, env: NodeJS.ProcessEnv = baseEnv) {
  return withScenario(
    toml,
    async (s) => {
      const done = await s.finished;
      return { code: done.code, transcript: s.transcript(), stderr: done.stderr };
    },
    { env },
  );
}

/** A one-process config: `[env]` lines, then the process's own keys. */
const withEnv = (envTable: string, processKeys: string) => `
[env]
${envTable}

[[processes]]
name = "daemon"
${processKeys}
`;

const echo = (words: string) => `["/bin/sh", "-c", "echo ${words} >> {results}"]`;

describe("environment", () => {
  it.each([
    [
      "inherits every variable by default",
      "",
      `run = ${echo("$PATH $TESTVAR1 $TESTVAR2")}`,
      "im_the_path one two\n",
    ],
    [
      "[env] adds variables",
      'TESTVAR3 = "three"\nTESTVAR4 = "four"',
      `run = ${echo("$TESTVAR1 $TESTVAR2 $TESTVAR3 $TESTVAR4")}`,
      "one two three four\n",
    ],
    [
      "[env] overrides inherited variables",
      'TESTVAR2 = "too"',
      `run = ${echo("$TESTVAR1 $TESTVAR2")}`,
      "one too\n",
    ],
    [
      "expands {{VAR}} and {{ VAR }} from the environment and [env]",
      'TESTVAR3 = "three"\nTESTVAR4 = "four"',
      `run = ${echo("{{TESTVAR1}} $TESTVAR2 {{ TESTVAR3 }} $TESTVAR4")}`,
      "one two three four\n",
    ],
    [
      "keeps {{ VAR }} with spaces one argument in a command string",
      'SPACED = "a b"',
      `run = "/bin/sh -c 'printf [%s] \\"$@\\" >> {results}' sh {{ SPACED }} x{{ SPACED }}y"`,
      "[a b][xa by]",
    ],
    [
      "only-env = [] leaves PATH alone",
      'TESTVAR3 = "three"',
      `run = { only-env = [], command = ${echo("$PATH $TESTVAR1 $TESTVAR2 $TESTVAR3")} }`,
      "im_the_path\n",
    ],
    [
      "only-env lets the listed variables through, per command",
      'TESTVAR3 = "three"',
      `pre = { only-env = [], command = ${echo("pre: $PATH $TESTVAR1 $TESTVAR2 $TESTVAR3")} }
run = { only-env = ["TESTVAR2", "TESTVAR3"], command = ${echo("run: $PATH $TESTVAR1 $TESTVAR2 $TESTVAR3")} }`,
      "pre: im_the_path\nrun: im_the_path two three\n",
    ],
    [
      "expansion sees variables that only-env hides",
      "",
      `pre = { only-env = [], command = ${echo("pre: $PATH $TESTVAR1 {{TESTVAR2}}")} }
run = { only-env = ["TESTVAR2"], command = ${echo("run: $PATH {{TESTVAR1}} $TESTVAR2")} }`,
      "pre: im_the_path two\nrun: im_the_path one two\n",
    ],
  ])("%s", async (_what, envTable, processKeys, expected) => {
    const { transcript, stderr } = await transcriptOf(withEnv(envTable, processKeys));
    expect(stderr).not.toMatch(/error|invalid/);
    expect(transcript).toBe(expected);
  });

  it("a variable only-env lists must exist", async () => {
    const { code, transcript, stderr } = await transcriptOf(`
[[processes]]
name = "daemon"
run = { only-env = ["MISSINGVAR"], command = ["/bin/sh", "-c", "echo $MISSINGVAR >> {results}"] }
`);
    expect(code).toBe(1);
    expect(transcript).toBe("");
    expect(stderr).toMatch(
      /run command of process "daemon": only-env lists "MISSINGVAR", which is not set/,
    );
  });

  it("expansion sees variables that only-env hides", async () => {
    const { transcript } = await transcriptOf(`
[[processes]]
name = "daemon"
pre = { only-env = [], command = ["/bin/sh", "-c", "echo pre: $PATH $TESTVAR1 {{TESTVAR2}} >> {results}"] }
run = { only-env = ["TESTVAR2"], command = ["/bin/sh", "-c", "echo run: $PATH {{TESTVAR1}} $TESTVAR2 >> {results}"] }
`);
    expect(transcript).toBe("pre: im_the_path two\nrun: im_the_path one two\n");
  });

  it("an unknown {{VAR}} stops startup with an error naming variable, process and phase", async () => {
    const { code, transcript, stderr } = await transcriptOf(`
[[processes]]
name = "first"
run = ["/bin/sh", "-c", "echo $$ > {dir}/first.pid; exec sleep 600"]
post = ["/bin/sh", "-c", "echo first-post >> {results}"]

[[processes]]
name = "daemon"
run = { command = ["/bin/sh", "-c", "echo {{MISSINGVAR}} >> {results}"] }
`);
    expect(code).toBe(1);
    expect(transcript).toBe("first-post\n");
    expect(stderr).toMatch(/run command of process "daemon": unknown variable "MISSINGVAR"/);
  });

  it("a value lands verbatim in one argument: no splitting, no re-expansion", async () => {
    const { transcript } = await transcriptOf(
      `
[[processes]]
name = "daemon"
run = ["/bin/sh", "-c", "printf '%s|' \\"$@\\" >> {results}", "sh", "{{TRICKY}}"]
`,
      { ...baseEnv, TRICKY: "a b {{TESTVAR1}} $TESTVAR2" },
    );
    expect(transcript).toBe("a b {{TESTVAR1}} $TESTVAR2|");
  });

  it("never prints environment values in its own messages", async () => {
    const { stderr } = await transcriptOf(
      `
[env]
SECRET = "hunter2-secret"

[[processes]]
name = "daemon"
run = ["/bin/sh", "-c", "exit 5"]
`,
      { ...baseEnv, TOKEN: "tok-12345" },
    );
    expect(stderr).not.toMatch(/hunter2|tok-12345/);
  });

  it.each([
    ["a missing cwd", `{ command = "true", cwd = "/nonexistent/{{SECRET}}" }`, 1],
    ["a missing program", `["/nonexistent/{{SECRET}}/app"]`, 127],
  ])("names %s as written, without the variable's value", async (_what, run, code) => {
    const { code: exitCode, stderr } = await transcriptOf(
      `
[[processes]]
name = "app"
run = ${run}
`,
      { ...baseEnv, SECRET: "hunter2-secret" },
    );
    expect(exitCode).toBe(code);
    expect(stderr).toMatch(/\/nonexistent\/\{\{SECRET\}\}/);
    expect(stderr).not.toMatch(/hunter2/);
  });
});
