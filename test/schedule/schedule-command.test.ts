// `deep-agent schedule add | list | remove` as a user runs them, on each database target: the
// confirmation with the next three run times, the list, removal from our record and from
// pg-boss, and bad input answered in one line with exit code 2 and nothing stored.
import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { eachDatabase, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { runCli, cleanEnv, type CliResult } from "../helpers/run-cli.ts";
import { withDb } from "../worker/scripted-tasks.ts";

interface Listed {
  id: string;
  cron: string;
  description: string | null;
  timezone: string;
  text: string;
  channel: string | null;
  status: string;
  next_run: string | null;
  last_run: unknown;
}

eachDatabase((kind) => {
  // Each test has a database of its own, so the three run side by side.
  describe(`schedule command on ${kind}`, { concurrency: true }, () => {
    async function userOn(t: TestContext) {
      const target: TestTarget = await createTarget(kind);
      t.after(() => target.cleanup());
      // The machine's zone is the default for schedules made without --tz.
      const env = cleanEnv({ ...target.env, TZ: "Asia/Tokyo", MAX_SCHEDULES_PER_CHANNEL: "2" });
      const cli = (...args: string[]): Promise<CliResult> => runCli(["schedule", ...args], { env, timeoutMs: 60_000 });
      const listed = async (): Promise<Listed[]> => {
        const res = await cli("list", "--json");
        assert.equal(res.code, 0, res.stderr);
        return JSON.parse(res.stdout) as Listed[];
      };
      const inPgBoss = () =>
        withDb(target, async (db) => {
          const { rows } = await db.query<{ key: string; cron: string; timezone: string }>(
            "SELECT key, cron, timezone FROM pgboss.schedule WHERE name = 'deep-agent-schedules' ORDER BY key",
          );
          return rows;
        });
      return { cli, listed, inPgBoss };
    }

    it("adds a schedule, showing its id and next three run times; lists it; removes it", async (t) => {
      const { cli, listed, inPgBoss } = await userOn(t);
      const added = await cli("add", "30 8 * * 1-5", "summarise open pull requests", "--tz", "America/New_York", "--channel", "C0TEAM1");
      assert.equal(added.code, 0, added.stderr);
      const lines = added.stdout.trim().split("\n");
      const head = /^scheduled ([a-z2-9]{8}): every weekday at 08:30 \(America\/New_York\)$/.exec(lines[0]!);
      assert.ok(head, added.stdout);
      const id = head[1]!;
      const times = lines.filter((l) => /^\s+\w{3} \d/.test(l));
      assert.equal(times.length, 3, added.stdout);
      for (const t of times) assert.match(t, /^\s+(Mon|Tue|Wed|Thu|Fri) \d{1,2} [A-Z][a-z]{2} \d{4}, 08:30 E[SD]T$/);
      assert.match(added.stdout, /posts each run in Slack channel C0TEAM1/);

      const local = await cli("add", "0 7 * * *", "water the plants");
      assert.equal(local.code, 0, local.stderr);
      assert.match(local.stdout, /^scheduled [a-z2-9]{8}: every day at 07:00 \(Asia\/Tokyo\)\n/);
      assert.match(local.stdout, /07:00 GMT\+9\n/);
      assert.match(local.stdout, /runs without Slack/);

      const text = await cli("list");
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`^${id}  every weekday at 08:30 \\(America/New_York\\)  next \\w{3} .* 08:30 E[SD]T  #C0TEAM1  by \\S+  last: never run$`, "m"));
      assert.match(text.stdout, /summarise open pull requests/);

      const all = await listed();
      const mine = all.find((s) => s.id === id)!;
      assert.deepEqual(
        { cron: mine.cron, description: mine.description, timezone: mine.timezone, text: mine.text, channel: mine.channel, status: mine.status, last_run: mine.last_run },
        {
          cron: "30 8 * * 1-5",
          description: "every weekday at 08:30",
          timezone: "America/New_York",
          text: "summarise open pull requests",
          channel: "C0TEAM1",
          status: "active",
          last_run: null,
        },
      );
      assert.ok(Date.parse(mine.next_run!) > Date.now());
      assert.deepEqual(
        (await inPgBoss()).find((r) => r.key === id),
        { key: id, cron: "30 8 * * 1-5", timezone: "America/New_York" },
      );

      const removed = await cli("remove", id.toUpperCase());
      assert.equal(removed.code, 0, removed.stderr);
      assert.match(removed.stdout, new RegExp(`^removed ${id} \\(summarise open pull requests\\)`));
      assert.deepEqual(
        (await listed()).map((s) => s.id),
        all.filter((s) => s.id !== id).map((s) => s.id),
      );
      assert.equal(
        (await inPgBoss()).find((r) => r.key === id),
        undefined,
        "pg-boss no longer fires it",
      );
    });

    it("answers bad input in one line with exit code 2 and stores nothing", async (t) => {
      const { cli, listed, inPgBoss } = await userOn(t);
      const before = await listed();
      const beforeBoss = await inPgBoss();
      const cases: Array<[string[], RegExp]> = [
        [[], /schedule: say what to do/],
        [["frobnicate"], /unknown subcommand "frobnicate"/],
        [["add"], /cron expression and the task text are missing/],
        [["add", "0 9 * * *"], /task text is missing/],
        [["add", "0", "9", "*", "*", "*", "report"], /got 6 arguments; put the cron expression and the task text each in quotes/],
        [["add", "0 0 9 * * *", "report"], /has 6 fields; a cron expression has five/],
        [["add", "61 9 * * *", "report"], /not a valid cron expression/],
        [["add", "0 9 * * *", "report", "--tz", "Mars/Olympus_Mons"], /unknown time zone "Mars\/Olympus_Mons"; use an IANA name/],
        [["add", "0 9 * * *", "   "], /task text is empty/],
        [["add", "0 9 * * *", "report", "--channel", "#general"], /not a Slack channel id/],
        [["add", "0 9 * * *", "report", "--every-day"], /schedule add: Unknown option '--every-day'/],
        [["remove"], /give one schedule id/],
        [["remove", "nosuchid"], /no schedule with id "nosuchid"; `deep-agent schedule list` shows the ids/],
        [["list", "everything"], /takes no arguments/],
      ];
      const results = await Promise.all(cases.map(([args]) => cli(...args)));
      results.forEach((res, i) => {
        const [args, expected] = cases[i]!;
        const what = `schedule ${args.join(" ")}`;
        assert.equal(res.code, 2, `${what}: ${res.stderr}`);
        assert.equal(res.stdout, "", what);
        assert.equal(res.stderr.trim().split("\n").length, 1, `${what} answers in one line: ${res.stderr}`);
        assert.match(res.stderr, /^deep-agent: /, what);
        assert.match(res.stderr, expected, what);
      });
      assert.deepEqual(await listed(), before);
      assert.deepEqual(await inPgBoss(), beforeBoss);
    });

    it("refuses a schedule beyond a channel's limit", async (t) => {
      const { cli, listed, inPgBoss } = await userOn(t);
      for (const text of ["first", "second"]) {
        const res = await cli("add", "0 9 * * *", text, "--channel", "C0FULL");
        assert.equal(res.code, 0, res.stderr);
      }
      const before = await listed();
      const third = await cli("add", "0 10 * * *", "third", "--channel", "C0FULL");
      assert.equal(third.code, 2);
      assert.match(
        third.stderr,
        /^deep-agent: schedule add: this channel already has 2 schedules, the most allowed \(MAX_SCHEDULES_PER_CHANNEL=2\); remove one first with `deep-agent schedule remove <id>`\n$/,
      );
      assert.deepEqual(await listed(), before);
      assert.equal((await inPgBoss()).length, before.length);
    });
  });
});
