// Prometheus metrics of one process, served on GET /metrics. Workers record into them; the
// queue depth is read from the database when scraped.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "deep_agent_" });

export const tasksFinished = new Counter({
  name: "deep_agent_tasks_finished_total",
  help: "Tasks that reached a final status, by status",
  labelNames: ["status"] as const,
  registers: [registry],
});

export const taskDuration = new Histogram({
  name: "deep_agent_task_duration_seconds",
  help: "Wall time of a task attempt from pick-up to its final status",
  labelNames: ["status"] as const,
  buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600],
  registers: [registry],
});

export const pickupLatency = new Histogram({
  name: "deep_agent_pickup_latency_seconds",
  help: "Time from a task being queued to a worker starting it (first attempt)",
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

export const sandboxCreate = new Histogram({
  name: "deep_agent_sandbox_create_seconds",
  help: "Time to create a task's sandbox",
  labelNames: ["provider"] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30],
  registers: [registry],
});

export const modelCalls = new Counter({
  name: "deep_agent_model_calls_total",
  help: "Model responses received",
  registers: [registry],
});

export const modelTokens = new Counter({
  name: "deep_agent_model_tokens_total",
  help: "Model tokens, by kind (input, output, cache_read, cache_creation)",
  labelNames: ["kind"] as const,
  registers: [registry],
});

export const toolCalls = new Counter({
  name: "deep_agent_tool_calls_total",
  help: "Tool calls by tool and outcome (ok, error)",
  labelNames: ["tool", "outcome"] as const,
  registers: [registry],
});

export const tasksRunning = new Gauge({
  name: "deep_agent_worker_tasks_running",
  help: "Tasks this process is running now",
  registers: [registry],
});

export const approvals = new Counter({
  name: "deep_agent_approvals_total",
  help: "Decisions on approval requests (tool calls and spending limits), by decision (approved, denied, timed_out)",
  labelNames: ["decision"] as const,
  registers: [registry],
});

export const approvalDecisionTime = new Histogram({
  name: "deep_agent_approval_decision_seconds",
  help: "Time from an approval request to its decision, by decision",
  labelNames: ["decision"] as const,
  buckets: [5, 15, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600],
  registers: [registry],
});

/** The queue depth gauge asks the database at scrape time. */
export function registerQueueDepth(read: () => Promise<{ queued: number; running: number; waiting?: number }>): void {
  registry.removeSingleMetric("deep_agent_queue_depth");
  new Gauge({
    name: "deep_agent_queue_depth",
    help: "Tasks queued, running and waiting for a decision across all workers",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      try {
        const counts = await read();
        this.set({ state: "queued" }, counts.queued);
        this.set({ state: "running" }, counts.running);
        this.set({ state: "waiting" }, counts.waiting ?? 0);
      } catch {
        // An unreachable database shows in /readyz; the scrape still answers.
      }
    },
  });
}

/** Feedback on results (the thumbs under them): current counts, by value, read from the database at scrape time. */
export function registerFeedbackCounts(read: () => Promise<{ positive: number; negative: number }>): void {
  registry.removeSingleMetric("deep_agent_feedback");
  new Gauge({
    name: "deep_agent_feedback",
    help: "Feedback given on task results (one per task and person, the last press counts), by value",
    labelNames: ["value"] as const,
    registers: [registry],
    async collect() {
      try {
        const counts = await read();
        this.set({ value: "positive" }, counts.positive);
        this.set({ value: "negative" }, counts.negative);
      } catch {
        // An unreachable database shows in /readyz; the scrape still answers.
      }
    },
  });
}
