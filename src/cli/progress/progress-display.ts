// The terminal renderer when stderr is a terminal, plain lines otherwise.
import { createPlainRenderer } from "./plain-renderer.ts";
import { createTerminalRenderer, type TerminalRenderer } from "./terminal-renderer.ts";

export function createProgressDisplay(out: NodeJS.WriteStream): TerminalRenderer {
  if (out.isTTY) return createTerminalRenderer(out);
  const plain = createPlainRenderer(out);
  return { emit: (e) => plain.emit(e), print: (text) => void out.write(text.endsWith("\n") ? text : `${text}\n`), stop: () => {} };
}
