import { z } from "zod";
import { defineTool } from "../tool.ts";
import type { ReadTextOptions } from "../../sandbox/port.ts";
import { CodedError } from "../../shared/errors.ts";
import { imageBlock, isImagePath, MAX_IMAGE_BYTES, numberLines, sliceText } from "./file-text.ts";

const DEFAULT_LIMIT = 2000;
const MAX_LINE = 2000;
/** Text returned at most per call, whatever limit says: the rest is read with a later offset. */
const MAX_TEXT_BYTES = 256 * 1024;

export const readFileTool = defineTool({
  name: "read_file",
  description:
    "Read a file from the sandbox. Returns lines with line numbers (cat -n style). " +
    `offset is the 0-based line to start at, limit the number of lines (default ${DEFAULT_LIMIT}; ` +
    `at most ${MAX_TEXT_BYTES / 1024} KiB of text per call). Images are returned as images.`,
  schema: z.object({
    file_path: z.string().min(1, "file_path must not be empty").describe("Path, relative to the working directory or absolute"),
    offset: z.number().int().min(0).optional().describe("0-based line to start at"),
    limit: z.number().int().min(1).optional().describe("Number of lines to read"),
  }),
  describe: (input) => input.file_path,
  async run(input, ctx) {
    const { sandbox, signal } = ctx;
    if (isImagePath(input.file_path)) {
      try {
        const bytes = await sandbox.readFile(input.file_path, { maxBytes: MAX_IMAGE_BYTES, signal });
        const image = imageBlock(input.file_path, bytes);
        if (image) return { content: [image], summary: `image, ${bytes.byteLength} bytes` };
      } catch (error) {
        // Too big to show as an image: read on as any other file.
        if (!(error instanceof CodedError && error.code === "too_large")) throw error;
      }
    }
    const offset = input.offset ?? 0;
    const options: ReadTextOptions = { offset, limit: input.limit ?? DEFAULT_LIMIT, maxBytes: MAX_TEXT_BYTES, maxLineChars: MAX_LINE, signal };
    // Adapters that can read a slice read no further than needed; the others give the whole file.
    const slice = sandbox.readText ? await sandbox.readText(input.file_path, options) : sliceText(await sandbox.readFile(input.file_path, { signal }), options);
    if (slice.binary) {
      return { content: `${input.file_path} is a binary file (${slice.size} bytes); inspect it with execute (e.g. file, xxd | head).`, summary: "binary file" };
    }
    if (slice.size === 0 || slice.totalLines === 0) return { content: `${input.file_path} is empty.`, summary: "empty" };
    if (slice.lines.length === 0) {
      return { content: `offset ${offset} is past the end of ${input.file_path}, which has ${slice.totalLines ?? "fewer"} lines.`, isError: true };
    }
    let out = numberLines(
      slice.lines.map((l) => (l.cut ? `${l.text}… [line cut]` : l.text)),
      offset + 1,
    );
    const next = offset + slice.lines.length;
    const rest = slice.linesAfter === null ? "more lines" : `${slice.linesAfter} more lines`;
    if (slice.bytesCapped) out += `\n[output stopped at ${MAX_TEXT_BYTES / 1024} KiB; ${rest}; read on with offset ${next}]`;
    else if (slice.linesAfter !== 0) out += `\n[${rest}; read on with offset ${next}]`;
    return { content: out, summary: `${slice.lines.length} lines` };
  },
});
