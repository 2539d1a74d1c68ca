// The bare baseline of bench/startup.ts for `deep-agent task`: one streamed model turn with the
// SDK, its text printed. Env: ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL.
import Anthropic from "@anthropic-ai/sdk";

const client = new Anthropic();
const message = await client.messages.stream({ model: "claude-test", max_tokens: 1024, messages: [{ role: "user", content: process.argv[2] ?? "hello" }] }).finalMessage();
for (const block of message.content) if (block.type === "text") process.stdout.write(`${block.text}\n`);
