// Who did something to a task (asked to cancel it), as stored: "slack:<user id>" or "cli:<login>".

export function slackActor(userId: string): string {
  return `slack:${userId}`;
}

export function cliActor(login: string): string {
  return `cli:${login}`;
}

export function parseActor(key: string): { kind: "slack"; userId: string } | { kind: "cli"; login: string } | null {
  const at = key.indexOf(":");
  if (at <= 0) return null;
  const kind = key.slice(0, at);
  const id = key.slice(at + 1);
  if (kind === "slack" && id) return { kind, userId: id };
  if (kind === "cli" && id) return { kind, login: id };
  return null;
}

/** For logs and the terminal: "Slack user U123", "alice on the command line". */
export function describeActor(key: string): string {
  const actor = parseActor(key);
  if (!actor) return key;
  return actor.kind === "slack" ? `Slack user ${actor.userId}` : `${actor.login} on the command line`;
}
