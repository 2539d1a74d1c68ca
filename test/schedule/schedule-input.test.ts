// What a person types for a schedule: five-field cron, IANA time zones, the run times it gives
// (daylight saving included), the cron in words, and the Slack command's arguments.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { normaliseCron, nextRuns, occurrenceAtOrBefore } from "../../src/schedule/cron-spec.ts";
import { resolveTimeZone } from "../../src/schedule/time-zone.ts";
import { describeCron } from "../../src/schedule/cron-words.ts";
import { formatWhen } from "../../src/schedule/schedule-text.ts";
import { checkScheduleRequest } from "../../src/schedule/schedule-input.ts";
import { parseScheduleArgs } from "../../src/slack/schedules/schedule-command.ts";
import { hasCode } from "../../src/shared/errors.ts";

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(hasCode(error, "bad_input", "unknown_schedule", "not_allowed"), `expected a schedule input error, got ${String(error)}`);
    return error.message;
  }
  assert.fail("expected the input to be refused");
}

describe("cron expressions", () => {
  it("accepts five fields, names and the usual aliases, and stores them tidied", () => {
    assert.equal(normaliseCron("  0   9 * *  1-5 "), "0 9 * * 1-5");
    assert.equal(normaliseCron("0 9 * JAN,jul MON-FRI"), "0 9 * JAN,jul MON-FRI");
    assert.equal(normaliseCron("@daily"), "0 0 * * *");
    assert.equal(normaliseCron("@Hourly"), "0 * * * *");
    assert.equal(normaliseCron("0 9 L * *"), "0 9 L * *");
  });

  it("refuses anything but five valid fields, saying what is wrong", () => {
    assert.match(
      problem(() => normaliseCron("")),
      /empty/,
    );
    assert.match(
      problem(() => normaliseCron("* * * *")),
      /has 4 fields; a cron expression has five/,
    );
    assert.match(
      problem(() => normaliseCron("0 0 9 * * 1-5")),
      /has 6 fields/,
    );
    assert.match(
      problem(() => normaliseCron("61 * * * *")),
      /not a valid cron expression/,
    );
    assert.match(
      problem(() => normaliseCron("0 25 * * *")),
      /not a valid cron expression/,
    );
    assert.match(
      problem(() => normaliseCron("0 0 31 2 *")),
      /never matches a real date/,
    );
    assert.match(
      problem(() => normaliseCron("H * * * *")),
      /minute field "H"/,
    );
    assert.match(
      problem(() => normaliseCron("every day")),
      /has 2 fields/,
    );
  });

  it("gives run times in the schedule's zone, following daylight saving", () => {
    // Paris moves from CET (UTC+1) to CEST (UTC+2) on Sunday 29 March 2026.
    const runs = nextRuns("0 9 * * *", "Europe/Paris", new Date("2026-03-27T12:00:00Z"), 3);
    assert.deepEqual(
      runs.map((d) => d.toISOString()),
      ["2026-03-28T08:00:00.000Z", "2026-03-29T07:00:00.000Z", "2026-03-30T07:00:00.000Z"],
    );
    assert.deepEqual(
      runs.map((d) => formatWhen(d, "Europe/Paris")),
      ["Sat 28 Mar 2026, 09:00 CET", "Sun 29 Mar 2026, 09:00 CEST", "Mon 30 Mar 2026, 09:00 CEST"],
    );
    assert.equal(formatWhen(new Date("2026-01-05T13:30:00Z"), "America/New_York"), "Mon 5 Jan 2026, 08:30 EST");
  });

  it("finds the occurrence a firing is for", () => {
    assert.equal(occurrenceAtOrBefore("0 9 * * 1-5", "UTC", new Date("2026-03-30T09:00:20Z")).toISOString(), "2026-03-30T09:00:00.000Z");
    assert.equal(occurrenceAtOrBefore("0 9 * * 1-5", "UTC", new Date("2026-03-30T09:00:00Z")).toISOString(), "2026-03-30T09:00:00.000Z");
  });

  it("says common schedules in words", () => {
    assert.equal(describeCron("* * * * *"), "every minute");
    assert.equal(describeCron("*/15 * * * *"), "every 15 minutes");
    assert.equal(describeCron("5 * * * *"), "every hour at :05");
    assert.equal(describeCron("0 9 * * *"), "every day at 09:00");
    assert.equal(describeCron("30 8 * * 1-5"), "every weekday at 08:30");
    assert.equal(describeCron("0 10 * * MON,THU"), "every Monday and Thursday at 10:00");
    assert.equal(describeCron("0 9,17 * * *"), "every day at 09:00 and 17:00");
    assert.equal(describeCron("0 0 1 * *"), "on the 1st of every month at 00:00");
    assert.equal(describeCron("0 12 25 12 *"), "every year on 25 December at 12:00");
    assert.equal(describeCron("0 9 * * 1#2"), null, "shown as cron when words would mislead");
  });
});

