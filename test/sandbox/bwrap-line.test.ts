// Reading and editing the bubblewrap line the sandbox runtime renders: the words must be
// exactly what a shell would make of the line, and every edit must refuse a line whose
// shape it does not know rather than guess.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { quoteWords, splitWords, withBwrapOptions, withHelperExecuted, withoutNetworkRelays } from "../../src/sandbox/local/bwrap-line.ts";

const HOSTILE_WORDS = [
  "plain",
  "",
  "it's",
  "'",
  "''",
  `"'"`,
  "two words",
  "tab\there",
  "new\nline",
  "$HOME `id` $(id) \\ ; && | > < * ? [a] ~ # !",
  "=leading-equals",
  "NAME=value",
  "ünïcødé ✓",
  "--setenv",
];

/** What `sh -c` makes of a line: its words, NUL-separated by printf. */
function shellWords(line: string): string[] {
  const out = spawnSync("sh", ["-c", `printf '%s\\0' ${line}`], { encoding: "utf8" });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout.split("\0").slice(0, -1);
}

describe("quoteWords and splitWords", () => {
  test("a shell gives back exactly the words quoted, whatever they hold, and splitWords agrees", () => {
    const line = quoteWords(HOSTILE_WORDS);
    assert.deepEqual(shellWords(line), HOSTILE_WORDS);
    assert.deepEqual(splitWords(line), HOSTILE_WORDS);
    for (const word of HOSTILE_WORDS) assert.deepEqual(splitWords(quoteWords([word])), [word]);
  });

  test("anything a shell would read as more than quoted words is refused", () => {
    for (const line of [
      "a; b",
      "a && b",
      "a | b",
      "a > f",
      "a $X",
      "a `id`",
      'a "double quoted"',
      "a\nb",
      "a  b",
      " a",
      "a ",
      "'unterminated",
      "a\\ b",
      "",
      // Quoted where the runtime would leave it bare: not the runtime's own quoting.
      "'plain'",
    ]) {
      assert.equal(splitWords(line), undefined, JSON.stringify(line));
    }
  });
});

// Lines shaped as @anthropic-ai/sandbox-runtime 0.0.x renders them.
const COMMAND = `export TMPDIR=/t; eval "unset X; \${X?}"`;
const HELPER = "SRT_ALLOW_NESTED_USERNS=0 /opt/srt/apply-seccomp";
const stage = `${HELPER} ${quoteWords(["/usr/bin/bash", "-c", COMMAND])}`;
const relays = [
  "{ socat TCP6-LISTEN:3128,ipv6only=0,fork UNIX-CONNECT:/tmp/s.sock || exec socat TCP4-LISTEN:3128,fork UNIX-CONNECT:/tmp/s.sock; } >/dev/null 2>&1 &",
  "_srt_http=$!",
  "trap 'rc=$?; kill %1 %2 2>/dev/null; exit $rc' EXIT",
  "_srt_since=",
  "while true; do break; done",
  "unset _srt_since _srt_now _srt_up",
];
const bwrapHead = [
  "bwrap",
  "--new-session",
  "--die-with-parent",
  "--unshare-net",
  "--bind",
  "/tmp/s.sock",
  "/tmp/s.sock",
  "--setenv",
  "HTTP_PROXY",
  "http://u:p@localhost:3128",
  "--ro-bind",
  "/",
  "/",
  "--unshare-pid",
];
const withRelays = [...bwrapHead, "--", "/usr/bin/bash", "-c", quoteWords(["/usr/bin/bash", "-c", [...relays, stage].join("\n")])];
const withoutRelays = [...bwrapHead, "--", "/usr/bin/bash", "-c", stage];

