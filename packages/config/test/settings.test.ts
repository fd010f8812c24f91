// The executable's own settings: control-socket, status-listen and [break-glass], every bad
// value named with its line and key.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/index.js";
import { oneIssue } from "./helpers.js";

const PROCESSES =
  '[[processes]]\nname = "tailscale"\nrun = "tailscaled"\n\n[[processes]]\nname = "app"\nrun = "app"\n';

describe("control-socket and status-listen", () => {
  it("reads a path, false, and a host:port", () => {
    const config = parseConfig(
      `control-socket = "/run/app/gc.sock"\nstatus-listen = "[::]:9090"\n${PROCESSES}`,
    );
    expect(config.controlSocket).toBe("/run/app/gc.sock");
    expect(config.statusListen).toEqual({ host: "::", port: 9090 });
    expect(parseConfig(`control-socket = false\n${PROCESSES}`).controlSocket).toBe(false);
    // Unset is the CLI's default, not a value the config makes up.
    expect(parseConfig(PROCESSES).controlSocket).toBeUndefined();
  });

  it.each([
    [
      "control-socket = true",
      "1:1 control-socket: expected a socket path, or false (true is the default: leave it out)",
    ],
    [
      'control-socket = ""',
      "1:1 control-socket: expected a socket path, or false, got an empty string",
    ],
    [
      `control-socket = "/${"s".repeat(107)}"`,
      "1:1 control-socket: the path is longer than 107 bytes, the most a Unix socket path can hold",
    ],
    ['status-listen = "9090"', '1:1 status-listen: expected "host:port", such as "127.0.0.1:5432"'],
    ['status-listen = "127.0.0.1:0"', "1:1 status-listen: the port is out of range (1-65535)"],
  ])("rejects %s", (line, message) => {
    expect(oneIssue(`${line}\n${PROCESSES}`)).toBe(message);
  });
});

describe("[break-glass]", () => {
  it("reads every key", () => {
    const config = parseConfig(
      `[break-glass]\nafter-failed-boots = 3\nstate-file = "/data/boots"\nhealthy-after = "2m"\nstart-through = "tailscale"\n\n${PROCESSES}`,
    );
    expect(config.breakGlass).toEqual({
      afterFailedBoots: 3,
      stateFile: "/data/boots",
      healthyAfterMs: 120_000,
      startThrough: "tailscale",
    });
    expect(parseConfig(`[break-glass]\nstart-through = "app"\n${PROCESSES}`).breakGlass).toEqual({
      startThrough: "app",
    });
  });

  it.each([
    [
      'start-through = "tailscal"',
      '2:1 break-glass.start-through: no process is named "tailscal"; the processes are "tailscale", "app"',
    ],
    [
      "after-failed-boots = 3",
      "1:1 break-glass: after-failed-boots needs state-file: where the failed boots are counted",
    ],
    [
      'after-failed-boots = 0\nstate-file = "/data/boots"',
      "2:1 break-glass.after-failed-boots: expected a whole number of at least 1, got 0",
    ],
    [
      'state-file = "/data/boots"',
      "1:1 break-glass: state-file is only used with after-failed-boots",
    ],
    [
      'after-failed-boots = 2\nstate-file = "/b"\nhealthy-after = "0s"',
      "4:1 break-glass.healthy-after: expected a duration longer than 0",
    ],
    [
      "after-failed-boot = 2",
      '2:1 break-glass.after-failed-boot: unknown key "after-failed-boot" (did you mean "after-failed-boots"?); expected one of: after-failed-boots, state-file, healthy-after, start-through',
    ],
  ])("rejects %s", (body, message) => {
    expect(oneIssue(`[break-glass]\n${body}\n\n${PROCESSES}`)).toBe(message);
  });

  it("rejects a break-glass that is not a table", () => {
    expect(oneIssue(`break-glass = true\n${PROCESSES}`)).toBe(
      "1:1 break-glass: expected a table: [break-glass] with after-failed-boots, state-file, healthy-after or start-through, got a boolean",
    );
  });
});
