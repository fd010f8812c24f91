// Key paths as people read them: `processes[2].run.only-env`, `env."MY VAR"`.

export type KeySegment = string | number;

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

export function formatKeyPath(path: readonly KeySegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else {
      const key = BARE_KEY.test(segment) ? segment : JSON.stringify(segment);
      out += out === "" ? key : `.${key}`;
    }
  }
  return out;
}
