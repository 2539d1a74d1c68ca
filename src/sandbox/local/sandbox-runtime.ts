// @anthropic-ai/sandbox-runtime, loaded when a sandbox first needs it rather than with the program:
// it brings its own zod and a TLS library (some 100 modules, ~110 ms of the main thread), which
// `start` with isolation off, an HTTP-only process, or a task that runs no command never use.
// Loaded with require (the package is ESM without top-level await): the callers stay synchronous,
// and it is the same module instance an `import` of the package gets.
import { createRequire } from "node:module";

type SandboxRuntimeModule = typeof import("@anthropic-ai/sandbox-runtime");

const require = createRequire(import.meta.url);
let loaded: SandboxRuntimeModule | undefined;

export function sandboxRuntime(): SandboxRuntimeModule {
  loaded ??= require("@anthropic-ai/sandbox-runtime") as SandboxRuntimeModule;
  return loaded;
}
