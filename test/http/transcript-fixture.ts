// A worker (with its HTTP server) running scripted tasks whose transcripts the tests read: each
// task's text names what its model does. A "gated" task stops before its second step until the
// test opens the gate, so a test can watch a running task grow.
import { startMessagesApi, type MessagesApi, type Reply } from "../doubles/messages-api.ts";
import { createTarget, type TestTarget } from "../helpers/test-database.ts";
import { waitFor } from "../helpers/wait-for.ts";
import { cli, startWorker, workerEnv, type WorkerProcess } from "../worker/processes.ts";
import { getTask, queuedId, taskTextOf, turnOf, withDb } from "../worker/scripted-tasks.ts";
import { createTranscriptLinks } from "../../src/tasks/transcript-links.ts";
import { createTranscriptRepo } from "../../src/store/transcript-repo.ts";

export const SECRET = "notion-secret-4f9a1c7e2b";
const PUBLIC_URL = "https://agent.example.test";

/** Scripts by a word in the task text: turn by turn, what the model answers. */
const SCRIPTS: Record<string, Reply[]> = {
  hello: [{ text: "Let me look.", toolCalls: [{ name: "execute", input: { command: "echo hello-from-the-step" } }] }, { text: "Done: **bold** and <b>raw html</b>." }],
  hostile: [
    { toolCalls: [{ name: "execute", input: { command: "printf '<script>alert(1)</script><img src=x onerror=alert(2)>'" } }] },
    { text: "Answer <script>alert(3)</script> and [a link](javascript:alert(4))." },
  ],
  big: [{ toolCalls: [{ name: "execute", input: { command: "yes | head -c 5000000; echo big-output-end" } }] }, { text: "That was long." }],
  secret: [{ toolCalls: [{ name: "execute", input: { command: `echo the key is ${SECRET}` } }] }, { text: "Printed it." }],
  // Output that would drive a terminal (an OSC title change, a bell) and a NUL byte.
  control: [{ toolCalls: [{ name: "execute", input: { command: "printf 'title\\033]0;owned\\007 nul\\000end'" } }] }, { text: "Printed them." }],
  gated: [
    { toolCalls: [{ name: "execute", input: { command: "echo first-live-step" } }] },
    { toolCalls: [{ name: "execute", input: { command: "echo second-live-step" } }] },
    { text: "Both steps ran." },
  ],
};

export interface TranscriptFixture {
  api: MessagesApi;
  target: TestTarget;
  worker: WorkerProcess;
  env: NodeJS.ProcessEnv;
  /** http://127.0.0.1:<port> of the worker's HTTP server. */
  base: string;
  /** Queues a task and waits until it is finished (or, with `running`, until it runs). */
  run(text: string, options?: { until?: "finished" | "running" }): Promise<string>;
  /** The path and query of a task's transcript link (its host is PUBLIC_URL). */
  link(taskId: string): Promise<string>;
  /** Lets gated tasks take their second step. */
  openGate(): void;
  close(): Promise<void>;
}

export async function startTranscriptFixture(extraEnv: Record<string, string> = {}): Promise<TranscriptFixture> {
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const api = await startMessagesApi({
    script: async (req) => {
      const text = taskTextOf(req);
      const key = Object.keys(SCRIPTS).find((k) => text.includes(k)) ?? "hello";
      const turn = turnOf(req);
      if (key === "gated" && turn === 2) await gate;
      const script = SCRIPTS[key]!;
      return script[Math.min(turn, script.length) - 1]!;
    },
  });
  const target = await createTarget(process.env["TEST_DATABASE_URL"] ? "postgres" : "pglite", { migrated: true });
  const env = workerEnv(target, api.baseURL, { NOTION_TOKEN: SECRET, PUBLIC_URL, ...extraEnv });
  const worker = startWorker(env);
  await worker.ready;
  const port = Number(/"port":(\d+),"msg":"http server listening"/.exec(worker.log())?.[1]);
  if (!(port > 0)) throw new Error(`no HTTP port in the worker's log:\n${worker.log()}`);
  const fixture: TranscriptFixture = {
    api,
    target,
    worker,
    env,
    base: `http://127.0.0.1:${port}`,
    async run(text, options = {}) {
      const id = queuedId((await cli(["queue", "add", text], env)).stdout);
      const until = options.until ?? "finished";
      await waitFor(
        `task "${text}" ${until}`,
        async () => {
          const status = (await getTask(target, id))?.status;
          return until === "running" ? status === "running" : status === "succeeded" || status === "failed";
        },
        { timeoutMs: 60_000, intervalMs: 100, detail: () => worker.log() },
      );
      return id;
    },
    async link(taskId) {
      // Made the way every process makes it: the secret kept in the database (TRANSCRIPT_SECRET is unset).
      const url = await withDb(target, (db) => createTranscriptLinks({ publicUrl: PUBLIC_URL, repo: createTranscriptRepo(db) }).url(taskId));
      return url.slice(PUBLIC_URL.length);
    },
    openGate,
    async close() {
      openGate();
      // A test may have replaced the worker (a restart).
      fixture.worker.kill("SIGKILL");
      await fixture.worker.exited;
      await api.close();
      await target.cleanup();
    },
  };
  return fixture;
}
