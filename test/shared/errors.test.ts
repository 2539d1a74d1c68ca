// The one error vocabulary: a coded error carries its code, its detail and whether trying again
// may help; a stored failure is read back even when its code is no longer known.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CodedError, ERROR_CODES, failureFrom, hasCode, type ErrorCode } from "../../src/shared/errors.ts";

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

describe("CodedError, for every code", () => {
  for (const code of CODES) {
    it(`${code}: transient ${ERROR_CODES[code]} unless told otherwise`, () => {
      const error = new CodedError(code, `what happened (${code})`);
      assert.ok(error instanceof Error);
      assert.equal(error.name, "CodedError");
      assert.equal(error.code, code);
      assert.equal(error.detail, `what happened (${code})`);
      assert.equal(error.message, error.detail);
      assert.equal(error.transient, ERROR_CODES[code]);
      assert.equal("cause" in error, false);
      assert.deepEqual(error.toFailure(), { code, detail: `what happened (${code})`, transient: ERROR_CODES[code] });
      for (const transient of [true, false]) assert.equal(new CodedError(code, "x", { transient }).toFailure().transient, transient);
    });
  }
});

describe("CodedError", () => {
  it("which codes may succeed on a later attempt", () => {
    const transient = CODES.filter((c) => ERROR_CODES[c]);
    assert.deepEqual(transient, [
      "queue_full",
      "too_many_tasks",
      "database_unavailable",
      "model_unavailable",
      "sandbox_unavailable",
      "internal",
      "shutdown",
      "file_io",
      "mcp_timeout",
      "mcp_unavailable",
      "github_rate_limited",
      "github_unavailable",
    ]);
  });

  it("keeps its cause, even a falsy one", () => {
    const cause = new Error("ECONNRESET");
    assert.equal(new CodedError("model_unavailable", "x", { cause }).cause, cause);
    const zero = new CodedError("internal", "x", { cause: 0 });
    assert.equal("cause" in zero, true);
    assert.equal(zero.cause, 0);
  });

  it("keeps any detail as written", () => {
    for (const detail of ["", "ping <@U123> &amp; <!channel>", "日本語 😀", "a\u0000b", "x".repeat(1_000_000)]) {
      const error = new CodedError("bad_input", detail);
      assert.equal(error.detail, detail);
      assert.equal(error.toFailure().detail, detail);
    }
  });

  it("a failure is plain data: it survives JSON", () => {
    const failure = new CodedError("timeout", "after 5 s").toFailure();
    assert.deepEqual(JSON.parse(JSON.stringify(failure)), failure);
  });
});

describe("hasCode", () => {
  const timeout = new CodedError("timeout", "late");
  const cases: Array<[title: string, error: unknown, codes: ErrorCode[], expected: boolean]> = [
    ["a coded error, any code", timeout, [], true],
    ["a coded error with that code", timeout, ["timeout"], true],
    ["a coded error with one of those codes", timeout, ["cancelled", "timeout"], true],
    ["a coded error with another code", timeout, ["cancelled"], false],
    ["a plain Error", new Error("timeout"), [], false],
    ["an Error with a code property", Object.assign(new Error("x"), { code: "timeout" }), ["timeout"], false],
    ["an object that looks like a coded error", { name: "CodedError", code: "timeout", message: "x", transient: false }, [], false],
    ["a stored failure", timeout.toFailure(), ["timeout"], false],
    ["a string", "timeout", [], false],
    ["null", null, [], false],
    ["undefined", undefined, [], false],
  ];
  for (const [title, error, codes, expected] of cases) it(title, () => assert.equal(hasCode(error, ...codes), expected));
});

describe("failureFrom (a stored failure read back)", () => {
  const cases: Array<[title: string, code: string | null | undefined, detail: string | null | undefined, expected: ReturnType<typeof failureFrom>]> = [
    ["nothing stored", null, null, null],
    ["nothing stored (undefined)", undefined, undefined, null],
    ["empty strings", "", "", null],
    ["a known code", "timeout", "after 5 s", { code: "timeout", detail: "after 5 s", transient: false }],
    ["a known transient code", "model_unavailable", "overloaded", { code: "model_unavailable", detail: "overloaded", transient: true }],
    ["a code without a detail", "cancelled", null, { code: "cancelled", detail: "", transient: false }],
    ["an unknown code (an older version's)", "sandbox_exploded", "boom", { code: "internal", detail: "boom", transient: true }],
    ["a detail without a code", null, "boom", { code: "internal", detail: "boom", transient: true }],
    ["a code in other letters is unknown", "TIMEOUT", "x", { code: "internal", detail: "x", transient: true }],
    ["a code with blanks is unknown", " timeout ", "x", { code: "internal", detail: "x", transient: true }],
    ["an object's own property names are not codes", "toString", "x", { code: "internal", detail: "x", transient: true }],
    ["__proto__ is not a code", "__proto__", "x", { code: "internal", detail: "x", transient: true }],
    ["constructor is not a code", "constructor", "x", { code: "internal", detail: "x", transient: true }],
    ["hasOwnProperty is not a code", "hasOwnProperty", "x", { code: "internal", detail: "x", transient: true }],
  ];
  for (const [title, code, detail, expected] of cases) it(title, () => assert.deepEqual(failureFrom(code, detail), expected));

  it("every known code reads back as itself", () => {
    for (const code of CODES) assert.deepEqual(failureFrom(code, "d"), new CodedError(code, "d").toFailure(), code);
  });
});
