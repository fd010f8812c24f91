// Renders a Plan for people: startup phase by phase, then the reverse shutdown order.
import { formatDuration, joinCommand } from "@groundcontrol/core";
import {
  MARGIN_MS,
  type Plan,
  type PlanBreakGlass,
  type PlanCommand,
  type PlanEnv,
  type PlanHealth,
  type PlanNotify,
  type PlanReady,
  type PlanRestart,
  type ShutdownBudget,
  type ShutdownPhase,
} from "./plan.js";
import { PLATFORMS } from "./platforms.js";

const INDENT = "       ";

export function renderPlan(plan: Plan): string {
  const lines: string[] = [];
  const { settings } = plan;
  const count = plan.startup.length === 1 ? "1 process" : `${plan.startup.length} processes`;
  lines.push(`${plan.config}: valid (${count})`);
  lines.push(
    `log format: ${settings.logFormat}, timestamps ${settings.suppressTimestamps ? "suppressed" : "shown"}; shutdown deadline: ${
      settings.shutdownTimeoutMs === null ? "none" : formatDuration(settings.shutdownTimeoutMs)
    }`,
  );
  lines.push(`[env]: ${settings.env.length > 0 ? settings.env.join(", ") : "(none)"}`);

  lines.push("", "Startup, in order:");
  plan.startup.forEach((entry, index) => {
    lines.push(
      `  ${index + 1}. ${entry.process}${entry.oneShot ? " (one-shot: no run command)" : ""}`,
    );
    if (entry.phases.length === 0) lines.push(`${INDENT}(nothing to start)`);
    for (const phase of entry.phases) {
      lines.push(...renderCommand(phase.phase, phase));
      if (phase.phase === "run") {
        lines.push(renderReady(phase.ready));
        if (phase.notify) lines.push(...renderNotify(phase.notify));
        if (phase.health) lines.push(renderHealth(phase.health));
        lines.push(renderRestart(phase.restart));
        const signals = phase.forwardSignals.join(", ") || "none";
        lines.push(`${INDENT}signals passed on: ${signals}`);
      }
    }
  });

  lines.push(
    "",
    settings.shutdownTimeoutMs === null
      ? "Shutdown, in reverse order:"
      : `Shutdown, in reverse order (within the ${formatDuration(
          settings.shutdownTimeoutMs,
        )} deadline: each stop wait gets what is left of it; a post still running at it is killed, the posts after it are skipped):`,
  );
  plan.shutdown.forEach((entry, index) => {
    lines.push(
      `  ${index + 1}. ${entry.process}${entry.oneShot ? " (one-shot: nothing to stop)" : ""}`,
    );
    if (entry.phases.length === 0) lines.push(`${INDENT}(nothing to do)`);
    for (const phase of entry.phases) lines.push(...renderShutdownPhase(phase));
  });
  lines.push("", ...renderBudget(plan.shutdownBudget));
  lines.push(renderStatus(plan.status), renderBreakGlass(plan.breakGlass));
  return `${lines.join("\n")}\n`;
}

function renderStatus(status: Plan["status"]): string {
  const socket =
    status.controlSocket === null
      ? "no control socket"
      : `control socket ${status.controlSocket}${status.bestEffort ? " (the default: best effort)" : ""}`;
  return `Status: ${socket}; ${status.listen === null ? "no HTTP status" : `GET /status and /healthz on ${status.listen}`}`;
}

function renderBreakGlass(glass: PlanBreakGlass): string {
  const starts =
    glass.starts.length === 0
      ? "starts nothing"
      : `starts ${glass.starts.join(", ")} and nothing else`;
  const when =
    glass.afterFailedBoots === null
      ? "when BREAK_GLASS is set"
      : `when BREAK_GLASS is set, or after ${glass.afterFailedBoots} failed boots in a row (counted in ${glass.stateFile}; a boot up ${formatDuration(glass.healthyAfterMs!)} after startup is good)`;
  return `Break glass: ${when}: ${starts}`;
}

const BOUNDS: Record<ShutdownBudget["bound"], string> = {
  "stop-timeouts": "the stop-timeouts, one after the other",
  "shutdown-timeout": "the shutdown-timeout",
  unbounded: "a post command has no time limit without shutdown-timeout",
};

/** "Worst-case shutdown: 20s (…)", then whether it fits the kill timeout and what to set. */
function renderBudget(budget: ShutdownBudget): string[] {
  const worst = budget.worstCaseMs === null ? "unbounded" : formatDuration(budget.worstCaseMs);
  const line = `Worst-case shutdown: ${worst} (${BOUNDS[budget.bound]})`;
  if (budget.killTimeoutMs === undefined) return [line];
  const kill = killTimeoutName(budget);
  if (budget.fits) {
    const spare = formatDuration(budget.killTimeoutMs - budget.worstCaseMs!);
    return [`${line}: fits in ${kill}, ${spare} to spare`];
  }
  return [
    `${line}: does not fit in ${kill} with ${formatDuration(MARGIN_MS)} to spare`,
    `  ${budget.advice}`,
  ];
}

