// A worker that crashes on its first two starts (exit 1) and holds from the third on.
import { appendFileSync, readFileSync } from "node:fs";

const state = process.argv[2];
appendFileSync(state, "start\n");
const starts = readFileSync(state, "utf8").split("\n").filter(Boolean).length;
console.log(`worker: start ${starts}, taking jobs`);
if (starts <= 2) {
  setTimeout(() => {
    console.error(`worker: start ${starts} crashed on a bad job`);
    process.exit(1);
  }, 300);
} else {
  setInterval(() => console.log("worker: job done"), 1_000);
  process.on("SIGTERM", () => {
    console.log("worker: finishing the job in hand, then exiting");
    process.exit(0);
  });
}
