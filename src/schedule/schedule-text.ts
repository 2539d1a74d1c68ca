// How schedules read to people on any surface: run times in the schedule's zone, the cadence,
// and a schedule's last outcome. (What runs post in Slack is src/slack/render/schedule-posts.ts.)
import type { LastRun } from "./schedule-repo.ts";
import { oneLine } from "../shared/one-line.ts";

/** "Mon 6 Oct 2025, 09:00 CEST" in the given zone. */
export function formatWhen(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("weekday")} ${get("day")} ${get("month")} ${get("year")}, ${get("hour")}:${get("minute")} ${zoneName(date, timeZone, get("timeZoneName"))}`;
}

/** British English names European zones (CET, BST), American English the American ones (EST, PDT); else GMT+9. */
function zoneName(date: Date, timeZone: string, british: string): string {
  if (!/^GMT[+-]/.test(british)) return british;
  const american = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "short" }).formatToParts(date).find((p) => p.type === "timeZoneName")?.value;
  return american && /^[A-Z]{2,5}$/.test(american) ? american : british;
}

/** The cron in words when it has a common shape, the expression itself otherwise. */
export function cadence(cron: string, description: string | null): string {
  return description ?? `cron "${cron}"`;
}

export function shortText(text: string, max = 300): string {
  return oneLine(text, max);
}

export function pausedReason(failures: number): string {
  return `its last ${failures} runs failed in a row`;
}

/** "succeeded", "running", "skipped (previous run still going)"… for the list. */
export function lastOutcome(last: LastRun | null): string {
  if (!last) return "never run";
  switch (last.outcome) {
    case "started":
      return last.taskStatus ?? "started";
    case "starting":
      return "starting";
    case "skipped":
      return "skipped (previous run still going)";
    case "failed":
      return `failed to start${last.detail ? ` (${last.detail})` : ""}`;
    case "paused":
      return "paused the schedule";
  }
}
