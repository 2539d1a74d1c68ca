// Runs every bench in bench/, one after another, each in a process of its own on this Node (the
// pinned Node 24 when started with `npm run bench`), with its default settings. Stops at the first
// bench that fails, with a non-zero exit.
// Usage: npm run bench [-- name ...]   (names without .ts, e.g. `npm run bench -- engine-overhead`)
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
// Files of bench/ that are not benches: this runner and the helpers the benches import or start.
const notBenches = new Set([
  "run-all.ts",
  "stats.ts",
  "queue-common.ts",
  "slack-workspace-server.ts",
  "slack-recorder.ts",
  // The bare baselines the benches start beside the product.
  "bare-bolt-app.ts",
  "bare-boss-start.ts",
  "bare-sdk-task.ts",
  "bare-slack-pipeline.ts",
  "bare-worker.ts",
]);

const all = readdirSync(here)
  .filter((file) => file.endsWith(".ts") && !notBenches.has(file))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.includes(`${name}.ts`));
if (unknown.length > 0) {
  console.error(`run-all: no bench named ${unknown.join(", ")}; the benches are: ${all.map((file) => file.replace(/\.ts$/, "")).join(", ")}`);
  process.exit(2);
}
const benches = wanted.length > 0 ? all.filter((file) => wanted.includes(file.replace(/\.ts$/, ""))) : all;

for (const [i, file] of benches.entries()) {
  console.log(`\n=== ${file} (${i + 1} of ${benches.length}) ===`);
  const started = performance.now();
  const run = spawnSync(process.execPath, [path.join(here, file)], { stdio: "inherit" });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (run.error || run.status !== 0) {
    const how = run.error ? run.error.message : run.signal ? `killed by ${run.signal}` : `exit code ${run.status}`;
    const skipped = benches.slice(i + 1);
    console.error(`\nrun-all: ${file} failed after ${seconds} s (${how})${skipped.length > 0 ? `; not run: ${skipped.join(", ")}` : ""}`);
    process.exit(1);
  }
  console.log(`=== ${file}: done in ${seconds} s ===`);
}
console.log(`\nrun-all: ${benches.length} benches done`);
