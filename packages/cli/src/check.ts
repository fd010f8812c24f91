// `groundcontrol --check [--json] [--strict] [--platform P | --kill-timeout D] CONFIG`: validates a
// config and renders its plan; with a platform, also fails when the shutdown cannot fit its
// kill timeout.
// It returns what to print instead of printing, so tests (and the fuzzer) run the very same code
// in-process.
import { ConfigError, type ConfigIssue, formatIssue, loadConfigSync } from "@groundcontrol/config";
import type { KillTimeout } from "./platforms.js";

export interface CheckResult {
  /**
   * 0: valid; 2: invalid, unreadable, (with --strict) not usable in this image, or (with a kill
   * timeout) a shutdown that may outlast it.
   */
  exitCode: 0 | 2;
  stdout: string;
  stderr: string;
}

export interface CheckOptions {
  json: boolean;
  /** Also check users, groups, programs and cwds against this image. */
  strict: boolean;
  /** The shutdown must fit inside this (--platform, --kill-timeout). */
  killTimeout?: KillTimeout;
}

export async function check(config: string, options: CheckOptions): Promise<CheckResult> {
  let spec: ReturnType<typeof loadConfigSync>;
  try {
    spec = loadConfigSync(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return invalid(config, error.issues, error.message, options);
  }
  if (options.strict) {
    const { strictIssues } = await import("./strict.js");
    const issues = strictIssues(spec, config);
    if (issues.length > 0) {
      const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
      const report = [`${config}: not usable in this image (${count})`, ...issues.map(formatIssue)];
      return invalid(config, issues, report.join("\n"), options);
    }
  }
  // The plan needs core (for its DEFAULTS), which takes a while to load: only for valid files.
  const { buildPlan } = await import("./plan.js");
  const { renderPlan, misfit } = await import("./plan-text.js");
  const plan = buildPlan(spec, config, options.killTimeout);
  // The file is valid either way; a shutdown that may outlast the kill timeout fails the check.
  const problem = misfit(plan);
  const exitCode = problem === null ? 0 : 2;
  const stderr = problem === null ? "" : `${problem}\n`;
  if (options.json) return { exitCode, stdout: `${JSON.stringify(plan, null, 2)}\n`, stderr };
  return { exitCode, stdout: renderPlan(plan), stderr };
}

function invalid(
  config: string,
  issues: readonly ConfigIssue[],
  message: string,
  options: CheckOptions,
): CheckResult {
  const report = { valid: false, config, issues };
  const stdout = options.json ? `${JSON.stringify(report, null, 2)}\n` : "";
  return { exitCode: 2, stdout, stderr: `${message}\n` };
}
