// The request bodies the double accepts, checked with zod at the HTTP boundary.
// Loose on purpose: it checks what the double relies on and keeps every other field.
import { z } from "zod";

const CacheControl = z.looseObject({ type: z.string(), ttl: z.string().optional() }).nullable().optional();

export const ContentBlockSchema = z.looseObject({ type: z.string(), cache_control: CacheControl });

const MessageSchema = z.looseObject({
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(ContentBlockSchema)]),
});

const SystemSchema = z.union([z.string(), z.array(z.looseObject({ type: z.literal("text"), text: z.string(), cache_control: CacheControl }))]);

const ToolSchema = z.looseObject({ name: z.string().min(1), cache_control: CacheControl });

const PromptFields = {
  model: z.string().min(1),
  messages: z.array(MessageSchema),
  system: SystemSchema.optional(),
  tools: z.array(ToolSchema).optional(),
  cache_control: CacheControl,
};

export const MessagesRequestSchema = z.looseObject({
  ...PromptFields,
  max_tokens: z.number().int().positive(),
  stream: z.boolean().optional(),
});

export const CountTokensRequestSchema = z.looseObject(PromptFields);

export type MessagesRequest = z.infer<typeof MessagesRequestSchema>;
export type CountTokensRequest = z.infer<typeof CountTokensRequestSchema>;
export type RequestMessage = MessagesRequest["messages"][number];
export type ContentBlock = z.infer<typeof ContentBlockSchema>;

/** Same wording style as the real API: `field.path: problem`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ");
}
