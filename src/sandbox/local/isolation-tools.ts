// Whether the programs isolation runs are installed, looked up on PATH without loading the
// sandbox runtime (loading it takes ~110 ms, most of a one-shot `task` that runs no command).
// A sandbox is refused at once when one is missing, the usual reason isolation cannot work;
// the runtime's own fuller check (seccomp helper, bubblewrap's version, running as root) runs
// when a sandbox's first command starts the isolation (isolation.ts).
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { isolationUnavailable } from "./isolation.ts";

const TOOLS: ReadonlyArray<readonly [program: string, name: string]> = [
  ["bwrap", "bubblewrap (bwrap)"],
  ["socat", "socat"],
  ["rg", "ripgrep (rg)"],
];

/** PATH values whose tools were all found: the lookup is a few dozen blocking calls, made once. */
const found = new Set<string>();

/** Throws CodedError("isolation_unavailable") naming what is missing and how to install it. */
export function checkIsolationTools(envPath = process.env["PATH"] ?? ""): void {
  // Elsewhere (macOS) the runtime uses the system's own sandbox: its check decides.
  if (process.platform !== "linux" || found.has(envPath)) return;
  const dirs = envPath.split(path.delimiter).filter((d) => path.isAbsolute(d));
  const missing = TOOLS.filter(([program]) => !dirs.some((dir) => isExecutable(path.join(dir, program)))).map(([, name]) => name);
  if (missing.length > 0) throw isolationUnavailable(`${missing.join(", ")} not installed`);
  found.add(envPath);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
