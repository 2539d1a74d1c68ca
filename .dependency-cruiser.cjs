// dependency-cruiser rules for src/: the architecture, written down where CI checks it.
// Run with `npm run lint` (or `npx depcruise src`).
//
// The folders of src/ form layers. From top to bottom:
//
//   cli
//   http, slack
//   schedule
//   worker
//   tasks
//   runtime
//   queue
//   store
//   mcp, github
//   sandbox adapters (sandbox/local, sandbox/e2b, sandbox/create-provider.ts, sandbox/output-capture.ts, sandbox/text-slice.ts)
//   agent
//   sandbox/port.ts
//   config
//   shared
//
// A file may import files of its own folder and of some folders below it, never of a folder
// above it; so no two folders can import each other, directly or through a third, and a folder
// cycle is impossible. Each layer has one rule below that names what it MAY import: anything
// else under src/ is an error. Cycles between single files are a separate rule (no-circular).

/** Each layer: a regular expression for its files (paths relative to the repository root). */
const layers = {
  cli: "^src/cli/",
  http: "^src/http/",
  slack: "^src/slack/",
  schedule: "^src/schedule/",
  worker: "^src/worker/",
  tasks: "^src/tasks/",
  runtime: "^src/runtime/",
  queue: "^src/queue/",
  store: "^src/store/",
  mcp: "^src/mcp/",
  github: "^src/github/",
  sandboxLocal: "^src/sandbox/local/",
  sandboxE2b: "^src/sandbox/e2b/",
  createProvider: "^src/sandbox/create-provider\\.ts$",
  outputCapture: "^src/sandbox/output-capture\\.ts$",
  textSlice: "^src/sandbox/text-slice\\.ts$",
  agent: "^src/agent/",
  port: "^src/sandbox/port\\.ts$",
  config: "^src/config/",
  shared: "^src/shared/",
};

/** One regular expression matching the files of all the named layers. */
function anyOf(...names) {
  for (const name of names) if (!(name in layers)) throw new Error(`.dependency-cruiser.cjs: no layer named ${name}`);
  return names.map((name) => `(${layers[name]})`).join("|");
}

/**
 * The rule for one layer: its files may import, under src/, only the files of the layers named
 * in `allowed` (the layer itself is always allowed).
 */
function layer(name, allowed, comment) {
  return {
    name: `layer-${name}`,
    comment,
    severity: "error",
    from: { path: layers[name] },
    to: { path: "^src/", pathNot: anyOf(name, ...allowed) },
  };
}

