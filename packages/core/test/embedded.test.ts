// A Supervisor embedded in someone else's Node process leaves nothing behind when that process dies.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
}

describe("embedded supervisor", () => {
  it.each(["SIGTERM", "SIGHUP"] as const)(
    "a host killed by %s, which it does not handle, takes every child with it",
    async (signal) => {
      const host = spawn(process.execPath, [join(here, "fixtures/embedded-host.mjs")], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      await new Promise<void>((resolve, reject) => {
        host.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          out += chunk;
          if (/host-ready/.test(out) && /background=\d+/.test(out)) resolve();
        });
        host.once("exit", () => reject(new Error(`host exited early:\n${out}`)));
      });
      const pids = [/started=(\d+)/, /background=(\d+)/].map((re) => Number(out.match(re)![1]));
      for (const pid of pids) expect(alive(pid)).toBe(true);
      const exited = new Promise((r) => host.once("exit", (_code, sig) => r(sig)));
      host.kill(signal);
      expect(await exited).toBe(signal);
      // SIGKILLed by the host's exit hook: gone as soon as the kernel has run them once more.
      const deadline = Date.now() + 2_000;
      while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(pids.filter(alive)).toEqual([]);
    },
  );
});
