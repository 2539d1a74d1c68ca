// Writes a task's progress (plan, usage, turns, what it is doing) to its record, so `queue list`,
// `/agent status` and other hosts see it. Writes are coalesced: at most one in flight, and
// the latest state wins. The first waits an interval too, so a task that ends quickly writes
// none: its final record (lifecycle.finish) carries plan, usage and turns.
import type { AgentEvent, ProgressSink, Todo, Usage } from "../agent/events.ts";
import type { TaskRepo } from "../store/task-repo.ts";
import type { Logger } from "../shared/log.ts";

export interface TaskRecordSink extends ProgressSink {
  /** Resolves once everything emitted so far is written. */
  flush(): Promise<void>;
  /** Drops what is not written yet (the final record supersedes it); resolves once no write is in flight. */
  discard(): Promise<void>;
}

export function createTaskRecordSink(
  tasks: Pick<TaskRepo, "progress">,
  taskId: string,
  attempt: number,
  options: { logger: Logger; minIntervalMs?: number; planIntervalMs?: number },
): TaskRecordSink {
  // Usage, turns and the current step at most once a second: what other hosts show of a running task
  // needs no more, and under load every write is a round trip taken from the tasks. A new plan,
  // which `/agent status` and `queue list` lead with, goes sooner.
  const minIntervalMs = options.minIntervalMs ?? 1000;
  const planIntervalMs = Math.min(minIntervalMs, options.planIntervalMs ?? 250);
  let pending: { todos?: Todo[]; usage?: Usage; turns?: number; lastActivity?: string } = {};
  let dirty = false;
  let writing: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let due = 0;
  let lastWrite = Date.now();

  const write = async () => {
    while (dirty) {
      const update = pending;
      pending = {};
      dirty = false;
      lastWrite = Date.now();
      try {
        await tasks.progress(taskId, attempt, update);
      } catch (error) {
        // Progress is informative; the outcome is recorded separately and must not wait on this.
        options.logger.warn({ err: error, taskId }, "could not record task progress");
      }
    }
  };
  const schedule = () => {
    if (writing) return;
    const at = lastWrite + (pending.todos ? planIntervalMs : minIntervalMs);
    if (timer && due <= at) return;
    if (timer) clearTimeout(timer);
    due = at;
    timer = setTimeout(
      () => {
        timer = null;
        writing = write().finally(() => {
          writing = null;
          if (dirty) schedule();
        });
      },
      Math.max(0, at - Date.now()),
    );
  };

  return {
    emit(event: AgentEvent) {
      if (event.agent !== "main") return;
      switch (event.type) {
        case "plan":
          pending.todos = event.todos;
          break;
        case "usage":
          pending.usage = event.total;
          break;
        case "turn":
          pending.turns = event.turn;
          break;
        case "tool_started":
          pending.lastActivity = `${event.name}: ${event.summary}`.slice(0, 500);
          break;
        default:
          return;
      }
      dirty = true;
      schedule();
    },
    async discard() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = {};
      dirty = false;
      await writing;
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      while (writing || dirty) {
        if (writing) await writing;
        else {
          writing = write().finally(() => (writing = null));
        }
      }
    },
  };
}
