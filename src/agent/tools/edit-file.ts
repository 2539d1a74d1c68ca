import { z } from "zod";
import { defineTool } from "../tool.ts";
import { decodeText } from "./file-text.ts";

/** Bigger files are refused (code too_large) rather than read whole into memory. */
const MAX_EDIT_BYTES = 16 * 1024 * 1024;

export const editFileTool = defineTool({
  name: "edit_file",
  description: "Replace exact text in a file. old_string must match the file exactly (whitespace included) and, unless replace_all is true, occur exactly once.",
  schema: z.object({
    file_path: z.string().min(1, "file_path must not be empty"),
    old_string: z.string().min(1, "old_string must not be empty"),
    new_string: z.string(),
    replace_all: z.boolean().optional(),
  }),
  describe: (input) => input.file_path,
  serialKey: (input) => `file:${input.file_path}`,
  async run(input, ctx) {
    if (input.old_string === input.new_string) {
      return { content: "old_string and new_string are the same; nothing to change.", isError: true };
    }
    const text = decodeText(await ctx.sandbox.readFile(input.file_path, { maxBytes: MAX_EDIT_BYTES, signal: ctx.signal }));
    const count = text.split(input.old_string).length - 1;
    if (count === 0) {
      return { content: `old_string was not found in ${input.file_path}; read the file and copy the text exactly.`, isError: true };
    }
    if (count > 1 && !input.replace_all) {
      return { content: `old_string occurs ${count} times in ${input.file_path}; include more surrounding text to make it unique, or set replace_all.`, isError: true };
    }
    const updated = input.replace_all ? text.split(input.old_string).join(input.new_string) : text.replace(input.old_string, () => input.new_string);
    await ctx.sandbox.writeFile(input.file_path, updated);
    return { content: `Replaced ${count} occurrence${count === 1 ? "" : "s"} in ${input.file_path}.`, summary: `${count} replaced` };
  },
});
