// Red-team attacks on "what is never printed" (docs/pid1.md "Security model"): the value of an
// environment variable never appears in Ground Control's own output. Each test here is an attack
// that once worked; it guards the fix.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withScenario } from "./helpers/harness.js";
import { canSwitchUsers, createTestUsers, type TestUsers } from "./helpers/users.js";
import { runCli } from "./run-cli.js";

const SECRET = "hunter2-never-print-me";

let users: TestUsers;
let secretDir = "";

describe.runIf(canSwitchUsers)("red team: no secret printed (exec-as helper)", () => {
  beforeAll(() => {
    users = createTestUsers();
    // A directory whose path holds the value of a variable, as {{APP_HOME}} might.
    const base = mkdtempSync(join(tmpdir(), "gc-redteam-secret-"));
    chmodSync(base, 0o755);
    secretDir = join(base, SECRET);
    mkdirSync(secretDir, { mode: 0o755 });
    // Found and executable, but execve fails: its interpreter does not exist (ENOENT)...
    writeFileSync(join(secretDir, "bad-interpreter.sh"), "#!/nonexistent/interpreter\n", {
      mode: 0o755,
    });
    // ...or it is no format the kernel runs (ENOEXEC).
    writeFileSync(join(secretDir, "not-a-program"), "\x7fELF? not really\n", { mode: 0o755 });
  });
  afterAll(() => {
    users.remove();
    rmSync(join(secretDir, ".."), { recursive: true, force: true });
  });

  it.each([["bad-interpreter.sh"], ["not-a-program"]])(
    "a program whose execve fails in the helper is named as written, not with its {{VAR}} value (%s)",
    async (program) => {
      await withScenario(
        `
suppress_timestamps = true
control-socket = false

[[processes]]
name = "app"
run = { user = "${users.member}", command = "{{APP_HOME}}/${program}" }
`,
        async (s) => {
          const done = await s.finished;
          expect(done.code).not.toBe(0);
          expect(`${done.stdout}${done.stderr}`).not.toContain(SECRET);
        },
        { env: { ...process.env, NO_COLOR: "1", APP_HOME: secretDir } },
      );
    },
  );
});

describe("red team: no secret printed (config errors)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "gc-redteam-frame-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // The commonest slip with a secret in [env]: the quotes forgotten. The code frame masks the
  // contents of strings; a bare value is shown as it is.
  it.each([[["--check"]], [["--check", "--json"]], [[]]])(
    "an [env] value written without quotes is not shown in the code frame (%j)",
    async (args) => {
      const config = join(dir, "groundcontrol.toml");
      writeFileSync(
        config,
        `[env]\nAPI_KEY = sk_live_${SECRET}\n\n[[processes]]\nname = "app"\nrun = "/bin/true"\n`,
      );
      const result = await runCli([...args, config]);
      expect(result.code).toBe(2);
      expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET);
    },
  );
});
