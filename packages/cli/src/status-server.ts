// Where this Ground Control answers `groundcontrol status` and HTTP probes (SPEC §8 "Status"),
// and what happens when it cannot: the default socket is best effort (a warning, then none); a
// socket or an address someone chose is a startup error naming it.
import { type Config, parseHostPort } from "@groundcontrol/config";
import {
  ControlSocketError,
  DEFAULT_CONTROL_SOCKET,
  formatHostPort,
  type LogLevel,
  type StatusReport,
  type StatusServers,
  serveStatus,
} from "@groundcontrol/core";

/** Why status cannot be served as configured; a startup error. */
export class StatusServeError extends Error {
  override name = "StatusServeError";
}

type Log = (level: LogLevel, msg: string) => void;

/**
 * Starts the control socket and, with `status-listen`, the HTTP server. Resolves with what runs
 * (close it before exiting); rejects with a StatusServeError naming the path or address.
 */
export async function startStatusServers(
  config: Pick<Config, "controlSocket" | "statusListen">,
  report: () => StatusReport,
  log: Log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StatusServers | undefined> {
  const chosen = env.GROUNDCONTROL_SOCKET || config.controlSocket;
  const socket = chosen === false ? undefined : (chosen ?? DEFAULT_CONTROL_SOCKET);
  const listen = listenAddress(config, env);
  try {
    const servers = await serveStatus(report, { socket, listen });
    announce(servers, log);
    return servers;
  } catch (error) {
    if (!(error instanceof ControlSocketError) || chosen !== undefined) {
      const fromEnv = error instanceof ControlSocketError && env.GROUNDCONTROL_SOCKET;
      throw new StatusServeError(
        `${(error as Error).message}${fromEnv ? " (from GROUNDCONTROL_SOCKET)" : ""}`,
      );
    }
    const busy = error.busy;
    // The default place is taken or cannot be made: run without a socket, and say so.
    log(
      "warn",
      `${error.message}; running without a control socket (${busy ? "set control-socket or GROUNDCONTROL_SOCKET to run several on one host" : "set control-socket to a path that can be made, or false"})`,
    );
    if (listen === undefined) return undefined;
    try {
      const servers = await serveStatus(report, { listen });
      announce(servers, log);
      return servers;
    } catch (again) {
      throw new StatusServeError((again as Error).message);
    }
  }
}

/** status-listen, or GROUNDCONTROL_STATUS_LISTEN over it: a platform's manifest may own the port. */
function listenAddress(
  config: Pick<Config, "statusListen">,
  env: NodeJS.ProcessEnv,
): Config["statusListen"] {
  const fromEnv = env.GROUNDCONTROL_STATUS_LISTEN;
  if (!fromEnv) return config.statusListen;
  const address = parseHostPort(fromEnv);
  if (typeof address === "string") {
    throw new StatusServeError(
      `GROUNDCONTROL_STATUS_LISTEN=${JSON.stringify(fromEnv)}: ${address}`,
    );
  }
  return address;
}

function announce(servers: StatusServers, log: Log): void {
  if (servers.http) {
    const { host, port } = servers.http.address;
    log("info", `serving status on http://${formatHostPort(host, port)} (/status, /healthz)`);
  }
}
