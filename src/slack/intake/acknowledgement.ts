// "thanks!", "👍", "great, thank you" — messages that close an exchange rather than ask for
// something. Such a message never starts a task (a paid run): it must contain a word of thanks or
// praise (or be emoji only), every other word must be filler, and it asks nothing (no "?").
// "ok" alone is not one: it often answers a question the agent asked. Pure.

const THANKS = new Set([
  "thanks",
  "thank",
  "thx",
  "thnx",
  "tx",
  "ty",
  "tysm",
  "tyvm",
  "cheers",
  "kudos",
  "great",
  "perfect",
  "awesome",
  "nice",
  "cool",
  "brilliant",
  "excellent",
  "amazing",
  "wonderful",
  "fantastic",
  "lgtm",
  "merci",
  "danke",
  "gracias",
]);

const FILLER = new Set([
  "you",
  "u",
  "so",
  "much",
  "a",
  "lot",
  "lots",
  "very",
  "many",
  "ok",
  "okay",
  "k",
  "that",
  "this",
  "it",
  "is",
  "was",
  "works",
  "worked",
  "looks",
  "good",
  "job",
  "work",
  "done",
  "again",
  "all",
  "for",
  "the",
  "help",
  "really",
  "super",
  "just",
  "and",
  "man",
  "mate",
  "bot",
  "agent",
  "deep",
  "buddy",
  "beaucoup",
  "schön",
  "muchas",
]);

const EMOJI_CODE = /:[a-z0-9_+'-]+:/gi;
const PICTOGRAPH = /\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}]|\u200d|\ufe0f/gu;

/** Whether `text` (the decoded task text, the bot's mention removed) only acknowledges. */
export function isAcknowledgement(text: string): boolean {
  if (text.includes("?")) return false;
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.length > 120) return false;
  const withoutEmoji = trimmed
    .replace(EMOJI_CODE, " ")
    .replace(PICTOGRAPH, " ")
    .replace(/<@[^>]*>|@\S+/g, " ");
  const words = withoutEmoji
    .toLowerCase()
    .replace(/[.,;:!~*_()[\]"'`-]+/g, " ")
    .split(/\s+/)
    .filter(Boolean);
  // Only emoji (👍, :pray:, 🎉).
  if (words.length === 0) return withoutEmoji.trim() === "" && trimmed !== "";
  if (words.length > 8) return false;
  return words.some((w) => THANKS.has(w)) && words.every((w) => THANKS.has(w) || FILLER.has(w));
}
