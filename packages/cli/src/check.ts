// `groundcontrol --check [--json] CONFIG`: validates a config and renders its plan. It returns
// what to print instead of printing, so tests (and the fuzzer) run the very same code in-process.
import { ConfigError, loadConfig } from "@groundcontrol/config";
import { buildPlan } from "./plan.js";
import { renderPlan } from "./plan-text.js";

export interface CheckResult {
  /** 0: valid; 2: invalid or unreadable. */
  exitCode: 0 | 2;
  stdout: string;
  stderr: string;
}

export async function check(config: string, options: { json: boolean }): Promise<CheckResult> {
  try {
    const plan = buildPlan(await loadConfig(config), config);
    const stdout = options.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(plan);
    return { exitCode: 0, stdout, stderr: "" };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const report = { valid: false, config, issues: error.issues };
    const stdout = options.json ? `${JSON.stringify(report, null, 2)}\n` : "";
    return { exitCode: 2, stdout, stderr: `${error.message}\n` };
  }
}
