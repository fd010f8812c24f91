// The app behind nginx: answers GET / with a row it reads from PostgreSQL. Node only, no driver:
// each request runs psql, which connects over the Unix socket in $PGHOST, port $PGPORT, as the
// OS user the app runs as (peer authentication).
//   node app/server.mjs --port 3000 --psql /usr/lib/postgresql/15/bin/psql
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { port: { type: "string" }, psql: { type: "string", default: "psql" } },
});
const port = Number(values.port);
const psql = values.psql;
const query = "SELECT message || ' (as ' || current_user || ')' FROM greeting WHERE id = 1";

/** The query's one value, as text. */
function ask(sql) {
  const argv = ["--no-psqlrc", "--no-align", "--tuples-only", "--dbname=app", "--command", sql];
  return new Promise((resolve, reject) => {
    execFile(psql, argv, { timeout: 5000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(stderr.trim() || error.message));
      else resolve(stdout.trim());
    });
  });
}

const server = createServer(async (request, response) => {
  if (request.method !== "GET" || request.url !== "/") {
    response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    return;
  }
  try {
    const answer = await ask(query);
    response.writeHead(200, { "content-type": "text/plain" }).end(`${answer}\n`);
  } catch (error) {
    console.error(`query failed: ${error.message}`);
    response.writeHead(503, { "content-type": "text/plain" }).end("database unavailable\n");
  }
});

server.listen(port, "127.0.0.1", () => console.log(`listening on 127.0.0.1:${port}`));

// Ground Control's default stop signal: finish the requests in flight, then exit 0.
process.on("SIGTERM", () => {
  console.log("SIGTERM: finishing requests in flight");
  server.close(() => {
    console.log("stopped");
    process.exit(0);
  });
});
