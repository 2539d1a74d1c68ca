// Command isolation through @anthropic-ai/sandbox-runtime (bubblewrap on Linux,
// sandbox-exec on macOS). The runtime's SandboxManager is a process-wide singleton
// that runs network proxies, so it is started once, shared by every provider in the
// process, and stopped when the last one lets go. It starts at the first command that
// needs it, not when a sandbox is made: many tasks run none. The runtime's dependency
// check (checkIsolation) runs then too; when a sandbox is made, only the programs it
// needs are looked up on PATH (isolation-tools.ts), so a machine without them is still
// refused at once.
//
// Everything task-specific goes per sandbox: the filesystem policy as the wrap's
// custom config, the network allowlist as a list under a random id. The shared
// configuration itself allows nothing.
//
// Wrapping is the expensive part (a blocking `which`, a ripgrep scan, hundreds of
// file-system calls: ~60 ms of the main thread), so a sandbox wraps once — a fixed
// supervisor that runs the commands it is sent (isolated-shell.ts) — and reuses the
// line (isolated-launcher.ts decides when it must be rebuilt). Starting bubblewrap is
// the next most expensive part, so a shell on the line serves the sandbox's commands one
// after another (shell-pool.ts); a command that leaves anything running ends its shell.
import { randomBytes } from "node:crypto";
import os from "node:os";
import type { SandboxRuntimeConfig } from "@anthropic-ai/sandbox-runtime";
import { CodedError } from "../../shared/errors.ts";
import { splitWords, withBwrapOptions, withHelperExecuted, withoutNetworkRelays } from "./bwrap-line.ts";
import { commandEnvironment } from "./command-env.ts";
import { IsolatedShell, supervisorScript } from "./isolated-shell.ts";
import { sandboxRuntime } from "./sandbox-runtime.ts";

export interface IsolationPolicy {
  /** Directories the command may write (and read). */
  writable: string[];
  /** Directories and files the command may not read, unless also writable. */
  deniedReads: string[];
  /** Domains reachable through the runtime's proxy; empty = no network. */
  allowedDomains: string[];
  /** TMPDIR inside the sandbox (the runtime would otherwise set a shared one). */
  tmpdir: string;
}

/** An isolated shell's line: `argv` starts the supervisor of isolated-shell.ts. */
export interface PreparedIsolation {
  /** The program and its arguments. */
  readonly argv: readonly string[];
  /** Call once no command runs on this line any more. */
  release(): void;
}

export interface IsolationHandle {
  /** Warnings the runtime reported about this machine (e.g. no seccomp filter). */
  readonly warnings: string[];
  /** Wraps the launcher for this policy; as costly as wrapping one command, so callers keep the result. */
  prepare(policy: IsolationPolicy): Promise<PreparedIsolation>;
  /** Idempotent; the runtime stops when the last handle is released. */
  release(): Promise<void>;
}

const SHARED_CONFIG: SandboxRuntimeConfig = {
  network: { allowedDomains: [], deniedDomains: [] },
  filesystem: { denyRead: [], allowWrite: [], denyWrite: [] },
};

const INSTALL_HINT =
  "Install what is missing (Debian/Ubuntu: apt-get install bubblewrap socat ripgrep; " +
  "Fedora: dnf install bubblewrap socat ripgrep), or opt out explicitly with SANDBOX_ISOLATION=none " +
  "to run commands without isolation.";

/** The runtime's process-wide singleton (loaded at first use: sandbox-runtime.ts). */
const manager = () => sandboxRuntime().SandboxManager;

let holders = 0;
let running: Promise<string[]> | undefined;
let stopping: Promise<void> | undefined;
/** The warnings of the last check that passed: the check looks up programs on PATH, blocking, so it runs once. */
let installed: string[] | undefined;

/**
 * Whether this machine has what isolation needs installed (no command is run in a sandbox);
 * returns the runtime's warnings, throws CodedError("isolation_unavailable") saying how to fix it.
 * Only success is kept: once the user installs what was missing, the next check passes.
 */
function checkIsolation(): string[] {
  if (installed) return installed;
  if (!manager().isSupportedPlatform()) {
    throw isolationUnavailable(`the sandbox runtime does not support this platform (${process.platform})`);
  }
  const deps = manager().checkDependencies();
  if (deps.errors.length > 0) throw isolationUnavailable(deps.errors.join("; "));
  installed = deps.warnings;
  return installed;
}

/** Starts the shared runtime if needed; throws CodedError("isolation_unavailable") saying how to fix it. */
export async function acquireIsolation(): Promise<IsolationHandle> {
  await stopping;
  holders++;
  let warnings: string[];
  try {
    running ??= start();
    warnings = await running;
  } catch (error) {
    holders--;
    running = undefined;
    throw error;
  }
  let released = false;
  return {
    warnings,
    prepare: (policy) => prepare(policy),
    release: async () => {
      if (released) return;
      released = true;
      holders--;
      if (holders === 0) await stop();
    },
  };
}

