// Text that holds NUL characters (a binary file cat'ed, a command printing `\0`) is shown with each
// NUL as ␀, so it can be read, stored and posted anywhere; the note says what was replaced.
// (Invalid UTF-8 is already replaced by U+FFFD where bytes are decoded.)

export const NUL_SYMBOL = "\u2400";

export function withVisibleNuls(text: string): string {
  if (!text.includes("\0")) return text;
  let count = 0;
  const shown = text.replace(/\0/g, () => {
    count++;
    return NUL_SYMBOL;
  });
  return `${shown}\n[${count} NUL byte${count === 1 ? "" : "s"} shown as ${NUL_SYMBOL}]`;
}
