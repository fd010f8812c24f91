// "host:port" as the config and the environment write an address.

/** "host:port", with an IPv6 host in brackets: "[::1]:5432". */
export function parseHostPort(text: string): { host: string; port: number } | string {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(text);
  if (!match) {
    return text.split(":").length > 2
      ? 'expected "host:port"; write an IPv6 address in brackets: "[::1]:5432"'
      : 'expected "host:port", such as "127.0.0.1:5432"';
  }
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return "the port is out of range (1-65535)";
  return { host: (match[1] ?? match[2])!, port };
}
