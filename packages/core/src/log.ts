// Ground Control's own messages: their levels, their fields, and the function that writes one.

export type LogLevel = "debug" | "info" | "warn" | "error";

/** Extra facts of a message; JSON output carries them as keys. Never environment values. */
export type LogFields = Record<string, string | number | boolean | null>;

export type Logger = (level: LogLevel, msg: string, fields?: LogFields) => void;
