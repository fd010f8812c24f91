// Secrets read from files: the value (one trailing newline removed), what is refused, the warning
// for a file every user can read, and where prepareCommand puts them (the environment only).
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CommandSetupError } from "../src/errors.js";
import { prepareCommand } from "../src/prepare.js";
import { MAX_SECRET_BYTES, readSecret, readSecrets, SecretError } from "../src/secrets.js";
import type { CommandSpec } from "../src/spec.js";

const dir = mkdtempSync(join(tmpdir(), "gc-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
/** A new file holding `content`, with `mode` (0600 unless said). */
function secretFile(content: string | Uint8Array, mode = 0o600): string {
  const path = join(dir, `secret-${++count}`);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

function newDirectory(): string {
  const path = join(dir, `dir-${++count}`);
  mkdirSync(path);
  return path;
}

const VALUE = "s3cr3t-v4lue";

describe("readSecret", () => {
  it.each([
    ["no newline", VALUE, VALUE],
    ["one trailing newline", `${VALUE}\n`, VALUE],
    ["a trailing CRLF", `${VALUE}\r\n`, VALUE],
    ["two trailing newlines: one is kept", `${VALUE}\n\n`, `${VALUE}\n`],
    ["a lone trailing CR: kept", `${VALUE}\r`, `${VALUE}\r`],
    ["inner newlines: kept", `line 1\nline 2\n`, "line 1\nline 2"],
    ["spaces: kept", `  ${VALUE}  \n`, `  ${VALUE}  `],
    ["an empty file", "", ""],
    ["a lone newline", "\n", ""],
    ["UTF-8 beyond ASCII", "clé-🔑\n", "clé-🔑"],
    ["a byte-order mark: kept", `\uFEFF${VALUE}`, `\uFEFF${VALUE}`],
  ])("%s", (_what, content, value) => {
    expect(readSecret("TOKEN", secretFile(content)).value).toBe(value);
  });

  it.each([
    ["a NUL byte", Buffer.from(`${VALUE}\0x`), /holds a NUL byte/],
    ["bytes that are not UTF-8", Buffer.from([0x61, 0xff, 0xfe, 0x62]), /is not valid UTF-8/],
    ["a truncated UTF-8 sequence", Buffer.from([0x61, 0xe2, 0x82]), /is not valid UTF-8/],
    [
      "more than an environment variable holds",
      Buffer.alloc(MAX_SECRET_BYTES + 1, 0x61),
      /is larger than 128 KiB/,
    ],
  ])("refuses %s, naming variable and path but not the value", (_what, content, problem) => {
    const path = secretFile(content);
    const error = catchError(() => readSecret("TOKEN", path));
    expect(error).toBeInstanceOf(SecretError);
    expect(error.message).toMatch(problem);
    expect(error.message).toContain(`secret "TOKEN": "${path}"`);
    expect(error.message).not.toContain(VALUE);
  });

  it("takes exactly 128 KiB", () => {
    expect(readSecret("BIG", secretFile(Buffer.alloc(MAX_SECRET_BYTES, 0x61))).value).toHaveLength(
      MAX_SECRET_BYTES,
    );
  });

  it.each([
    ["a missing file", () => join(dir, "missing"), "no such file"],
    [
      "a path through a file",
      () => join(secretFile(VALUE), "x"),
      "a part of the path is not a directory",
    ],
    ["a directory", () => newDirectory(), "is not a regular file"],
  ])("refuses %s", (_what, make, problem) => {
    const path = make();
    const error = catchError(() => readSecret("TOKEN", path));
    expect(error.message).toContain(`secret "TOKEN":`);
    expect(error.message).toContain(`"${path}"`);
    expect(error.message).toContain(problem);
  });

  it("refuses a FIFO at once instead of waiting for a writer", () => {
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    expect(() => readSecret("TOKEN", fifo)).toThrow(/"[^"]*fifo" is not a regular file/);
  });

  it("follows symbolic links, as Kubernetes mounts secrets", () => {
    const link = join(dir, "link");
    symlinkSync(secretFile(`${VALUE}\n`), link);
    expect(readSecret("TOKEN", link).value).toBe(VALUE);
  });

  it.runIf(process.getuid?.() !== 0)("refuses a file it may not read", () => {
    const path = secretFile(VALUE, 0o000);
    expect(() => readSecret("TOKEN", path)).toThrow(/cannot read "[^"]+": permission denied/);
  });

  it("gives the file's permission bits", () => {
    expect(readSecret("TOKEN", secretFile(VALUE, 0o640)).mode).toBe(0o640);
  });
});

describe("readSecrets", () => {
  it.each([
    [0o600, false],
    [0o400, false],
    [0o640, false],
    [0o440, false],
    [0o644, true],
    [0o604, true],
    [0o444, true],
  ])("mode %o: warns %s", (mode, warned) => {
    const path = secretFile(VALUE, mode);
    const warnings: string[] = [];
    expect(readSecrets({ TOKEN: path }, (m) => warnings.push(m))).toEqual({ TOKEN: VALUE });
    if (!warned) expect(warnings).toEqual([]);
    else {
      expect(warnings).toEqual([
        `secret "TOKEN": "${path}" is readable by every user (mode 0${mode.toString(8)}); make it 0400 or 0440`,
      ]);
    }
  });
});

describe("prepareCommand with secrets", () => {
  const base = { PATH: "/usr/bin:/bin", HOME: "/root", KEPT: "kept" };
  const prepare = (command: CommandSpec, warn?: (message: string) => void) =>
    prepareCommand(command, {
      process: "app",
      phase: "run",
      base,
      resolveUser: () => {
        throw new Error("no users here");
      },
      warn,
    });

  it("sets each secret in the command's environment, on top, whatever only-env says", () => {
    const path = secretFile(`${VALUE}\n`);
    expect(prepare({ program: "app", args: [], secrets: { TOKEN: path } }).env).toEqual({
      ...base,
      TOKEN: VALUE,
    });
    expect(
      prepare({ program: "app", args: [], onlyEnv: [], secrets: { TOKEN: path } }).env,
    ).toEqual({ PATH: base.PATH, TOKEN: VALUE });
    expect(
      prepare({ program: "app", args: [], env: { TOKEN: "x" }, secrets: { TOKEN: path } }).env
        .TOKEN,
    ).toBe(VALUE);
  });

  it("lets only-env list a secret that Ground Control's environment lacks", () => {
    const path = secretFile(VALUE);
    const command = {
      program: "app",
      args: [],
      onlyEnv: ["TOKEN", "KEPT"],
      secrets: { TOKEN: path },
    };
    expect(prepare(command).env).toEqual({ PATH: base.PATH, KEPT: "kept", TOKEN: VALUE });
  });

  it("never fills {{VAR}} with a secret", () => {
    const path = secretFile(VALUE);
    const error = catchError(() =>
      prepare({ program: "echo", args: ["{{TOKEN}}"], secrets: { TOKEN: path } }),
    );
    expect(error).toBeInstanceOf(CommandSetupError);
    expect(error.message).toBe(
      'run command of process "app": unknown variable "TOKEN" in {{TOKEN}}',
    );
  });

  it("fails naming process, phase, variable and path", () => {
    const path = join(dir, "nowhere");
    expect(() => prepare({ program: "app", args: [], secrets: { TOKEN: path } })).toThrow(
      `run command of process "app": secret "TOKEN": cannot read "${path}": no such file`,
    );
  });

  it("reads the file again each time, and warns naming the command", () => {
    const path = secretFile("one\n", 0o644);
    const warnings: string[] = [];
    const command = { program: "app", args: [], secrets: { TOKEN: path } };
    expect(prepare(command, (m) => warnings.push(m)).env.TOKEN).toBe("one");
    writeFileSync(path, "two\n");
    expect(prepare(command, (m) => warnings.push(m)).env.TOKEN).toBe("two");
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /^run command of process "app": secret "TOKEN": ".+" is readable by every user/,
    );
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
