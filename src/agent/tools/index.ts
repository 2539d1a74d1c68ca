// The built-in tools of the contract that need nothing but the sandbox.
import type { AgentTool } from "../tool.ts";
import { executeTool } from "./execute.ts";
import { readFileTool } from "./read-file.ts";
import { writeFileTool } from "./write-file.ts";
import { editFileTool } from "./edit-file.ts";
import { lsTool } from "./ls.ts";
import { globTool } from "./glob.ts";
import { grepTool } from "./grep.ts";

export const sandboxTools: readonly AgentTool[] = [executeTool, readFileTool, writeFileTool, editFileTool, lsTool, globTool, grepTool] as AgentTool[];

export const readOnlyToolNames = new Set(["read_file", "ls", "glob", "grep", "execute"]);
