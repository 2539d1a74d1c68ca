// Replaces every occurrence of a configured secret value, so a token echoed by a
// command or a library never reaches a log line or a Slack message.
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 6) continue;
    if (out.includes(secret)) out = out.split(secret).join("[secret]");
  }
  return out;
}
