/**
 * The documented shapes of what Slack and Microsoft Teams accept, as zod schemas, written from
 * their reference pages (only the parts this tool uses; `.strict()` so that an unknown field —
 * which the services reject or ignore — fails the test):
 *
 * - Slack incoming webhooks: https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks
 *   and Block Kit: https://docs.slack.dev/reference/block-kit/blocks (header: plain_text up to
 *   150 characters; section: `text` up to 3000 and/or up to 10 `fields` of up to 2000;
 *   context: up to 10 elements; at most 50 blocks)
 * - Teams Workflows webhook ("When a Teams webhook request is received" → "Post card in a chat
 *   or channel"): https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook
 *   — a `message` whose `attachments` hold one `application/vnd.microsoft.card.adaptive`
 * - Adaptive Cards: https://adaptivecards.io/explorer/ (TextBlock, FactSet; Teams renders up
 *   to version 1.5)
 */
import { z } from "zod";

const plainText = (max: number) =>
  z.object({
    type: z.literal("plain_text"),
    text: z.string().min(1).max(max),
    emoji: z.boolean().optional(),
  }).strict();
const mrkdwn = (max: number) =>
  z.object({
    type: z.literal("mrkdwn"),
    text: z.string().min(1).max(max),
    verbatim: z.boolean().optional(),
  }).strict();
const textObject = (max: number) => z.union([plainText(max), mrkdwn(max)]);
const blockId = z.string().max(255).optional();

const header = z.object({ type: z.literal("header"), text: plainText(150), block_id: blockId })
  .strict();
const section = z.object({
  type: z.literal("section"),
  text: textObject(3000).optional(),
  fields: z.array(textObject(2000)).min(1).max(10).optional(),
  block_id: blockId,
}).strict().refine((s) => s.text !== undefined || s.fields !== undefined, {
  message: "a section needs text or fields",
});
const context = z.object({
  type: z.literal("context"),
  elements: z.array(textObject(3000)).min(1).max(10),
  block_id: blockId,
}).strict();
const divider = z.object({ type: z.literal("divider"), block_id: blockId }).strict();

/** A Slack incoming-webhook message with Block Kit blocks and the `text` fallback. */
export const slackMessage = z.object({
  text: z.string().min(1),
  blocks: z.array(z.union([header, section, context, divider])).min(1).max(50),
}).strict();

const textBlock = z.object({
  type: z.literal("TextBlock"),
  text: z.string(),
  weight: z.enum(["Default", "Lighter", "Bolder"]).optional(),
  size: z.enum(["Default", "Small", "Medium", "Large", "ExtraLarge"]).optional(),
  color: z.enum(["Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"]).optional(),
  isSubtle: z.boolean().optional(),
  wrap: z.boolean().optional(),
}).strict();
const factSet = z.object({
  type: z.literal("FactSet"),
  facts: z.array(z.object({ title: z.string(), value: z.string() }).strict()).min(1),
}).strict();

/** An Adaptive Card of TextBlocks and FactSets. */
export const adaptiveCard = z.object({
  $schema: z.literal("http://adaptivecards.io/schemas/adaptive-card.json").optional(),
  type: z.literal("AdaptiveCard"),
  version: z.enum(["1.0", "1.1", "1.2", "1.3", "1.4", "1.5"]),
  body: z.array(z.discriminatedUnion("type", [textBlock, factSet])).min(1),
}).strict();

/** The message a Teams Workflows webhook accepts. */
export const teamsMessage = z.object({
  type: z.literal("message"),
  attachments: z.array(
    z.object({
      contentType: z.literal("application/vnd.microsoft.card.adaptive"),
      contentUrl: z.null().optional(),
      content: adaptiveCard,
    }).strict(),
  ).length(1),
}).strict();
