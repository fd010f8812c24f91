// Text that came from elsewhere (a state file on a volume, a control socket's answer), made safe
// to print on a terminal: a control character there could retitle the window, clear the screen
// or overwrite what was printed before it.

/** `text` with every control character (C0, DEL, C1) replaced by a space, cut at `max`. */
export function printable(text: string, max = 500): string {
  return String(text)
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, " ")
    .slice(0, max);
}
