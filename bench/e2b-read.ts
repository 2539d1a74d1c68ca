// What reading a few lines of a huge file costs on the E2B adapter, against the loopback
// stand-ins (the envd stand-in streams from disk, as envd does): the product's readText of
// 5 lines from a 1 GiB sparse file, side by side with the bare SDK doing the least it can
// for the same answer (a streamed download cancelled after its first chunk), in one run.
// Prints medians of the time and the process's RSS before and after.
// Usage: npx node bench/e2b-read.ts [runs=20]
import { Sandbox as SdkSandbox } from "e2b";
import { startFakeE2B } from "../test/doubles/e2b/fake-e2b.ts";
import { providerFor } from "../test/sandbox/e2b-helpers.ts";
import { median } from "./stats.ts";

const runs = Number(process.argv[2] ?? 20);
const MiB = 1024 * 1024;
const fake = await startFakeE2B();
const sandbox = await providerFor(fake).create({ taskId: "bench-read" });
const made = await sandbox.exec("seq -f 'line %g' 1 3000 > big.txt && truncate -s 1G big.txt", { timeoutMs: 60_000 });
if (made.exitCode !== 0) throw new Error(`could not make the file: ${made.stderr}`);
const sdk = await SdkSandbox.connect(sandbox.id, { apiKey: fake.apiKey, apiUrl: fake.apiUrl, sandboxUrl: fake.sandboxUrl });
const readText = sandbox.readText?.bind(sandbox);
if (!readText) throw new Error("the E2B adapter has no readText");

async function bare(): Promise<void> {
  const stream = await sdk.files.read("/home/user/big.txt", { format: "stream" });
  const reader = stream.getReader();
  const first = await reader.read();
  await reader.cancel();
  if (!first.value || !Buffer.from(first.value).toString("utf8").includes("line 5\n")) throw new Error("bare read found no lines");
}

async function product(): Promise<void> {
  const slice = await readText("big.txt", { limit: 5 });
  if (slice.lines.length !== 5) throw new Error(`readText gave ${slice.lines.length} lines`);
}

const rssBefore = process.memoryUsage().rss;
const times: Record<"bare" | "product", number[]> = { bare: [], product: [] };
for (let i = 0; i < runs + 2; i++) {
  for (const [name, run] of [
    ["bare", bare],
    ["product", product],
  ] as const) {
    const start = performance.now();
    await run();
    if (i >= 2) times[name].push(performance.now() - start);
  }
}
const rssAfter = process.memoryUsage().rss;
await sandbox.close();
await fake.close();

const b = median(times.bare);
const p = median(times.product);
console.log(`E2B read of 5 lines from a 1 GiB sparse file, ${runs} runs each (stand-ins on loopback)`);
console.log(`  bare SDK (stream, first chunk, cancel)  median ${b.toFixed(1)} ms`);
console.log(`  readText (look, then stream the slice)  median ${p.toFixed(1)} ms  ×${(p / b).toFixed(2)} bare`);
console.log(`  RSS ${(rssBefore / MiB).toFixed(0)} MiB before, ${(rssAfter / MiB).toFixed(0)} MiB after ${2 * (runs + 2)} reads`);
