#!/usr/bin/env -S node --max-semi-space-size=1
// Launcher: runs the TypeScript CLI on the Node 24 pinned in this package, even when
// the `node` on PATH is older (type stripping needs Node >= 23.6). The small young
// generation keeps a `deep-agent task` under 150 MB (bench/task-rss.ts); the long-running
// roles started with `node bin/deep-agent.js` (the Dockerfile) keep V8's defaults.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import nodeModule from "node:module";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const major = Number(process.versions.node.split(".")[0]);
if (major >= 24) {
  // Node keeps the compiled code, and the stripped TypeScript, of every module on disk (in the temp
  // directory unless NODE_COMPILE_CACHE names one; NODE_DISABLE_COMPILE_CACHE=1 turns it off): every
  // start after the first skips most of the work of loading the program.
  nodeModule.enableCompileCache?.();
  await import(main);
} else {
  const pinned = fileURLToPath(new URL("../node_modules/node/bin/node", import.meta.url));
  if (!existsSync(pinned)) {
    console.error(`deep-agent: needs Node.js 24 or newer (this is ${process.version}); run \`npm install\` in the checkout to get the pinned one`);
    process.exit(2);
  }
  // This launcher again on the pinned Node, so the branch above (compile cache included) runs there.
  const child = spawnSync(pinned, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}
