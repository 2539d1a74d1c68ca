// A .env in the working directory fills variables that the environment does not set.
import { existsSync } from "node:fs";
import path from "node:path";
import { parse } from "dotenv";
import { readFileSync } from "node:fs";
import { configError } from "../config/env.ts";

export function loadEnvFile(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): void {
  const file = path.join(cwd, ".env");
  if (!existsSync(file)) return;
  let values: Record<string, string>;
  try {
    values = parse(readFileSync(file));
  } catch (error) {
    throw configError(".env", `could not be read (${(error as Error).message}); fix or remove ${file}`, { cause: error });
  }
  for (const [key, value] of Object.entries(values)) if (env[key] === undefined) env[key] = value;
}