function killTimeoutName(budget: ShutdownBudget): string {
  const ms = formatDuration(budget.killTimeoutMs!);
  return budget.platform
    ? `${PLATFORMS[budget.platform].name}'s ${ms} kill timeout`
    : `the ${ms} kill timeout`;
}

/** The one-line report of a shutdown that may outlast the kill timeout, or null. */
export function misfit(plan: Plan): string | null {
  const budget = plan.shutdownBudget;
  if (budget.fits !== false) return null;
  const worst =
    budget.worstCaseMs === null
      ? "the shutdown is unbounded and"
      : `the worst-case shutdown (${formatDuration(budget.worstCaseMs)})`;
  return `${plan.config}: ${worst} does not fit in ${killTimeoutName(budget)} with ${formatDuration(MARGIN_MS)} to spare: ${budget.advice}`;
}

function renderCommand(label: string, command: PlanCommand): string[] {
  const details = [`user: ${command.user ?? "(inherited)"}`];
  if (command.cwd !== null) details.push(`cwd: ${command.cwd}`);
  details.push(`env: ${renderEnv(command.env)}`);
  return [
    `${INDENT}${label.padEnd(5)} ${joinCommand(command.argv, { oneLine: true })}`,
    `${INDENT}      ${details.join("; ")}`,
  ];
}

function renderEnv(env: PlanEnv): string {
  const parts: string[] = [];
  if (env.onlyEnv === null) {
    parts.push("inherits all");
    if (env.envTable.length > 0) parts.push(`[env] ${env.envTable.join(", ")}`);
  } else {
    parts.push(`only ${env.onlyEnv.join(", ")}`);
  }
  if (env.commandEnv.length > 0) parts.push(`own env ${env.commandEnv.join(", ")}`);
  if (env.secrets.length > 0) {
    const secrets = env.secrets.map(({ name, path }) => `${name} from ${path}`);
    parts.push(`secrets ${secrets.join(", ")}`);
  }
  return parts.join(" + ");
}

function renderReady(ready: PlanReady | null): string {
  if (ready === null) return `${INDENT}ready at once (no ready check)`;
  const timing = `timeout ${formatDuration(ready.timeoutMs)}`;
  const every =
    ready.check === "log" || ready.check === "fd" || ready.check === "notify"
      ? ""
      : `, every ${formatDuration(ready.intervalMs)}`;
  const target = ready.command ? joinCommand(ready.command.argv, { oneLine: true }) : ready.target;
  const lines = `${INDENT}ready when ${ready.check} ${target} (${timing}${every})`;
  if (!ready.command) return lines;
  const [, details] = renderCommand("", ready.command);
  return `${lines}\n${details}`;
}

function renderNotify(notify: PlanNotify): string[] {
  const lines = [
    `${INDENT}notify socket: ${notify.env.join(", ")} set for it, whatever its env (only messages from its own processes count)`,
  ];
  if (notify.watchdogMs !== null) {
    lines.push(
      `${INDENT}watchdog: WATCHDOG=1 at least every ${formatDuration(notify.watchdogMs)} once ready, or it is unhealthy`,
    );
  }
  return lines;
}

function renderHealth(health: PlanHealth): string {
  const target = health.command
    ? joinCommand(health.command.argv, { oneLine: true })
    : health.target;
  const d = formatDuration;
  return `${INDENT}healthy while ${health.check} ${target} holds (every ${d(health.intervalMs)}, first after ${d(health.graceMs)}, timeout ${d(health.timeoutMs)}; unhealthy after ${health.failures} failures in a row)`;
}

function renderRestart(restart: PlanRestart | null): string {
  if (restart === null) return `${INDENT}not restarted: when it exits, everything stops`;
  const d = formatDuration;
  const when = restart.on === "always" ? "whenever it exits" : "when it fails";
  const times = restart.max === 1 ? "once" : `${restart.max} times`;
  return `${INDENT}restarted ${when}, at most ${times} within ${d(restart.withinMs)} (waiting ${d(restart.backoffMs)}, doubling up to ${d(restart.maxBackoffMs)}); then everything stops`;
}

function renderShutdownPhase(phase: ShutdownPhase): string[] {
  if (phase.phase === "post") return renderCommand("post", phase);
  const kill = `SIGKILL to its process group after ${formatDuration(phase.stopTimeoutMs)}`;
  if (phase.signal !== null) return [`${INDENT}stop  ${phase.signal}; ${kill}`];
  return [...renderCommand("stop", phase), `${INDENT}      then ${kill} if still running`];
}
