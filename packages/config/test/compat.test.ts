// Files written for the original Rust Ground Control parse to the same meaning here.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/index.js";

describe("files valid for the original", () => {
  it("its README example: a one-shot and a daemon", () => {
    const spec = parseConfig(`
[[processes]]
name = "hello"
pre = "/bin/echo Hello {{USER}}! How are you today?"

[[processes]]
name = "nginx"
run = [ "/usr/sbin/nginx", "-g", "daemon off;" ]
`);
    expect(spec).toEqual({
      processes: [
        {
          name: "hello",
          pre: {
            program: "/bin/echo",
            args: ["Hello", "{{USER}}!", "How", "are", "you", "today?"],
          },
        },
        { name: "nginx", run: { program: "/usr/sbin/nginx", args: ["-g", "daemon off;"] } },
      ],
    });
  });

  it("its environment filtering examples", () => {
    const spec = parseConfig(`
suppress_timestamps = true

[env]
TESTVAR3 = "three"

[[processes]]
name = "database-server"
pre = { only-env = ["DB_PASSWORD"], command = "/restore/database/from/cloud /data/db" }
run = { only-env = [], command = "/db/server /data/db" }

[[processes]]
name = "web-server"
run = { only-env = ["OAUTH_SECRET"], command = "/my/web/service" }
`);
    expect(spec).toEqual({
      suppressTimestamps: true,
      env: { TESTVAR3: "three" },
      processes: [
        {
          name: "database-server",
          pre: {
            program: "/restore/database/from/cloud",
            args: ["/data/db"],
            onlyEnv: ["DB_PASSWORD"],
          },
          run: { program: "/db/server", args: ["/data/db"], onlyEnv: [] },
        },
        {
          name: "web-server",
          run: { program: "/my/web/service", args: [], onlyEnv: ["OAUTH_SECRET"] },
        },
      ],
    });
  });

  it("a php-fpm + nginx file with a SIGQUIT stop and a name with a space", () => {
    const spec = parseConfig(`
[[processes]]
name = "migrate database"
pre = "php artisan migrate -f"

[[processes]]
name = "php"
run = [ "/opt/php-8.2/sbin/php-fpm" ]
stop="SIGQUIT"

[[processes]]
name = "nginx"
run = {only-env = [], command=["/usr/sbin/nginx", "-g", "daemon off; user nonroot;"]}
`);
    expect(spec.processes).toEqual([
      { name: "migrate database", pre: { program: "php", args: ["artisan", "migrate", "-f"] } },
      {
        name: "php",
        run: { program: "/opt/php-8.2/sbin/php-fpm", args: [] },
        stop: { kind: "signal", signal: "SIGQUIT" },
      },
      {
        name: "nginx",
        run: { program: "/usr/sbin/nginx", args: ["-g", "daemon off; user nonroot;"], onlyEnv: [] },
      },
    ]);
  });

  it("a stop command, pre and post around a daemon (its test-suite shape)", () => {
    const spec = parseConfig(`
[[processes]]
name = "a"
pre = [ "/bin/sh", "-c", "echo a-pre >> /tmp/results.txt" ]
run = [ "/bin/sh", "/tmp/test-daemon.sh", "a", "/tmp/results.txt", "/tmp" ]
stop = [ "/bin/sh", "-c", "kill $(cat /tmp/a.pid)" ]
post = [ "/bin/sh", "-c", "echo a-post >> /tmp/results.txt" ]
`);
    expect(spec.processes[0]?.stop).toEqual({
      kind: "command",
      command: { program: "/bin/sh", args: ["-c", "kill $(cat /tmp/a.pid)"] },
    });
    expect(spec.processes[0]?.post).toEqual({
      program: "/bin/sh",
      args: ["-c", "echo a-post >> /tmp/results.txt"],
    });
  });

  it("the SPEC §2 example with every extension key", () => {
    const spec = parseConfig(`
suppress_timestamps = false
log-format = "text"
shutdown-timeout = "25s"

[env]
LITESTREAM_DB = "/data/app.db"

[[processes]]
name = "litestream"
pre  = "litestream restore -if-replica-exists {{LITESTREAM_DB}}"
run  = { user = "app", only-env = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"], command = ["litestream", "replicate"] }
stop = "SIGINT"
stop-timeout = "10s"
post = ["/bin/echo", "bye"]
ready = { tcp = "127.0.0.1:5432", timeout = "30s" }
`);
    expect(spec).toEqual({
      suppressTimestamps: false,
      logFormat: "text",
      shutdownTimeoutMs: 25_000,
      env: { LITESTREAM_DB: "/data/app.db" },
      processes: [
        {
          name: "litestream",
          pre: {
            program: "litestream",
            args: ["restore", "-if-replica-exists", "{{LITESTREAM_DB}}"],
          },
          run: {
            program: "litestream",
            args: ["replicate"],
            user: "app",
            onlyEnv: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
          },
          stop: { kind: "signal", signal: "SIGINT" },
          stopTimeoutMs: 10_000,
          post: { program: "/bin/echo", args: ["bye"] },
          ready: { check: { kind: "tcp", host: "127.0.0.1", port: 5432 }, timeoutMs: 30_000 },
        },
      ],
    });
  });
});
