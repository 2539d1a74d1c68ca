// Which statement texts are worth preparing, for both adapters (adapters/preparing-client.ts on
// Postgres, embedded/prepared-statements.ts on PGlite): a text is prepared the second time it is
// seen, at most 256 of them per connection, and only the first 2,048 texts are counted — so texts
// built on the fly can neither fill the server with prepared statements nor this process with counts.

const MAX_PREPARED = 256;
const MAX_COUNTED = 2_048;

/** SQLSTATE of "cached plan must not change result type": a table changed under a prepared statement. */
export const PLAN_INVALID = "0A000";

export class RepeatedStatements {
  readonly #seenOnce = new Set<string>();
  #chosen = 0;

  /**
   * Whether to prepare `text` now: true the second time it is seen, while fewer than 256 were
   * chosen. `mayPrepare` false (inside a transaction) still counts the text but chooses nothing.
   */
  choose(text: string, mayPrepare = true): boolean {
    if (!this.#seenOnce.has(text)) {
      if (this.#seenOnce.size < MAX_COUNTED) this.#seenOnce.add(text);
      return false;
    }
    if (!mayPrepare || this.#chosen >= MAX_PREPARED) return false;
    this.#seenOnce.delete(text);
    this.#chosen++;
    return true;
  }

  /** A chosen text that could not be prepared gives its place back. */
  unchoose(): void {
    this.#chosen--;
  }
}
