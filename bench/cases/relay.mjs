// (e) Relay throughput: 4 producers each write 250,000 lines of 80 bytes as fast as the manager
// takes them; the manager's stdout goes to a file in memory. Figures: lines per second while
// relaying (from the first producer starting to the manager's last write to the file, both as the
// kernel stamped them), the same from exec to the manager's exit (start-up and stop included, which
// cases a-c measure on their own), and whether every line arrived whole, once and in order.
//
// The producers are `cat` of pre-made files, so the producer is never the bottleneck. Each stays
// alive after its last line (a manager like Ground Control shuts everything down when one daemon
// exits) and leaves a marker; once all four have, the manager gets SIGTERM and must still relay
// every line it was handed before it exits.
import { closeSync, createReadStream, mkdirSync, openSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LineCheck, makeLines } from "../lib/lines.mjs";
import { cleanEnv, launch, watchMarkers, within } from "../lib/proc.mjs";

export const LINE_BYTES = 80;

export const METRICS = [
  {
    key: "linesPerSec",
    label: "(e) relay, timestamps on",
    unit: "M lines/s",
    better: "higher",
    scale: 1e-6,
  },
  {
    key: "linesPerSecExec",
    label: "exec to exit",
    unit: "M lines/s",
    better: "higher",
    scale: 1e-6,
  },
];

/** Writes the producers' input files into `dir` once; returns their paths. */
export function prepareRelay(dir, producers, perProducer) {
  return Array.from({ length: producers }, (_, id) => {
    const file = join(dir, `producer-${id}.txt`);
    writeFileSync(file, makeLines(id, 0, perProducer, LINE_BYTES));
    return file;
  });
}

/** One relay run of `manager` in `dir` (fresh) over the prepared `files`. */
export async function relayOnce(manager, dir, files, perProducer) {
  const done = join(dir, "done");
  const start = join(dir, "start");
  mkdirSync(start);
  const watcher = watchMarkers(done);
  const commands = files.map((file, id) => ({
    name: `producer-${id}`,
    command: `: > ${start}/${id}; cat ${file} && : > ${done}/${id}; exec sleep 3600`,
  }));
  const outFile = join(dir, "stdout");
  const out = openSync(outFile, "w");
  const err = openSync(join(dir, "stderr"), "w");
  const argv = manager.argv(commands, dir);
  const { child, started, exit } = launch(argv, {
    env: cleanEnv(manager.env?.(dir)),
    stdio: ["ignore", out, err],
  });
  closeSync(out);
  closeSync(err);
  try {
    await within(watcher.reached(files.length), 120_000, `${manager.id} producers`);
    process.kill(manager.ownPid(child.pid) ?? child.pid, "SIGTERM");
    const exited = await within(exit, 60_000, `${manager.id} exit`);
    const seconds = (exited.at - started) / 1000;
    // Kernel timestamps on both ends: the first producer's start marker, the last write to stdout.
    const first = Math.min(...files.map((_, id) => statSync(join(start, String(id))).mtimeMs));
    const relaySeconds = (statSync(outFile).mtimeMs - first) / 1000;
    const check = await checkFile(outFile, files.length, perProducer);
    return {
      linesPerSec: check.whole / relaySeconds,
      linesPerSecExec: check.whole / seconds,
      relaySeconds,
      seconds,
      ...check,
    };
  } finally {
    watcher.close();
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

async function checkFile(file, producers, perProducer) {
  const check = new LineCheck(producers, perProducer, LINE_BYTES);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) check.push(chunk);
  return check.end();
}
