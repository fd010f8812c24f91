// Runs a config file under a Supervisor: the CLI's default action. (Being written.)
export async function runConfig(_configPath: string): Promise<number> {
  throw new Error("not implemented yet");
}
