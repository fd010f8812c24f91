// The platforms `--check --platform` knows: how long each waits after its stop signal before it
// kills the container, by default, and where that is set.

export const PLATFORMS = {
  fly: { name: "Fly.io", killTimeoutMs: 5_000, setting: "kill_timeout in fly.toml" },
  docker: {
    name: "Docker",
    killTimeoutMs: 10_000,
    setting: "docker stop --time (stop_grace_period in Compose)",
  },
  kubernetes: {
    name: "Kubernetes",
    killTimeoutMs: 30_000,
    setting: "terminationGracePeriodSeconds in the Pod spec",
  },
} as const;

export type Platform = keyof typeof PLATFORMS;

export function isPlatform(name: string): name is Platform {
  return Object.hasOwn(PLATFORMS, name);
}

/** What the shutdown must fit in: a platform's default kill timeout, or one given as such. */
export type KillTimeout = { platform: Platform } | { ms: number };
