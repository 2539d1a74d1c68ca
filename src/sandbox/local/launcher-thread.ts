// The launcher thread: runs commands (run-process.ts) for the main thread. Starting a process
// forks the whole worker and waits for the child to exec, which holds the calling thread for
// milliseconds, more as the process grows; here it holds this thread, not the event loop that
// serves every task and the Slack intake.
import { parentPort } from "node:worker_threads";
import { failureOf } from "../../shared/errors.ts";
import type { LaunchReply, LaunchRequest } from "./launcher-messages.ts";
import { runProcess } from "./run-process.ts";

const port = parentPort;
if (!port) throw new Error("launcher-thread.ts runs as a worker thread (process-launcher.ts starts it)");
const running = new Map<number, AbortController>();
const reply = (message: LaunchReply) => port.postMessage(message);

port.on("message", (request: LaunchRequest) => {
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

reply({ kind: "ready" });
