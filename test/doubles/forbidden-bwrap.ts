// A machine where bubblewrap is installed but may not create user namespaces (a container under
// Docker's default seccomp profile, Ubuntu's AppArmor restriction), for real: a directory for
// PATH with the real tools the sandbox runtime looks for (which, bash, sh, socat, rg) and, as
// `bwrap`, a script that answers --version and fails every sandbox as bubblewrap does there.
import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const BWRAP = `#!/bin/sh
if [ "$1" = "--version" ]; then echo "bubblewrap 0.11.0"; exit 0; fi
echo "bwrap: setting up uid map: Permission denied" >&2
exit 1
`;

export interface FakePath {
  /** The directory to use as the whole PATH. */
  dir: string;
  remove(): Promise<void>;
}

export async function pathWithForbiddenBwrap(): Promise<FakePath> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "forbidden-bwrap-"));
  for (const tool of ["which", "bash", "sh", "socat", "rg"]) {
    const found = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    if (found) await fs.symlink(found, path.join(dir, tool));
  }
  await fs.writeFile(path.join(dir, "bwrap"), BWRAP, { mode: 0o755 });
  return { dir, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}
