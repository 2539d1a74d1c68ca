import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toToolOutput } from "../../src/mcp/tool-result.ts";

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

describe("MCP results as tool output", () => {
  it("joins text content into one string", () => {
    const out = toToolOutput({
      content: [
        { type: "text", text: "one" },
        { type: "text", text: "two" },
      ],
    });
    assert.equal(out.content, "one\ntwo");
    assert.equal(out.isError, undefined);
  });

  it("passes supported images on as Messages API image blocks", () => {
    const out = toToolOutput({
      content: [
        { type: "text", text: "look:" },
        { type: "image", data: PNG, mimeType: "image/png" },
      ],
    });
    assert.deepEqual(out.content, [
      { type: "text", text: "look:" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
    ]);
  });

  it("describes images the model cannot take, and audio, in a short note", () => {
    const out = toToolOutput({
      content: [
        { type: "image", data: "PHN2Zz48L3N2Zz4=", mimeType: "image/svg+xml" },
        { type: "audio", data: "UklGRg==", mimeType: "audio/wav" },
      ],
    });
    assert.equal(typeof out.content, "string");
    assert.match(out.content as string, /image \(image\/svg\+xml, 11 B\) not shown: the model accepts JPEG, PNG, GIF and WebP/);
    assert.match(out.content as string, /audio \(audio\/wav, 4 B\) not shown/);
  });

  it("gives resource links and embedded resources as text with their URI", () => {
    const out = toToolOutput({
      content: [
        { type: "resource_link", uri: "file:///repo/README.md", name: "README", mimeType: "text/markdown" },
        { type: "resource", resource: { uri: "file:///repo/a.txt", mimeType: "text/plain", text: "hello from a" } },
        { type: "resource", resource: { uri: "file:///repo/b.bin", mimeType: "application/octet-stream", blob: "AAEC" } },
      ],
    });
    const text = out.content as string;
    assert.match(text, /resource link: README file:\/\/\/repo\/README\.md \(text\/markdown\)/);
    assert.match(text, /\[resource file:\/\/\/repo\/a\.txt \(text\/plain\)\]\nhello from a/);
    assert.match(text, /resource file:\/\/\/repo\/b\.bin \(application\/octet-stream\): 3 B of binary content not shown/);
  });

  it("shows structured content as JSON when there is no text", () => {
    const out = toToolOutput({ content: [], structuredContent: { temperature: 21, unit: "C" } });
    assert.deepEqual(JSON.parse(out.content as string), { temperature: 21, unit: "C" });
    const withText = toToolOutput({ content: [{ type: "text", text: "21 C" }], structuredContent: { temperature: 21 } });
    assert.equal(withText.content, "21 C");
  });

  it("keeps the server's isError", () => {
    const out = toToolOutput({ isError: true, content: [{ type: "text", text: "no such repo" }] });
    assert.equal(out.isError, true);
    assert.equal(out.content, "no such repo");
    assert.equal(toToolOutput({ isError: true, content: [] }).content, "The tool reported an error without a message.");
  });

  it("cuts huge text and says how much was cut", () => {
    const out = toToolOutput({ content: [{ type: "text", text: "a".repeat(50_000) }] }, { maxChars: 1_000 });
    const text = out.content as string;
    assert.ok(text.startsWith("a".repeat(1_000)));
    assert.ok(text.length < 1_200);
    assert.match(text, /49,000 characters cut: the result had 50,000 characters and only the first 1,000 are kept/);
  });

  it("reads the legacy toolResult answer of old servers", () => {
    assert.equal(toToolOutput({ toolResult: { ok: true } }).content, '{\n  "ok": true\n}');
  });
});
