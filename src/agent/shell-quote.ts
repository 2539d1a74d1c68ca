// Quotes one argument for bash, so tool inputs never become shell syntax.
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
