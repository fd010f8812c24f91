// Output relay through the real executable: order, completeness, streams, formats.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AS_PID1, canUnshare, withScenario } from "./helpers/harness.js";
import { canSwitchUsers, createTestUsers, linesOf, type TestUsers } from "./helpers/users.js";

describe("output", () => {
  it("relays 100,000 numbered lines and a final partial line, in order, none lost", async () => {
    await withScenario(
      `
suppress_timestamps = true

[[processes]]
name = "counter"
run = ["{node}", "-e", "let s='';for(let i=1;i<=100000;i++){s+='line '+i+'\\\\n'; if(s.length>65536){process.stdout.write(s);s=''}} process.stdout.write(s+'partial-end')"]
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(0);
        const lines = done.stdout
          .split("\n")
          .filter((l) => l.startsWith("counter"))
          .map((l) => l.replace(/^counter +\| /, ""));
        expect(lines).toHaveLength(100_001);
        for (let i = 0; i < 100_000; i++) {
          if (lines[i] !== `line ${i + 1}`) {
            throw new Error(`line ${i + 1} is ${JSON.stringify(lines[i])}`);
          }
        }
        expect(lines[100_000]).toBe("partial-end");
      },
    );
  });

  it("keeps stdout and stderr apart", async () => {
    await withScenario(
      `
suppress_timestamps = true

[[processes]]
name = "both"
run = ["/bin/sh", "-c", "echo to-out; echo to-err >&2; echo more-out"]
`,
      async (s) => {
        const done = await s.finished;
        expect(done.stdout).toMatch(/^both +\| to-out$/m);
        expect(done.stdout).toMatch(/^both +\| more-out$/m);
        expect(done.stdout).not.toMatch(/to-err/);
        expect(done.stderr).toMatch(/^both +\| to-err$/m);
        expect(done.stderr).not.toMatch(/to-out/);
      },
    );
  });

  it("labels phases and aligns names", async () => {
    await withScenario(
      `
suppress_timestamps = true

[[processes]]
name = "a"
pre = ["/bin/echo", "from-pre"]
run = ["/bin/echo", "from-run"]
post = ["/bin/echo", "from-post"]

[[processes]]
name = "longer-name"
pre = "/bin/true"
`,
      async (s) => {
        const done = await s.finished;
        const bar = done.stdout
          .split("\n")
          .filter(Boolean)
          .map((l) => l.indexOf("|"));
        expect(new Set(bar).size).toBe(1);
        expect(done.stdout).toMatch(/^a\[pre\] +\| from-pre$/m);
        expect(done.stdout).toMatch(/^a +\| from-run$/m);
        expect(done.stdout).toMatch(/^a\[post\] +\| from-post$/m);
      },
    );
  });

  it("prefixes lines with an ISO-8601 UTC timestamp unless suppressed", async () => {
    await withScenario(
      `
[[processes]]
name = "clock"
run = ["/bin/echo", "tick"]
`,
      async (s) => {
        const done = await s.finished;
        expect(done.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z clock +\| tick$/m);
      },
    );
  });

  it("writes JSON lines that parse one by one, for commands and for its own messages", async () => {
    await withScenario(
      `
log-format = "json"

[[processes]]
name = "web"
run = ["/bin/sh", "-c", "echo 'hello \\"world\\"'; echo oops >&2; exit 3"]
`,
      async (s) => {
        const done = await s.finished;
        expect(done.code).toBe(3);
        const out = done.stdout
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l));
        const err = done.stderr
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l));
        expect(out).toContainEqual(
          expect.objectContaining({
            process: "web",
            phase: "run",
            stream: "stdout",
            line: 'hello "world"',
          }),
        );
        expect(err).toContainEqual(
          expect.objectContaining({ process: "web", phase: "run", stream: "stderr", line: "oops" }),
        );
        expect(err.some((e) => typeof e.level === "string" && typeof e.msg === "string")).toBe(
          true,
        );
        for (const record of [...out, ...err]) expect(typeof record.time).toBe("string");
      },
    );
  });
});

// nginx's `access_log /dev/stdout`, php-fpm's /proc/self/fd/2, an entrypoint's `> /dev/stderr`:
// a command's stdout and stderr are pipes it can open again by name, as under Docker.
describe.runIf(process.platform === "linux")("stdout and stderr opened by name", () => {
  let users: TestUsers | undefined;
  beforeAll(() => {
    if (canSwitchUsers) users = createTestUsers();
  });
  afterAll(() => users?.remove());

  const opener = (user: string) => `
suppress_timestamps = true

[[processes]]
name = "opener"
run = { ${user}command = ["/bin/sh", "-c", "echo a > /dev/stdout; echo b > /dev/stderr; echo c > /proc/self/fd/1; echo d > /proc/self/fd/2"] }
`;

  /** The `user = …, ` part of the command table; undefined when the case cannot run here. */
  type Case = [string, () => string | undefined, string[] | undefined];
  const asUser = (which: "member" | "loner") => (): string | undefined =>
    users ? `user = "${users[which]}", ` : undefined;
  it.each<Case>([
    ["as root", () => "", undefined],
    ["as a user with supplementary groups", asUser("member"), undefined],
    ["as a user with only its own group", asUser("loner"), undefined],
    ["as PID 1", () => (canUnshare ? "" : undefined), AS_PID1],
  ])("%s", async (_how, user, wrapper) => {
    const as = user();
    if (as === undefined) return;
    await withScenario(
      opener(as),
      async (s) => {
        const done = await s.finished;
        expect(done.stderr).not.toMatch(/No such device|cannot create/);
        expect(done.code).toBe(0);
        expect(linesOf(done.stdout, "opener")).toEqual(["a", "c"]);
        expect(linesOf(done.stderr, "opener")).toEqual(["b", "d"]);
      },
      wrapper ? { wrapper } : {},
    );
  });
});
