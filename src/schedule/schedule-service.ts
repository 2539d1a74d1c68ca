// Adding, listing, removing and resuming schedules. Our record and pg-boss's schedule are written
// in one transaction, so a schedule exists in both or in neither; bad input stores nothing.
import { randomInt } from "node:crypto";
import type { PgBoss } from "pg-boss";
import type { Database, Queryable } from "../store/database.ts";
import { asBossDb } from "../store/database.ts";
import { createScheduleRepo, type Schedule, type ScheduleWithLastRun } from "./schedule-repo.ts";
import { checkScheduleRequest, normaliseScheduleId, type ScheduleRequest } from "./schedule-input.ts";
import { nextRuns } from "./cron-spec.ts";
import { describeCron } from "./cron-words.ts";
import { CodedError } from "../shared/errors.ts";
import { SCHEDULE_QUEUE, ensureScheduleQueue, type SchedulePolicy } from "./schedule-policy.ts";

export interface AddInput extends ScheduleRequest {
  teamId?: string | null;
  createdBy?: string | null;
  createdVia: "slack" | "cli";
}

/** Who asks to remove or resume: the command line (the operator) or a Slack user. */
export type Actor = { kind: "operator" } | { kind: "slack"; userId: string; admin: boolean };

export interface ScheduleView extends ScheduleWithLastRun {
  /** The cron in words, when it has a common shape. */
  description: string | null;
  /** Null while paused. */
  nextRun: Date | null;
}

export interface ScheduleService {
  add(input: AddInput): Promise<{ schedule: Schedule; nextRuns: Date[] }>;
  /** All schedules, or one channel's (null: command-line schedules without a channel). */
  list(channelId?: string | null): Promise<ScheduleView[]>;
  remove(id: string, by: Actor): Promise<Schedule>;
  resume(id: string, by: Actor): Promise<{ schedule: Schedule; nextRuns: Date[] }>;
}

export function createScheduleService(db: Database, boss: PgBoss, policy: SchedulePolicy): ScheduleService {
  let queueReady: Promise<void> | null = null;
  const ready = () => (queueReady ??= ensureScheduleQueue(boss));
  return {
    async add(input) {
      const checked = checkScheduleRequest(input);
      await ready();
      const schedule = await db.transaction(async (tx) => {
        const repo = createScheduleRepo(tx);
        await repo.lockForAdd();
        const count = await repo.countInChannel(checked.channelId);
        if (count >= policy.maxPerChannel) {
          const where = checked.channelId ? "this channel already has" : "there are already";
          const how = input.createdVia === "slack" ? "`/agent unschedule <id>`" : "`deep-agent schedule remove <id>`";
          throw new CodedError("bad_input", `${where} ${count} schedules, the most allowed (MAX_SCHEDULES_PER_CHANNEL=${policy.maxPerChannel}); remove one first with ${how}`);
        }
        let created: Schedule | null = null;
        // Ids are short enough to type; a collision just draws another.
        for (let i = 0; i < 5 && !created; i++) {
          created = await repo.insert({
            id: newScheduleId(),
            cron: checked.cron,
            timezone: checked.timezone,
            text: checked.text,
            teamId: input.teamId ?? null,
            channelId: checked.channelId,
            createdBy: input.createdBy ?? null,
            createdVia: input.createdVia,
          });
        }
        if (!created) throw new Error("could not draw a free schedule id");
        await scheduleInBoss(boss, created, tx);
        return created;
      });
      return { schedule, nextRuns: checked.nextRuns };
    },

    async list(channelId) {
      const now = new Date();
      const schedules = await createScheduleRepo(db).list(channelId);
      return schedules.map((s) => ({
        ...s,
        description: describeCron(s.cron),
        nextRun: s.status === "active" ? nextRuns(s.cron, s.timezone, now, 1)[0]! : null,
      }));
    },

    async remove(idInput, by) {
      const id = normaliseScheduleId(idInput);
      await ready();
      return db.transaction(async (tx) => {
        const repo = createScheduleRepo(tx);
        const schedule = await repo.lock(id);
        if (!schedule) throw unknownId(idInput, by);
        allowed(schedule, by, "remove");
        await repo.remove(id);
        await boss.unschedule(SCHEDULE_QUEUE, id, { db: asBossDb(tx) });
        return schedule;
      });
    },

    async resume(idInput, by) {
      const id = normaliseScheduleId(idInput);
      await ready();
      const schedule = await db.transaction(async (tx) => {
        const repo = createScheduleRepo(tx);
        const current = await repo.lock(id);
        if (!current) throw unknownId(idInput, by);
        allowed(current, by, "resume");
        if (current.status === "active") throw new CodedError("bad_input", `schedule ${id} is not paused; nothing to resume`);
        const resumed = (await repo.resume(id))!;
        await scheduleInBoss(boss, resumed, tx);
        return resumed;
      });
      return { schedule, nextRuns: nextRuns(schedule.cron, schedule.timezone, new Date(), 3) };
    },
  };
}

/** pg-boss's side: fire a job into the schedule queue at each cron time, in the schedule's zone. */
async function scheduleInBoss(boss: PgBoss, schedule: Schedule, tx: Queryable): Promise<void> {
  await boss.schedule(
    SCHEDULE_QUEUE,
    schedule.cron,
    { scheduleId: schedule.id },
    {
      tz: schedule.timezone,
      key: schedule.id,
      // A run due while every process was down (a deploy at 09:00) happens once when one is back.
      missed: "once",
      db: asBossDb(tx),
    },
  );
}

export async function unscheduleInBoss(boss: PgBoss, scheduleId: string, tx: Queryable): Promise<void> {
  await boss.unschedule(SCHEDULE_QUEUE, scheduleId, { db: asBossDb(tx) });
}

function allowed(schedule: Schedule, by: Actor, what: string): void {
  if (by.kind === "operator" || by.admin || schedule.createdBy === by.userId) return;
  const creator = schedule.createdBy && schedule.createdVia === "slack" ? `<@${schedule.createdBy}>` : "its creator";
  throw new CodedError("not_allowed", `only ${creator} or an admin (SLACK_ADMIN_USERS) can ${what} schedule ${schedule.id}`);
}

function unknownId(id: string, by: Actor): CodedError {
  const how = by.kind === "operator" ? "`deep-agent schedule list`" : "`/agent schedules`";
  return new CodedError("unknown_schedule", `no schedule with id "${id.trim()}"; ${how} shows the ids`);
}

// No 0/o, 1/l/i: ids are read off a screen and typed.
const ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

function newScheduleId(): string {
  let id = "";
  for (let i = 0; i < 8; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}
