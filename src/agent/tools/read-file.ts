import { z } from "zod";
import { defineTool } from "../tool.ts";
import { decodeText, imageBlock, looksBinary, numberLines } from "./file-text.ts";

const DEFAULT_LIMIT = 2000;
const MAX_LINE = 2000;

export const readFileTool = defineTool({
  name: "read_file",
  description:
    "Read a file from the sandbox. Returns lines with line numbers (cat -n style). " +
    `offset is the 0-based line to start at, limit the number of lines (default ${DEFAULT_LIMIT}). Images are returned as images.`,
  schema: z.object({
    file_path: z.string().min(1, "file_path must not be empty").describe("Path, relative to the working directory or absolute"),
    offset: z.number().int().min(0).optional().describe("0-based line to start at"),
    limit: z.number().int().min(1).optional().describe("Number of lines to read"),
  }),
  describe: (input) => input.file_path,
  async run(input, ctx) {
    const bytes = await ctx.sandbox.readFile(input.file_path);
    const image = imageBlock(input.file_path, bytes);
    if (image) return { content: [image], summary: `image, ${bytes.byteLength} bytes` };
    if (looksBinary(bytes)) {
      return { content: `${input.file_path} is a binary file (${bytes.byteLength} bytes); inspect it with execute (e.g. file, xxd | head).`, summary: "binary file" };
    }
    const text = decodeText(bytes);
    if (text.length === 0) return { content: `${input.file_path} is empty.`, summary: "empty" };
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    const offset = input.offset ?? 0;
    const limit = input.limit ?? DEFAULT_LIMIT;
    if (offset >= lines.length) {
      return { content: `offset ${offset} is past the end of ${input.file_path}, which has ${lines.length} lines.`, isError: true };
    }
    const slice = lines.slice(offset, offset + limit).map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}… [line cut]` : l));
    let out = numberLines(slice, offset + 1);
    const rest = lines.length - (offset + slice.length);
    if (rest > 0) out += `\n[${rest} more lines; read on with offset ${offset + slice.length}]`;
    return { content: out, summary: `${slice.length} lines` };
  },
});
