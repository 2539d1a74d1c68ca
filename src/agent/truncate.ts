// Cuts huge text in the middle, keeping head and tail, and says how much was cut.
export function truncateMiddle(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.length - maxChars;
  const head = Math.ceil(maxChars * 0.6);
  const tail = maxChars - head;
  const note = `\n[… ${cut.toLocaleString("en-US")} of ${text.length.toLocaleString("en-US")} characters cut from the middle of this output …]\n`;
  return text.slice(0, head) + note + (tail > 0 ? text.slice(text.length - tail) : "");
}
