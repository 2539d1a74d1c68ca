// The terminal renderer when stderr is a terminal, plain lines otherwise; configured secrets are
// taken out of every event before it is drawn.
import type { Scrubber } from "../../shared/scrub-secrets.ts";
import { createPlainRenderer } from "./plain-renderer.ts";
import { createTerminalRenderer, type TerminalRenderer } from "./terminal-renderer.ts";

export function createProgressDisplay(out: NodeJS.WriteStream, scrubber: Scrubber): TerminalRenderer {
  const inner: TerminalRenderer = out.isTTY
    ? createTerminalRenderer(out)
    : (() => {
        const plain = createPlainRenderer(out);
        return { emit: (e) => plain.emit(e), print: (text) => void out.write(text.endsWith("\n") ? text : `${text}\n`), stop: () => {}, hold: () => {}, release: () => {} };
      })();
  return {
    emit: (e) => inner.emit(scrubber.scrubDeep(e)),
    print: (text) => inner.print(scrubber.scrub(text)),
    stop: () => inner.stop(),
    hold: () => inner.hold(),
    release: () => inner.release(),
  };
}
