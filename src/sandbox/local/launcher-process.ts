// The launcher process: runs commands (run-process.ts) for a worker. Starting a process forks
// the process that starts it: the kernel copies its page tables and the child tears them down
// again at exec, a cost that grows with the process (~4 ms of CPU per command from a loaded
// worker, ~1 ms from this one) and, on a thread of the worker, still stops it for a moment.
// Started by process-launcher.ts with an IPC channel; it ends with that channel, and takes the
// commands it runs with it.
import { failureOf } from "../../shared/errors.ts";
import type { LaunchReply, LaunchRequest } from "./launcher-messages.ts";
import { runProcess } from "./run-process.ts";

if (!process.send) throw new Error("launcher-process.ts runs as a child with an IPC channel (process-launcher.ts starts it)");
const running = new Map<number, AbortController>();
const reply = (message: LaunchReply) => process.send!(message);

process.on("message", (request: LaunchRequest) => {
  if (request.kind === "abort") {
    running.get(request.id)?.abort();
    return;
  }
  const { id, options, streams } = request;
  const controller = new AbortController();
  running.set(id, controller);
  runProcess({
    ...options,
    signal: controller.signal,
    ...(streams ? { onOutput: (text, stream) => reply({ id, kind: "output", text, stream }) } : {}),
  })
    .then(
      (result) => reply({ id, kind: "done", result }),
      (error: unknown) => reply({ id, kind: "failed", failure: failureOf(error) }),
    )
    .finally(() => running.delete(id));
});

// The worker is gone (exited or killed): nobody waits for these commands any more.
process.on("disconnect", () => {
  for (const controller of running.values()) controller.abort();
  process.exit(0);
});

reply({ kind: "ready" });