describe("time zones", () => {
  it("accepts IANA names in any letter case and keeps their spelling", () => {
    assert.equal(resolveTimeZone("europe/paris"), "Europe/Paris");
    assert.equal(resolveTimeZone("UTC"), "UTC");
    assert.equal(resolveTimeZone("Asia/Kolkata"), "Asia/Kolkata");
    assert.equal(resolveTimeZone("America/Argentina/Buenos_Aires"), "America/Argentina/Buenos_Aires");
  });

  it("refuses unknown zones and fixed offsets", () => {
    for (const bad of ["Mars/Olympus_Mons", "Europe/Pariss", "+02:00", "GMT+2", "Etc/GMT-3", "CEST x", ""]) {
      assert.match(
        problem(() => resolveTimeZone(bad)),
        /unknown time zone .*use an IANA name/,
        bad,
      );
    }
  });
});

describe("a schedule request", () => {
  it("needs task text and a channel id, not a name", () => {
    assert.match(
      problem(() => checkScheduleRequest({ cron: "0 9 * * *", text: "   ", timeZone: "UTC" })),
      /task text is empty/,
    );
    assert.match(
      problem(() => checkScheduleRequest({ cron: "0 9 * * *", text: "x", timeZone: "UTC", channelId: "#general" })),
      /not a Slack channel id/,
    );
    const ok = checkScheduleRequest({ cron: "0 9 * * *", text: " report ", timeZone: "utc", channelId: "C0123ABCD" }, new Date("2026-01-01T00:00:00Z"));
    assert.deepEqual({ ...ok, nextRuns: ok.nextRuns.length }, { cron: "0 9 * * *", text: "report", timezone: "UTC", channelId: "C0123ABCD", nextRuns: 3 });
  });
});

describe("/agent schedule arguments", () => {
  it("takes the quoted cron, the text, and --tz before the cron or at the end", () => {
    assert.deepEqual(parseScheduleArgs('"0 9 * * 1-5" post the daily summary'), { cron: "0 9 * * 1-5", text: "post the daily summary", timeZone: null });
    assert.deepEqual(parseScheduleArgs("\u201C0 9 * * 1-5\u201D summarise PRs --tz Europe/Paris"), { cron: "0 9 * * 1-5", text: "summarise PRs", timeZone: "Europe/Paris" });
    assert.deepEqual(parseScheduleArgs('--tz Asia/Tokyo "*/30 * * * *" check the build'), { cron: "*/30 * * * *", text: "check the build", timeZone: "Asia/Tokyo" });
    assert.deepEqual(parseScheduleArgs('"0 9 * * *" explain the --tz flag of our CLI'), { cron: "0 9 * * *", text: "explain the --tz flag of our CLI", timeZone: null });
  });

  it("refuses a cron without quotes and a missing text", () => {
    assert.match(
      problem(() => parseScheduleArgs("0 9 * * 1-5 post it")),
      /double quotes/,
    );
    assert.match(
      problem(() => parseScheduleArgs('"0 9 * * 1-5"   ')),
      /task text is missing/,
    );
  });
});