describe("editing the runtime's line", () => {
  test("--unshare-ipc goes right after --new-session, also when the mounts are in an --args file", () => {
    assert.deepEqual(withBwrapOptions(withoutRelays, ["--unshare-ipc"])?.slice(0, 4), ["bwrap", "--new-session", "--unshare-ipc", "--die-with-parent"]);
    const viaArgsFile = [
      "/bin/sh",
      "-c",
      'exec 9<"$1" && shift && exec "$@"',
      "srt-args",
      "/proc/1/fd/20",
      "/usr/bin/bwrap",
      "--new-session",
      "--args",
      "9",
      "--",
      "/usr/bin/bash",
      "-c",
      stage,
    ];
    assert.deepEqual(withBwrapOptions(viaArgsFile, ["--unshare-ipc"])?.slice(5, 9), ["/usr/bin/bwrap", "--new-session", "--unshare-ipc", "--args"]);
  });

  test("options are not added to a line it does not know", () => {
    const noSession = withoutRelays.filter((w) => w !== "--new-session");
    assert.equal(withBwrapOptions(noSession, ["--unshare-ipc"]), undefined);
    // Two bubblewraps (or --new-session after something that is not bwrap): which one is it?
    assert.equal(withBwrapOptions(["bwrap", "--new-session", "bwrap", "--new-session", "--", "sh", "-c", "x"], ["--unshare-ipc"]), undefined);
    assert.equal(withBwrapOptions(["firejail", "--new-session", "--", "sh", "-c", "x"], ["--unshare-ipc"]), undefined);
    // The command itself may say --new-session; only the options count.
    assert.equal(withBwrapOptions(["bwrap", "--", "sh", "-c", "bwrap --new-session"], ["--unshare-ipc"]), undefined);
    assert.equal(withBwrapOptions(["bwrap", "--new-session"], ["--unshare-ipc"]), undefined);
  });

  test("the relays are dropped and the command's own stage kept as the runtime wrote it", () => {
    assert.deepEqual(withoutNetworkRelays(withRelays, COMMAND), withoutRelays);
  });

  test("the relays stay when the line is not the shape expected", () => {
    // No network namespace: dropping the relays would not close anything.
    assert.equal(
      withoutNetworkRelays(
        withRelays.filter((w) => w !== "--unshare-net"),
        COMMAND,
      ),
      undefined,
    );
    // The last line does not run the command that was wrapped.
    assert.equal(withoutNetworkRelays(withRelays, "something else"), undefined);
    const tampered = [...withRelays.slice(0, -1), quoteWords(["/usr/bin/bash", "-c", [...relays, "curl evil", stage].join("\n")])];
    assert.equal(withoutNetworkRelays(tampered, COMMAND), undefined);
    const moreAfter = [...withRelays.slice(0, -1), quoteWords(["/usr/bin/bash", "-c", [...relays, stage, "rm -rf /"].join("\n")])];
    assert.equal(withoutNetworkRelays(moreAfter, COMMAND), undefined);
    // Another shell inside than outside.
    assert.equal(withoutNetworkRelays([...withRelays.slice(0, -1), quoteWords(["/bin/zsh", "-c", [...relays, stage].join("\n")])], COMMAND), undefined);
    assert.equal(withoutNetworkRelays(withoutRelays, COMMAND), undefined);
  });

  test("the seccomp helper is started by bubblewrap, its assignments as --setenv after everything else", () => {
    assert.deepEqual(withHelperExecuted(withoutRelays), [...bwrapHead, "--setenv", "SRT_ALLOW_NESTED_USERNS", "0", "--", "/opt/srt/apply-seccomp", "/usr/bin/bash", "-c", COMMAND]);
    // With relays the stage is a shell running the relay script: started directly as well.
    assert.deepEqual(withHelperExecuted(withRelays)?.slice(-4), ["--", "/usr/bin/bash", "-c", [...relays, stage].join("\n")]);
  });

  test("a stage that is not one plain command of an absolute program is left to the shell", () => {
    assert.equal(withHelperExecuted([...bwrapHead, "--", "/usr/bin/bash", "-c", `eval ${quoteWords([COMMAND])}`]), undefined);
    assert.equal(withHelperExecuted([...bwrapHead, "--", "/usr/bin/bash", "-c", COMMAND]), undefined);
    assert.equal(withHelperExecuted([...bwrapHead, "--", "/usr/bin/bash", "-c", "X=1 apply-seccomp bash -c true"]), undefined);
    assert.equal(withHelperExecuted([...bwrapHead, "--", "/usr/bin/bash", "-c", "X=1"]), undefined);
  });
});
