import { z } from "zod";
import { defineTool } from "../tool.ts";

export const writeFileTool = defineTool({
  name: "write_file",
  description: "Create or overwrite a file in the sandbox with the given content. Parent directories are created. Files meant for the user go in outputs/.",
  schema: z.object({
    file_path: z.string().min(1, "file_path must not be empty"),
    content: z.string(),
  }),
  describe: (input) => input.file_path,
  serialKey: (input) => `file:${input.file_path}`,
  async run(input, ctx) {
    await ctx.sandbox.writeFile(input.file_path, input.content);
    const bytes = Buffer.byteLength(input.content);
    return { content: `Wrote ${bytes} bytes to ${input.file_path}.`, summary: `${bytes} bytes` };
  },
});
