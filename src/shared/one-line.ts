// Text squeezed onto one line (whitespace collapsed), cut with an ellipsis past `max`:
// for lists, progress lines and summaries.
export function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
