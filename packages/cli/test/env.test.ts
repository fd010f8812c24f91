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

describe("environment", () => {
  it("inherits every variable by default", async () => {
    const { transcript } = await transcriptOf(`
[[processes]]
name = "daemon"
run = ["/bin/sh", "-c", "echo $PATH $TESTVAR1 $TESTVAR2 >> {results}"]
`);
    expect(transcript).toBe("im_the_path one two\n");
  });

  it("[env] adds variables", async () => {
    const { transcript } = await transcriptOf(`
[env]
TESTVAR3 = "three"
TESTVAR4 = "four"

[[processes]]
name = "daemon"
run = ["/bin/sh", "-c", "echo $TESTVAR1 $TESTVAR2 $TESTVAR3 $TESTVAR4 >> {results}"]
`);
    expect(transcript).toBe("one two three four\n");
  });

  it("[env] overrides inherited variables", async () => {
    const { transcript } = await transcriptOf(`
[env]
TESTVAR2 = "too"

[[processes]]
name = "daemon"
run = ["/bin/sh", "-c", "echo $TESTVAR1 $TESTVAR2 >> {results}"]
`);
    expect(transcript).toBe("one too\n");
  });

  it("expands {{VAR}} and {{ VAR }} from the environment and [env]", async () => {
    const { transcript } = await transcriptOf(`
[env]
TESTVAR3 = "three"
TESTVAR4 = "four"

[[processes]]
name = "daemon"
run = ["/bin/sh", "-c", "echo {{TESTVAR1}} $TESTVAR2 {{ TESTVAR3 }} $TESTVAR4 >> {results}"]
`);
    expect(transcript).toBe("one two three four\n");
  });

  it("only-env = [] leaves PATH alone", async () => {
    const { transcript } = await transcriptOf(`
[env]
TESTVAR3 = "three"

[[processes]]
name = "daemon"
run = { only-env = [], command = ["/bin/sh", "-c", "echo $PATH $TESTVAR1 $TESTVAR2 $TESTVAR3 >> {results}"] }
`);
    expect(transcript).toBe("im_the_path\n");
  });

  it("only-env lets the listed variables through, per command", async () => {
    const { transcript } = await transcriptOf(`
[env]
TESTVAR3 = "three"

[[processes]]
name = "daemon"
pre = { only-env = [], command = ["/bin/sh", "-c", "echo pre: $PATH $TESTVAR1 $TESTVAR2 $TESTVAR3 >> {results}"] }
run = { only-env = ["TESTVAR2", "TESTVAR3"], command = ["/bin/sh", "-c", "echo run: $PATH $TESTVAR1 $TESTVAR2 $TESTVAR3 >> {results}"] }
`);
    expect(transcript).toBe("pre: im_the_path\nrun: im_the_path two three\n");
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