async function start(): Promise<string[]> {
  const warnings = checkIsolation();
  try {
    await manager().initialize(SHARED_CONFIG);
  } catch (error) {
    await manager()
      .reset()
      .catch(() => {});
    throw isolationUnavailable(`the sandbox runtime failed to start: ${(error as Error).message}`, error);
  }
  // Installed is not the same as usable: a container or an AppArmor policy can
  // forbid the user namespaces bubblewrap needs. One real command tells.
  const probe = await probeSandbox().catch((error: unknown) => ({ ok: false, detail: (error as Error).message }));
  if (!probe.ok) {
    await manager()
      .reset()
      .catch(() => {});
    throw isolationUnavailable(
      `a sandboxed test command failed (${probe.detail}). If bubblewrap cannot create namespaces here, ` +
        "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or " +
        "kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu 24.04+), or run the container with " +
        "permission to create them",
    );
  }
  return warnings;
}

async function probeSandbox(): Promise<{ ok: boolean; detail: string }> {
  const tmp = os.tmpdir();
  const prepared = await prepare({ writable: [], deniedReads: [], allowedDomains: [], tmpdir: tmp });
  const shell = new IsolatedShell(prepared.argv, commandEnvironment({ workdir: tmp, tmpdir: tmp }), tmp);
  try {
    const result = await shell.run({ command: "true", cwd: tmp, timeoutMs: 30_000, signal: new AbortController().signal, maxOutputBytes: 4096 });
    const stderr = result.stderr.trim().split("\n").slice(0, 3).join(" / ");
    return { ok: result.exitCode === 0, detail: `exit ${result.exitCode}${stderr ? `: ${stderr}` : ""}` };
  } finally {
    shell.kill();
    await shell.exited;
    prepared.release();
  }
}

async function stop(): Promise<void> {
  const previous = running;
  running = undefined;
  if (!previous) return;
  stopping = previous
    .then(
      () => manager().reset(),
      () => {},
    )
    .finally(() => {
      stopping = undefined;
    });
  await stopping;
}

async function prepare(policy: IsolationPolicy): Promise<PreparedIsolation> {
  // Unguessable, as the runtime requires for an id that carries a network allowlist.
  const commandId = randomBytes(16).toString("base64url");
  const literal = (p: string) => ({ path: p, literal: true as const });
  // Our TMPDIR first: the runtime sets one shared by all sandboxes.
  const command = supervisorScript(policy.tmpdir);
  const wrapped = await manager().wrapWithSandbox(
    command,
    "bash",
    {
      filesystem: {
        denyRead: policy.deniedReads.map(literal),
        allowRead: policy.writable.map(literal),
        allowWrite: policy.writable.map(literal),
        // The runtime makes some host paths writable for every sandbox (/tmp/claude,
        // ~/.npm/_logs…): one place all tasks could write is a channel between them.
        denyWrite: sharedWritePaths().map(literal),
      },
    },
    undefined,
    { commandId, commandText: command },
  );
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    manager().unregisterCommandNetworkLists(commandId);
    // Removes mount-point files bubblewrap leaves on the host for denied paths.
    manager().cleanupAfterCommand();
  };
  try {
    const argv = finishArgv(wrapped, command, policy);
    if (policy.allowedDomains.length > 0) {
      manager().registerCommandNetworkLists(commandId, { allowedDomains: policy.allowedDomains });
    }
    return { argv, release };
  } catch (error) {
    release();
    throw error;
  }
}

/** Host paths the runtime lets every sandbox write, bar the devices bubblewrap makes private. */
export function sharedWritePaths(): string[] {
  return sandboxRuntime()
    .getDefaultWritePaths()
    .filter((p) => !p.startsWith("/dev/"));
}

/** The runtime's line as the argv we run (bwrap-line.ts says what is changed and why). */
function finishArgv(wrapped: string, command: string, policy: IsolationPolicy): string[] {
  if (process.platform !== "linux") return ["bash", "-c", wrapped];
  // A private IPC namespace: System V queues, semaphores and shared memory are host-wide
  // otherwise, outlive the command, and would let tasks talk to each other.
  const words = withBwrapOptions(splitWords(wrapped) ?? [], ["--unshare-ipc"]);
  if (words === undefined) {
    throw new CodedError(
      "isolation_unavailable",
      "Commands cannot be isolated: @anthropic-ai/sandbox-runtime rendered a bubblewrap command this version of deep-agent " +
        "does not recognise (it adds --unshare-ipc to it); install the runtime version package-lock.json names.",
    );
  }
  // Without domains the relays carry nothing; bubblewrap's empty network namespace stays.
  const quiet = policy.allowedDomains.length === 0 ? (withoutNetworkRelays(words, command) ?? words) : words;
  return withHelperExecuted(quiet) ?? quiet;
}

/** Commands cannot be isolated because of `what`; the message says how to fix it. */
export function isolationUnavailable(what: string, cause?: unknown): CodedError {
  return new CodedError("isolation_unavailable", `Commands cannot be isolated on this machine: ${what}. ${INSTALL_HINT}`, {
    cause,
  });
}
