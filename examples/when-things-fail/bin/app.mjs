// An app whose /healthz answers 200 for a second, then never again: a deadlock, as far as any
// client can tell. It still exits on SIGTERM, as a hung app's signal handler often still does.
import { createServer } from "node:http";

const port = Number(process.argv[2]);
const started = Date.now();
const server = createServer((request, response) => {
  if (request.url !== "/healthz") return response.writeHead(404).end();
  if (Date.now() - started < 1_000) return response.writeHead(200).end("ok\n");
  // Hung: the request is never answered.
});
server.listen(port, "127.0.0.1", () => console.log(`app: listening on 127.0.0.1:${port}`));
process.on("SIGTERM", () => {
  console.log("app: stopping");
  process.exit(0);
});
