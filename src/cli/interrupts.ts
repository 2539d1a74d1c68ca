// Ctrl-C handling: the first press cancels the current work, a second one quits.
export function onInterrupt(first: () => void, second: () => void): () => void {
  let pressed = false;
  const handler = () => {
    if (pressed) return second();
    pressed = true;
    first();
  };
  process.on("SIGINT", handler);
  return () => {
    process.off("SIGINT", handler);
  };
}
