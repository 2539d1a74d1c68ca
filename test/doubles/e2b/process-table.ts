// The processes one stand-in sandbox runs: spawned for real on the host, with envd's semantics —
// a deadline from Connect-Timeout-Ms kills the process (not the client going away), a signal goes
// to the process itself (not its group), and the end event follows the process's exit even if
// orphaned children still hold its output pipes.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import type { SandboxRoot } from "./sandbox-root.ts";
import { RpcError } from "./connect-protocol.ts";

export interface ProcessConfigJson {
  cmd: string;
  args: string[];
  envs: Record<string, string>;
  cwd?: string;
}

export interface EndEventJson {
  exitCode: number;
  exited: boolean;
  status: string;
  error?: string;
}

/** process.ProcessEvent as protobuf JSON: exactly one key set. */
export type ProcessEventJson = { start: { pid: number } } | { data: { stdout: string } | { stderr: string } } | { end: EndEventJson } | { keepalive: Record<string, never> };

type Listener = (event: ProcessEventJson) => void;

// How long output may still drain after the process exits before the pipes are cut (orphans
// holding them must not keep the command "running", as with envd).
const DRAIN_AFTER_EXIT_MS = 100;

const signalWords: Record<string, string> = { SIGKILL: "killed", SIGTERM: "terminated", SIGINT: "interrupt", SIGHUP: "hangup" };

export class StandInProcess {
  readonly pid: number;
  readonly config: ProcessConfigJson;
  readonly tag: string | undefined;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<Listener>();
  private endEvent: EndEventJson | undefined;
  private deadline: NodeJS.Timeout | undefined;

  constructor(child: ChildProcess, config: ProcessConfigJson, tag: string | undefined, onEnd: () => void) {
    this.child = child;
    this.pid = child.pid!;
    this.config = config;
    this.tag = tag;
    child.stdout?.on("data", (chunk: Buffer) => this.emit({ data: { stdout: chunk.toString("base64") } }));
    child.stderr?.on("data", (chunk: Buffer) => this.emit({ data: { stderr: chunk.toString("base64") } }));
    child.stdin?.on("error", () => {}); // writes to a process that exited; envd reports nothing either
    child.once("exit", (code, signal) => {
      clearTimeout(this.deadline);
      this.endEvent = endEventOf(code, signal);
      setTimeout(() => this.cutOutput(), DRAIN_AFTER_EXIT_MS).unref();
    });
    child.once("close", () => {
      this.emit({ end: this.endEvent ?? endEventOf(null, "SIGKILL") });
      this.listeners.clear();
      onEnd();
    });
  }

  get ended(): boolean {
    return this.endEvent !== undefined;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** envd: the process's context times out and exec kills the process itself. */
  killAfter(ms: number): void {
    this.deadline = setTimeout(() => this.signal("SIGKILL"), ms);
    this.deadline.unref();
  }

  signal(name: NodeJS.Signals): void {
    try {
      process.kill(this.pid, name);
    } catch {
      // already gone
    }
    // envd stops forwarding output on SIGKILL/SIGTERM so the stream can end with the process.
    if (name === "SIGKILL" || name === "SIGTERM") this.child.once("exit", () => this.cutOutput());
  }

  writeStdin(data: Buffer): void {
    if (!this.child.stdin || this.child.stdin.writableEnded) throw new RpcError("failed_precondition", "stdin not enabled or closed");
    this.child.stdin.write(data);
  }

  closeStdin(): void {
    this.child.stdin?.end();
  }

  private cutOutput(): void {
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
  }

  private emit(event: ProcessEventJson): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}

function endEventOf(code: number | null, signal: NodeJS.Signals | null): EndEventJson {
  if (code !== null) {
    const status = `exit status ${code}`;
    return code === 0 ? { exitCode: 0, exited: true, status } : { exitCode: code, exited: true, status, error: status };
  }
  const status = `signal: ${signalWords[signal ?? "SIGKILL"] ?? String(signal).toLowerCase()}`;
  return { exitCode: -1, exited: false, status, error: status };
}

export interface StartOptions {
  config: ProcessConfigJson;
  user: string;
  tag: string | undefined;
  stdin: boolean;
}

export class ProcessTable {
  private readonly root: SandboxRoot;
  private readonly envVars: Record<string, string>;
  private readonly processes = new Map<number, StandInProcess>();

  constructor(root: SandboxRoot, envVars: Record<string, string>) {
    this.root = root;
    this.envVars = envVars;
  }

  async start(options: StartOptions): Promise<StandInProcess> {
    const { config, user } = options;
    const home = this.root.homeOf(user);
    const cwd = this.root.resolve(config.cwd ?? home, user);
    const hostCwd = this.root.toHost(cwd);
    const cwdStats = await fs.stat(hostCwd).catch(() => undefined);
    if (!cwdStats) throw new RpcError("invalid_argument", `cwd '${cwd}' does not exist`);

    // The SDK runs `bash -l -c <cmd>`. A login shell would read the host's /etc/profile, which
    // resets PATH and is not the sandbox's profile; the stand-in's environment plays that part.
    const args = isBash(config.cmd) && config.args[0] === "-l" ? config.args.slice(1) : config.args;
    const env: Record<string, string> = {
      PATH: `${this.root.toHost("/usr/local/bin")}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      HOME: this.root.toHost(home),
      USER: user,
      LOGNAME: user,
      LANG: "C.UTF-8",
      ...this.envVars,
      ...config.envs,
    };
    const child = spawn(config.cmd, args, { cwd: hostCwd, env, stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (error) => reject(new RpcError("invalid_argument", `error starting process '${[config.cmd, ...config.args].join(" ")}': ${error.message}`)));
    });
    const proc = new StandInProcess(child, config, options.tag, () => this.processes.delete(proc.pid));
    this.processes.set(proc.pid, proc);
    return proc;
  }

  find(selector: { pid?: number; tag?: string }): StandInProcess {
    for (const proc of this.processes.values()) {
      if (selector.pid !== undefined ? proc.pid === selector.pid : selector.tag !== undefined && proc.tag === selector.tag) return proc;
    }
    const what = selector.pid !== undefined ? `pid ${selector.pid}` : `tag ${selector.tag ?? "(none)"}`;
    throw new RpcError("not_found", `process with ${what} not found`);
  }

  list(): StandInProcess[] {
    return [...this.processes.values()];
  }

  /** Freezes or thaws every process (pause/resume of the sandbox). */
  freeze(frozen: boolean): void {
    for (const proc of this.processes.values()) signalGroup(proc, frozen ? "SIGSTOP" : "SIGCONT");
  }

  /** The sandbox is gone: everything in it dies. */
  killAll(): void {
    for (const proc of this.processes.values()) signalGroup(proc, "SIGKILL");
  }
}

// A whole VM pauses or dies at once; on the host the closest is the process and the group it
// leads, if it made one (commands run under setsid do).
function signalGroup(proc: StandInProcess, name: NodeJS.Signals): void {
  try {
    process.kill(-proc.pid, name);
  } catch {
    // not a group leader
  }
  proc.signal(name);
}

function isBash(cmd: string): boolean {
  return cmd === "bash" || cmd.endsWith("/bash");
}
