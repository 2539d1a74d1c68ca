// Where `bash` is, looked up once per PATH. Started by name, each command would first try every
// directory of PATH before bash's own (a failed exec each), and bash would search PATH again for
// itself; with the full path neither happens.
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";

const found = new Map<string, Promise<string>>();

/** The first executable `bash` on `searchPath`; "bash" itself when there is none (starting it then fails as it always did). */
export function bashOn(searchPath: string): Promise<string> {
  let lookup = found.get(searchPath);
  if (!lookup) {
    lookup = firstBash(searchPath);
    found.set(searchPath, lookup);
  }
  return lookup;
}

async function firstBash(searchPath: string): Promise<string> {
  for (const dir of searchPath.split(":")) {
    // An empty entry or a relative one names a directory relative to the command's, not ours.
    if (!path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, "bash");
    const stat = await fs.stat(candidate).catch(() => null);
    if (
      stat?.isFile() &&
      (await fs.access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      ))
    )
      return candidate;
  }
  return "bash";
}
