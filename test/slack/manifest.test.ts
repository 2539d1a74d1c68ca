// manifest.yml promises what the app needs: the events it listens to, the /agent command,
// interactivity for the Cancel button, Socket Mode on, and the scopes of the calls it makes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";

const manifest = await readFile(new URL("../../manifest.yml", import.meta.url), "utf8");
const lines = manifest.split("\n").filter((l) => !l.trim().startsWith("#"));

/** The items of a YAML list under `key:` (as the manifest writes them: one `- item` per line). */
function listUnder(key: string): string[] {
  const start = lines.findIndex((l) => l.trim() === `${key}:`);
  assert.ok(start >= 0, `${key} is in the manifest`);
  const indent = lines[start]!.search(/\S/);
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "") continue;
    if (line.search(/\S/) <= indent) break;
    const item = /^\s*-\s+(.*)$/.exec(line);
    if (item) items.push(item[1]!.trim());
  }
  return items;
}

test("subscribes to every event the app listens to", () => {
  assert.deepEqual(listUnder("bot_events").sort(), [
    "app_home_opened",
    "app_mention",
    "assistant_thread_context_changed",
    "assistant_thread_started",
    "message.channels",
    "message.groups",
    "message.im",
    "message.mpim",
  ]);
});

test("has the scopes for everything the app calls", () => {
  const scopes = listUnder("bot");
  for (const needed of [
    "app_mentions:read",
    "channels:history",
    "groups:history",
    "im:history",
    "mpim:history",
    "chat:write",
    "commands",
    "reactions:write",
    "files:read",
    "files:write",
    "users:read",
    "channels:read",
    "groups:read",
    "assistant:write",
  ]) {
    assert.ok(scopes.includes(needed), `missing scope ${needed}`);
  }
});

test("declares /agent (with Slack's escaping, which the app decodes), the Home tab, the AI-app view, interactivity and Socket Mode", () => {
  assert.match(manifest, /^\s+- command: \/agent$/m);
  assert.match(manifest, /^\s+should_escape: true$/m);
  assert.match(manifest, /^\s+home_tab_enabled: true$/m);
  assert.match(manifest, /^\s+assistant_view:\n\s+assistant_description: \S/m);
  assert.match(manifest, /interactivity:\n\s+is_enabled: true/);
  assert.match(manifest, /^\s+socket_mode_enabled: true$/m);
});
