// Reading and editing the bubblewrap command line @anthropic-ai/sandbox-runtime renders.
//
// The runtime hands out one shell string. What we need beyond its options:
// - an IPC namespace of the command's own: System V queues, semaphores and shared memory
//   are otherwise one host-wide channel between tasks, and outlive the command;
// - no network relays when no domain is allowed: two socat processes started and waited
//   for before every command (~35 ms), to carry nothing;
// - bubblewrap started directly rather than through `bash -c`, and the seccomp helper
//   likewise: one shell fewer at each end (~4 ms each).
// So the string is read back into words, edited, and run as an argv — strictly: only the
// runtime's own quoting is accepted (bare words and single-quoted runs, `'"'"'` for a
// quote), the words must quote back to exactly the string read, and every edit checks
// the shape it expects, or it does nothing.

/** Words the runtime leaves bare; anything else it single-quotes (a leading "=" included, for zsh). */
const BARE_WORD = /^[A-Za-z0-9_./:@+,-][A-Za-z0-9_./:=@+,-]*$/;
const BARE_CHAR = /[A-Za-z0-9_./:=@+,-]/;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/** POSIX shell quoting as the runtime does it: `sh -c` gives the words back exactly. */
export function quoteWords(words: readonly string[]): string {
  return words.map((word) => (word === "" ? "''" : BARE_WORD.test(word) ? word : `'${word.replaceAll("'", `'"'"'`)}'`)).join(" ");
}

/**
 * The words of a line quoted by quoteWords, which is then one simple command (no
 * redirection, expansion or operator outside quotes); undefined for anything else.
 */
export function splitWords(line: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    let word = "";
    const start = i;
    while (i < line.length && line[i] !== " ") {
      const ch = line[i]!;
      if (ch === "'") {
        const end = line.indexOf("'", i + 1);
        if (end === -1) return undefined;
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (line.startsWith(`"'"`, i)) {
        word += "'";
        i += 3;
      } else if (BARE_CHAR.test(ch)) {
        word += ch;
        i++;
      } else {
        return undefined;
      }
    }
    if (i === start) return undefined;
    words.push(word);
    i++; // the one space between words
  }
  return words.length > 0 && quoteWords(words) === line ? words : undefined;
}

/** Where the command bubblewrap runs begins: `-- <shell> -c <script>` ends the words. */
function commandStart(words: readonly string[]): number | undefined {
  const at = words.length - 4;
  return at > 0 && words[at] === "--" && words[at + 2] === "-c" ? at : undefined;
}

/**
 * `options` added right after `--new-session`, the runtime's first bubblewrap option
 * (whether the mounts are on the line or in an `--args` file).
 */
export function withBwrapOptions(words: readonly string[], options: readonly string[]): string[] | undefined {
  const end = commandStart(words);
  if (end === undefined) return undefined;
  const at = words.slice(0, end).flatMap((word, i) => (word === "--new-session" && isBwrap(words[i - 1]) ? [i] : []));
  if (at.length !== 1) return undefined;
  return [...words.slice(0, at[0]! + 1), ...options, ...words.slice(at[0]! + 1)];
}

/**
 * Without the network relays the runtime starts inside the sandbox before the command:
 * bubblewrap then runs the command's last stage (the seccomp helper and the shell) at
 * once, in its network namespace with nothing in it. Only for a command that may reach
 * no domain. `command` is the command that was wrapped, to recognise that stage.
 */
export function withoutNetworkRelays(words: readonly string[], command: string): string[] | undefined {
  const at = commandStart(words);
  if (at === undefined || !words.slice(0, at).includes("--unshare-net")) return undefined;
  const shell = words[at + 1]!;
  const inner = splitWords(words[at + 3]!);
  if (inner?.length !== 3 || inner[0] !== shell || inner[1] !== "-c") return undefined;
  const lines = inner[2]!.split("\n");
  const last = lines.at(-1)!;
  // The relays are started in the background, waited for, and forgotten (`unset _srt_…`);
  // the last line runs the command, through the seccomp helper when there is one.
  if (lines.length < 3 || !lines.some((l) => l.includes("socat")) || !lines.at(-2)!.startsWith("unset _srt_")) return undefined;
  const runsCommand = last === `eval ${quoteWords([command])}` || last.endsWith(` ${quoteWords([shell, "-c", command])}`);
  if (!runsCommand) return undefined;
  return [...words.slice(0, at + 3), last];
}

/**
 * bubblewrap runs the seccomp helper itself instead of a shell that runs it: the
 * helper's environment assignments (`NAME=value helper shell -c …`) become `--setenv`
 * options, last among them so they win as they did. Only when that stage is a plain
 * command naming the helper by its absolute path.
 */
export function withHelperExecuted(words: readonly string[]): string[] | undefined {
  const at = commandStart(words);
  if (at === undefined) return undefined;
  const stage = splitWords(words[at + 3]!);
  if (!stage) return undefined;
  const setenv: string[] = [];
  let i = 0;
  for (; i < stage.length; i++) {
    const assignment = ASSIGNMENT.exec(stage[i]!);
    if (!assignment) break;
    setenv.push("--setenv", assignment[1]!, assignment[2]!);
  }
  const rest = stage.slice(i);
  if (rest.length < 2 || !rest[0]!.startsWith("/")) return undefined;
  return [...words.slice(0, at), ...setenv, "--", ...rest];
}

function isBwrap(word: string | undefined): boolean {
  return word !== undefined && (word === "bwrap" || word.endsWith("/bwrap"));
}
