// REQUIRE_APPROVAL: which tool calls wait for a person's decision. Comma-separated rules,
// `<tool glob>` or `<tool glob>:<argument glob>`; the argument is the command for `execute` and
// the path for the file tools, and MCP tools (mcp__server__tool) match on their name alone.
// Globs are picomatch's. In a command `*` matches anything (slashes and spaces too) and the
// rule is tried on the whole command and on each part of it between `;`, `&&`, `||`, `|`, `&`,
// a newline or a subshell, so `git push*` also catches `cd repo && git push --force`. In a
// path, `*` stays within one directory, `**` crosses them, and a glob without `/` matches the
// file name wherever the file is. Parsed once at start: a bad rule stops the program.
import path from "node:path";
import picomatch from "picomatch";

export interface ApprovalRule {
  /** As written: "execute:git push*". */
  text: string;
  tool: string;
  argument?: string;
}

type Input = Record<string, unknown>;

/** The argument a rule's second glob is matched against, per tool (the contract's input fields). */
const ARGUMENT_OF: Record<string, { kind: "command" | "path"; of: (input: Input) => unknown }> = {
  execute: { kind: "command", of: (i) => i["command"] },
  read_file: { kind: "path", of: (i) => i["file_path"] },
  write_file: { kind: "path", of: (i) => i["file_path"] },
  edit_file: { kind: "path", of: (i) => i["file_path"] },
  ls: { kind: "path", of: (i) => i["path"] ?? "." },
  glob: { kind: "path", of: (i) => i["path"] ?? "." },
  grep: { kind: "path", of: (i) => i["path"] ?? "." },
};

// Tool names are letters, digits, _ and -; the rest are glob characters.
const TOOL_GLOB = /^[A-Za-z0-9_\-*?[\]{}!,^]+$/;

/** Parses REQUIRE_APPROVAL; throws an Error whose message names the bad rule and what is wrong. */
export function parseApprovalRules(text: string): ApprovalRule[] {
  const rules: ApprovalRule[] = [];
  for (const raw of splitOutside(text, ",")) {
    const rule = raw.trim();
    if (rule === "") continue;
    const colon = rule.indexOf(":");
    const tool = (colon === -1 ? rule : rule.slice(0, colon)).trim();
    const argument = colon === -1 ? undefined : rule.slice(colon + 1).trim();
    const bad = (why: string) => new Error(`rule "${rule}": ${why}`);
    if (tool === "") throw bad("the tool glob before ':' is empty");
    if (!TOOL_GLOB.test(tool)) throw bad("a tool glob has only letters, digits, _, - and glob characters; write <tool>:<argument>, e.g. execute:git push*");
    const unbalanced = unbalancedIn(tool) ?? (argument === undefined ? null : unbalancedIn(argument));
    if (unbalanced) throw bad(unbalanced);
    if (argument !== undefined) {
      if (argument === "") throw bad("the argument glob after ':' is empty (leave out the ':' to match every call of the tool)");
      const matchTool = picomatch(tool);
      if (!Object.keys(ARGUMENT_OF).some((name) => matchTool(name))) {
        throw bad("only execute (the command) and the file tools (the path) have an argument to match; MCP tools match on the name alone");
      }
    }
    rules.push({ text: rule, tool, ...(argument !== undefined ? { argument } : {}) });
  }
  return rules;
}

/** The first rule a call matches, or null when it may run without asking. */
export function compileApprovalRules(rules: readonly ApprovalRule[]): (tool: string, input: unknown) => ApprovalRule | null {
  const compiled = rules.map((rule) => ({
    rule,
    tool: picomatch(rule.tool),
    command: rule.argument === undefined ? null : picomatch(rule.argument, { bash: true, dot: true }),
    path: rule.argument === undefined ? null : pathMatcher(rule.argument),
  }));
  return (tool, input) => {
    for (const c of compiled) {
      if (!c.tool(tool)) continue;
      if (c.command === null || c.path === null) return c.rule;
      const argument = ARGUMENT_OF[tool];
      const value = argument && input && typeof input === "object" ? argument.of(input as Input) : undefined;
      if (typeof value !== "string") continue;
      if (argument!.kind === "command" ? commandParts(value).some((part) => c.command!(part)) : c.path(normalisePath(value))) return c.rule;
    }
    return null;
  };
}

/** The whole command, and each simple command in it (over-splitting only asks more often). */
function commandParts(command: string): string[] {
  const parts = command.split(/\|\||&&|[;|&\n()`]|\$\(/).map((p) => p.trim());
  return [command.trim(), ...parts.filter((p) => p !== "")];
}

/** A glob without "/" is matched against the file name, wherever the file is. */
function pathMatcher(glob: string): (value: string) => boolean {
  const match = picomatch(glob, { dot: true });
  return glob.includes("/") ? match : (value) => match(path.posix.basename(value));
}

function normalisePath(value: string): string {
  const normal = path.posix.normalize(value.replaceAll("\\", "/"));
  return normal.startsWith("./") ? normal.slice(2) : normal;
}

/** Splits at `sep` outside braces and brackets (a brace list `{a,b}` keeps its commas). */
function splitOutside(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "{" || ch === "[") depth++;
    else if ((ch === "}" || ch === "]") && depth > 0) depth--;
    if (ch === sep && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function unbalancedIn(glob: string): string | null {
  const stack: string[] = [];
  for (const ch of glob) {
    if (ch === "{" || ch === "[") stack.push(ch);
    else if (ch === "}" || ch === "]") {
      const open = stack.pop();
      if (open !== (ch === "}" ? "{" : "[")) return `"${ch}" closes nothing`;
    }
  }
  return stack.length > 0 ? `"${stack.at(-1)}" is never closed` : null;
}
