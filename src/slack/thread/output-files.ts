// Files the agent left in outputs/ of its sandbox, read before the sandbox closes so they can be
// uploaded to the thread with the result. Bounded: a runaway loop writing thousands of files
// delivers the first few and says how many it left out.
import type { Sandbox, FileEntry } from "../../sandbox/port.ts";
import { hasCode } from "../../shared/errors.ts";
import type { OutputFile, TaskOutputs } from "../../tasks/task-hooks.ts";

export interface OutputLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

const DEFAULT_OUTPUT_LIMITS: OutputLimits = { maxFiles: 10, maxFileBytes: 50 * 1024 * 1024, maxTotalBytes: 100 * 1024 * 1024 };

export async function collectOutputs(sandbox: Sandbox, limits: OutputLimits = DEFAULT_OUTPUT_LIMITS): Promise<TaskOutputs> {
  const entries = await listTree(sandbox, "outputs", "", 3);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const files: OutputFile[] = [];
  const skipped: string[] = [];
  let total = 0;
  for (const { name, entry } of entries) {
    if (files.length >= limits.maxFiles) {
      skipped.push(`${name} (more than ${limits.maxFiles} files)`);
      continue;
    }
    if (entry.size !== undefined && entry.size > limits.maxFileBytes) {
      skipped.push(`${name} (over ${Math.round(limits.maxFileBytes / 1024 / 1024)} MB)`);
      continue;
    }
    let content: Uint8Array;
    try {
      content = await sandbox.readFile(entry.path);
    } catch (error) {
      skipped.push(`${name} (${(error as Error).message})`);
      continue;
    }
    if (content.byteLength > limits.maxFileBytes || total + content.byteLength > limits.maxTotalBytes) {
      skipped.push(`${name} (too large to upload)`);
      continue;
    }
    total += content.byteLength;
    files.push({ name, content });
  }
  return { files, skipped };
}

async function listTree(sandbox: Sandbox, dir: string, prefix: string, depth: number): Promise<Array<{ name: string; entry: FileEntry }>> {
  let entries: FileEntry[];
  try {
    entries = await sandbox.list(dir);
  } catch (error) {
    if (hasCode(error, "file_not_found", "not_directory")) return [];
    throw error;
  }
  const out: Array<{ name: string; entry: FileEntry }> = [];
  for (const entry of entries) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.type === "file") out.push({ name, entry });
    else if (entry.type === "dir" && depth > 1) out.push(...(await listTree(sandbox, `${dir}/${entry.name}`, name, depth - 1)));
  }
  return out;
}
