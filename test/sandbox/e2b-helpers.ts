// Shared by the E2B adapter tests: a provider wired to the loopback stand-ins, and host-side
// checks on the processes the envd stand-in ran.
import fs from "node:fs/promises";
import { randomInt } from "node:crypto";
import pino from "pino";
import { E2bSandboxProvider, type E2BProviderOptions } from "../../src/sandbox/e2b/e2b-provider.ts";
import type { FakeE2B } from "../doubles/e2b/fake-e2b.ts";

export const silentLogger = pino({ level: "silent" });

export function providerFor(fake: FakeE2B, options: Partial<E2BProviderOptions> = {}): E2bSandboxProvider {
  return new E2bSandboxProvider({
    apiKey: fake.apiKey,
    logger: silentLogger,
    retryDelayMs: 10,
    ...options,
    connection: { apiUrl: fake.apiUrl, sandboxUrl: fake.sandboxUrl, ...options.connection },
  });
}

/** Host processes whose command line contains `marker` (the stand-in runs commands on the host). */
export async function processesWith(marker: string): Promise<number[]> {
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
  let left = await processesWith(marker);
  for (let i = 0; i < 50 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = await processesWith(marker);
  }
  return left;
}

/** A `sleep` argument no other process has: 1000.<random digits> seconds. */
export const uniqueSleep = () => `1000.${randomInt(100_000, 999_999)}${randomInt(100_000, 999_999)}`;
