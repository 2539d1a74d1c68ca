// Tasks of one conversation (the same channel and thread, whatever intake started them) share a
// sandbox while it lives: its key is stored with the sandbox, so a sweep can ask whether a task
// of that conversation is still open before removing it.

export function conversationKey(task: { channelId: string | null; threadTs: string | null }): string | null {
  return task.channelId && task.threadTs ? `${task.channelId}/${task.threadTs}` : null;
}

export function parseConversationKey(key: string): { channelId: string; threadTs: string } | null {
  const at = key.indexOf("/");
  if (at <= 0 || at === key.length - 1) return null;
  return { channelId: key.slice(0, at), threadTs: key.slice(at + 1) };
}
