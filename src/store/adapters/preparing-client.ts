// A `pg` client that prepares the statements it keeps being sent. Postgres parses and plans a
// statement sent as text every time; ours and pg-boss's are few and repeated, and some are large
// (pg-boss's fetch with the per-team cap is a CTE: 0.9 ms as text, 0.25 ms prepared, on an idle
// queue). So a connection prepares a parameterised statement the second time it sees its text.
// Both pools use it (store/adapters/pg.ts): ours and, through its pool options, pg-boss's.
//
// What could go wrong, and what happens then:
//  - a table changed under a prepared statement ("cached plan must not change result type"): the
//    statement is run as text from then on;
//  - a pooler that does not keep prepared statements (PgBouncer in transaction mode before 1.21):
//    the first failure turns preparing off for the connection, and the statement is run as text;
//  - texts built on the fly: bounded as repeated-statements.ts says.
// Either failure comes before the statement runs, so running it again as text is safe.
import { createHash } from "node:crypto";
import pg from "pg";
import { PLAN_INVALID, RepeatedStatements } from "../repeated-statements.ts";

const POOLER_LOST_IT = new Set(["26000", "42P05"]); // prepared statement does not exist / already exists

type QueryArgs = Parameters<pg.Client["query"]>;

export class PreparingClient extends pg.Client {
  /** Text → its statement name once prepared; null when it must run as text. */
  readonly #names = new Map<string, string | null>();
  readonly #repeated = new RepeatedStatements();
  #off = false;

  // biome-ignore lint/suspicious/noExplicitAny: pg's query has a dozen overloads; this one forwards them all
  override query(...args: any[]): any {
    const [text, values, callback] = args as [unknown, unknown, unknown];
    // pg's pool calls query(text, values, callback); a caller of our own, query(text, values).
    const name = typeof text === "string" && Array.isArray(values) && values.length > 0 && (callback === undefined || typeof callback === "function") ? this.#nameFor(text) : null;
    if (!name) return super.query(...(args as QueryArgs));
    const result = this.#prepared(name, text as string, values as unknown[]);
    if (typeof callback !== "function") return result;
    result.then(
      (res) => callback(null, res),
      (error: unknown) => callback(error),
    );
    return undefined;
  }

  async #prepared(name: string, text: string, values: unknown[]): Promise<pg.QueryResult> {
    try {
      return await super.query({ name, text, values });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === PLAN_INVALID) this.#names.set(text, null);
      else if (typeof code === "string" && POOLER_LOST_IT.has(code)) this.#off = true;
      else throw error;
      return super.query(text, values);
    }
  }

  #nameFor(text: string): string | null {
    if (this.#off) return null;
    const known = this.#names.get(text);
    if (known !== undefined) return known;
    if (!this.#repeated.choose(text)) return null;
    const name = `da_${createHash("sha1").update(text).digest("base64url")}`;
    this.#names.set(text, name);
    return name;
  }
}
