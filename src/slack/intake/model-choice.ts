// `model=<id>` in a request picks the model for that task, among the ones AGENT_MODELS lists (the
// first is the default). The word is taken out of the text the agent reads. Pure.

export type ModelChoice =
  /** No model named: the default. */
  { kind: "default"; text: string } | { kind: "chosen"; text: string; model: string } | { kind: "unknown"; requested: string; allowed: readonly string[] };

const MODEL_WORD = /(^|\s)model=(\S*)/i;

export function chooseModel(text: string, allowed: readonly string[]): ModelChoice {
  const match = MODEL_WORD.exec(text);
  if (!match) return { kind: "default", text };
  const requested = match[2]!.replace(/[.,;:!?)]+$/, "");
  const rest = `${text.slice(0, match.index)}${match[1]}${text.slice(match.index + match[0].length)}`.replace(/[ \t]{2,}/g, " ").trim();
  const model = allowed.find((id) => id.toLowerCase() === requested.toLowerCase());
  if (!model) return { kind: "unknown", requested, allowed };
  return { kind: "chosen", text: rest, model };
}
