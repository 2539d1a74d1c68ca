// The launcher process: runs commands (run-process.ts) for a worker. Starting a process forks
// the process that starts it: the kernel copies its page tables, the parent then takes
// copy-on-write faults, and the child tears the copy down at exec. That grows with the process:
// about 4 ms of CPU per command from a loaded worker (300 MB), about 1 ms from this one.
// Started by process-launcher.ts with an IPC channel; it ends with that channel, and stops the
// commands it runs as it goes.
import { failureOf } from "../../shared/errors.ts";
import type { LaunchReply, LaunchRequest } from "./launcher-messages.ts";
import { killProcessGroup, runProcess } from "./run-process.ts";

if (!process.send) throw new Error("launcher-process.ts runs as a child with an IPC channel (process-launcher.ts starts it)");
const running = new Map<number, { controller: AbortController; group?: number }>();
const reply = (message: LaunchReply) => process.send!(message);

process.on("message", (request: LaunchRequest) => {
  if (request.kind === "abort") {
    running.get(request.id)?.controller.abort();
    return;
  }
  const { id, options, streams } = request;
  const controller = new AbortController();
  const command: { controller: AbortController; group?: number } = { controller };
  running.set(id, command);
  runProcess({
    ...options,
    signal: controller.signal,
    onStart: (pid) => {
      command.group = pid;
      reply({ id, kind: "started", pid });
    },
    ...(streams ? { onOutput: (text, stream) => reply({ id, kind: "output", text, stream }) } : {}),
  })
    .then(
      (result) => reply({ id, kind: "done", result }),
      (error: unknown) => reply({ id, kind: "failed", failure: failureOf(error) }),
    )
    .finally(() => running.delete(id));
});

// The worker is gone (exited or killed): nobody waits for these commands any more. Killed at
// once: a stop's grace period would outlast this process.
process.on("disconnect", () => {
  for (const { group } of running.values()) if (group !== undefined) killProcessGroup(group, "SIGKILL");
  process.exit(0);
});

reply({ kind: "ready" });