const sandboxAll = ["sandboxLocal", "sandboxE2b", "createProvider", "outputCapture", "textSlice", "port"];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No import cycles between files, type-only imports included: a cycle ties its files into one unit that can only be understood, tested and moved together.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-circular-folders",
      comment:
        "No cycles between folders at any depth (e.g. between two subfolders of src/slack/). The layer rules already rule them out between the top-level folders; this catches them inside one.",
      severity: "error",
      scope: "folder",
      from: { path: "^src/" },
      to: { circular: true },
    },

    // ---- Layers, top to bottom: one rule per folder, naming what it may import. ----
    // cli: the composition root that wires every role together; it may import anything, so it has no rule.
    layer(
      "http",
      ["tasks", "store", "agent", "config", "shared"],
      "The HTTP server (health, readiness, metrics, transcript pages) reads the database, the config and tasks' transcripts; it knows nothing of Slack, the queue's workers or the CLI.",
    ),
    layer(
      "slack",
      ["schedule", "tasks", "runtime", "queue", "store", "agent", "port", "config", "shared"],
      "Slack is an adapter over the task machinery: it may use schedules, tasks, the task runtime, the queue, the store and the agent's types, but not the worker pool (the worker calls Slack through the task hooks), the HTTP server or the CLI.",
    ),
    layer(
      "schedule",
      ["tasks", "queue", "store", "agent", "config", "shared"],
      "Schedules enqueue tasks; they do not know how a task runs (worker, runtime) or who shows the result (Slack tells them through hooks).",
    ),
    layer(
      "worker",
      ["tasks", "runtime", "queue", "store", "agent", "port", "config", "shared"],
      "The worker pool takes tasks off the queue and runs them through the task runtime. It sees sandboxes only through the port (the runtime gives it a SandboxProvider) and MCP only through the runtime.",
    ),
    layer(
      "tasks",
      ["queue", "store", "agent", "port", "config", "shared"],
      "What a task is and the hooks around it: plain data and interfaces over the queue and the store, independent of how a task is run.",
    ),
    layer(
      "runtime",
      ["agent", ...sandboxAll, "mcp", "github", "config", "shared"],
      "The task runtime puts an agent, a sandbox, MCP servers and a task's GitHub repository together for one task; it knows neither the queue nor the store nor the task records.",
    ),
    layer("queue", ["store", "config", "shared"], "The durable queue (pg-boss) on top of the store."),
    layer("store", ["agent", "config", "shared"], "The database and its repositories. They persist agent checkpoints, hence the agent's types; nothing above the store."),
    layer("mcp", ["agent", "config", "shared"], "MCP clients turn remote MCP tools into agent tools: they know the agent's tool interface and nothing else."),
    layer(
      "github",
      ["shared"],
      "GitHub (Octokit and git over HTTPS, with the token) is an adapter like mcp/ and the sandboxes: only the runtime (and the CLI, which wires everything) uses it; it knows no sandbox, task or store.",
    ),

    // The sandbox adapters: two providers side by side, the factory that picks one, and a helper they share.
    layer("sandboxLocal", ["port", "outputCapture", "textSlice", "config", "shared"], "The local sandbox provider implements the port; it does not know the E2B provider."),
    layer("sandboxE2b", ["port", "outputCapture", "textSlice", "config", "shared"], "The E2B sandbox provider implements the port; it does not know the local provider."),
    layer(
      "createProvider",
      ["sandboxLocal", "sandboxE2b", "port", "outputCapture", "textSlice", "config", "shared"],
      "create-provider.ts picks the local or the E2B provider from the config: the one place that knows both.",
    ),
    layer("outputCapture", ["port", "config", "shared"], "A helper both providers use to capture command output."),
    layer("textSlice", ["port", "shared"], "A helper both providers use to read a text file by lines, as far as needed."),

    layer(
      "agent",
      ["port", "shared"],
      "The agent engine and its tools: the core of the product. It sees the sandbox only through the port and depends on nothing else of src/ but shared helpers; its settings (model client, limits) are given to it.",
    ),
    layer("port", ["shared"], "The sandbox port: the interfaces the agent and the adapters agree on. Only shared helpers below it."),
    layer("config", ["shared"], "Environment parsing: used by everyone, so it depends on nothing but shared helpers."),
    layer("shared", [], "Logging, metrics and small helpers at the bottom: they import nothing from the rest of src/."),

    {
      name: "layer-unassigned",
      comment: "Every file of src/ belongs to one of the layers above. A new folder (or a new file directly in src/sandbox/) needs a place in this file before it can import or be imported.",
      severity: "error",
      from: { path: "^src/", pathNot: anyOf(...Object.keys(layers)) },
      to: { path: "^src/" },
    },
    {
      name: "layer-unassigned-target",
      comment: "The other side of layer-unassigned: nothing imports a file of src/ that belongs to no layer.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^src/", pathNot: anyOf(...Object.keys(layers)) },
    },

    // ---- Third-party packages ----
    {
      name: "slack-sdk-only-in-slack",
      comment: "The Slack SDKs (@slack/*) are used only under src/slack/; the rest of the code talks to Slack through it.",
      severity: "error",
      from: { path: "^src/", pathNot: layers.slack },
      to: { path: "^(node_modules/)?@slack/" },
    },
    {
      name: "agent-no-infrastructure-packages",
      comment: "The agent engine does not know where it runs: no E2B, Slack, Postgres (pg), queue (pg-boss) or embedded database (PGlite) packages.",
      severity: "error",
      from: { path: layers.agent },
      to: { path: "^(node_modules/)?(@types/)?(e2b|@slack/[^/]+|pg|pg-boss|@electric-sql/pglite)(/|$)" },
    },
    {
      name: "not-to-dev-dep",
      comment:
        "src/ runs in the production image, which installs dependencies only (npm ci --omit=dev): a package src/ imports must be in `dependencies`. Type-only imports (e.g. @types/pg) are erased and allowed.",
      severity: "error",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "not-to-unresolvable",
      comment: "An import that resolves to no file (a typo, a moved file, a package not installed).",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // swc parses the TypeScript as written, so type-only imports (`import type`, `import { type X }`)
    // are dependencies too and count for every rule above. tsPreCompilationDeps is left off: it
    // only switches to the `typescript` package's compiler API, which TypeScript 7 no longer has.
    parser: "swc",
    moduleSystems: ["es6", "cjs"],
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
