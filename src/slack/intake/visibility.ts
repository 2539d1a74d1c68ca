// Who may see a task's text, asker and answer in `/agent queue` and `/agent status`: the person
// who asked, admins, and people using the command in the channel where the task started. A
// task started in a direct message (or on the command line) is its asker's and the admins'.
// Pure: the caller looks the task up, this says whether to show it.

export interface Viewer {
  userId: string;
  /** The channel the command was used in. */
  channelId: string;
  admin: boolean;
}

export interface Visible {
  userId: string | null;
  channelId: string | null;
}

export function canSee(task: Visible, viewer: Viewer): boolean {
  if (viewer.admin) return true;
  if (task.userId !== null && task.userId === viewer.userId) return true;
  return task.channelId !== null && !isDirectMessage(task.channelId) && task.channelId === viewer.channelId;
}

function isDirectMessage(channelId: string): boolean {
  return channelId.startsWith("D");
}
