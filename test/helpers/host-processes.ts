// Host-side checks on the processes a sandbox ran (the local adapter and the E2B stand-in
// both run commands on this machine, isolated ones included: they share /proc).
import fs from "node:fs/promises";
import { randomInt } from "node:crypto";
import { waitFor } from "./wait-for.ts";

/** Host processes whose command line contains `marker`. */
async function processesWith(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await fs.readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await fs.readFile(`/proc/${name}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(marker)) pids.push(Number(name));
  }
  return pids;
}

/** Killed processes take a moment to be reaped; waits a bounded time for them to go. */
export async function waitUntilGone(marker: string): Promise<number[]> {
  const gone = await waitFor(`no process with "${marker}"`, async () => (await processesWith(marker)).length === 0, { timeoutMs: 5_000, intervalMs: 50 }).catch(() => false);
  return gone ? [] : processesWith(marker);
}

/** A `sleep` argument no other process has: 1000.<random digits> seconds. */
export const uniqueSleep = () => `1000.${randomInt(100_000, 999_999)}${randomInt(100_000, 999_999)}`;
