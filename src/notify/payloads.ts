/**
 * The message bodies, one per receiver kind, all made from one {@link RunEvent}:
 *
 * - Slack incoming webhook: `text` (the fallback for notifications) and Block Kit `blocks`;
 * - Microsoft Teams Workflows webhook: a `message` with one Adaptive Card attachment;
 * - generic JSON: `{type, timestamp, data}`, the Standard Webhooks payload structure, `data`
 *   in the same snake_case as `last_run.json`.
 *
 * @module
 */
import { facts, headline, type RunEvent, someWarnings } from "./event.ts";

/** Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks). */
const SLACK_HEADER_MAX = 150;
const SLACK_TEXT_MAX = 3000;
const SLACK_FIELD_MAX = 2000;

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}

/** Text for Slack `mrkdwn`: `&`, `<` and `>` escaped as Slack asks, so nothing becomes a link. */
export function slackEscape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The Slack incoming-webhook message. */
export function slackPayload(event: RunEvent): Record<string, unknown> {
  const title = headline(event);
  const pairs = facts(event);
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: clip(title, SLACK_HEADER_MAX) } },
    {
      type: "section",
      fields: pairs.slice(0, 10).map(([k, v]) => ({
        type: "mrkdwn",
        text: clip(`*${slackEscape(k)}*\n${slackEscape(v)}`, SLACK_FIELD_MAX),
      })),
    },
  ];
  if (event.error) {
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: clip(
          `*Error* (exit ${event.error.exitCode})\n${slackEscape(event.error.message)}`,
          SLACK_TEXT_MAX,
        ),
      },
    });
  }
  if (event.warnings.length > 0) {
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: clip(
          `*Warnings*\n${
            someWarnings(event.warnings).map((w) => `• ${slackEscape(w)}`).join("\n")
          }`,
          SLACK_TEXT_MAX,
        ),
      },
    });
  }
  blocks.push({
    type: "context",
    elements: [{
      type: "mrkdwn",
      text: slackEscape(`augment-metrics ${event.version} · ${event.finishedAt}`),
    }],
  });
  const text = [
    title,
    ...pairs.map(([k, v]) => `${k}: ${v}`),
    ...(event.error ? [`Error: ${event.error.message}`] : []),
  ].join("\n");
  return { text: clip(slackEscape(text), SLACK_TEXT_MAX), blocks };
}

/** The Teams Workflows ("When a Teams webhook request is received") message. */
export function teamsPayload(event: RunEvent): Record<string, unknown> {
  const color = event.outcome === "success"
    ? "Good"
    : event.outcome === "partial"
    ? "Warning"
    : "Attention";
  const body: Record<string, unknown>[] = [
    {
      type: "TextBlock",
      text: headline(event),
      weight: "Bolder",
      size: "Medium",
      color,
      wrap: true,
    },
    { type: "FactSet", facts: facts(event).map(([title, value]) => ({ title, value })) },
  ];
  if (event.error) {
    body.push({
      type: "TextBlock",
      text: `Error (exit ${event.error.exitCode}): ${event.error.message}`,
      color: "Attention",
      wrap: true,
    });
  }
  if (event.warnings.length > 0) {
    body.push({
      type: "TextBlock",
      text: someWarnings(event.warnings).map((w) => `- ${w}`).join("\n"),
      wrap: true,
    });
  }
  body.push({
    type: "TextBlock",
    text: `augment-metrics ${event.version} · ${event.finishedAt}`,
    isSubtle: true,
    size: "Small",
    wrap: true,
  });
  return {
    type: "message",
    attachments: [{
      contentType: "application/vnd.microsoft.card.adaptive",
      contentUrl: null,
      content: {
        $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
        type: "AdaptiveCard",
        version: "1.4",
        body,
      },
    }],
  };
}

/** The `type` of a generic JSON event. */
export function jsonEventType(event: RunEvent): string {
  return `augment_metrics.run.${
    event.outcome === "success" ? "succeeded" : event.outcome === "partial" ? "partial" : "failed"
  }`;
}

/** The generic JSON event: `{type, timestamp, data}`. */
export function jsonPayload(event: RunEvent): Record<string, unknown> {
  return {
    type: jsonEventType(event),
    timestamp: event.finishedAt,
    data: {
      outcome: event.outcome,
      command: event.command,
      version: event.version,
      range: event.range,
      latest: event.latest,
      days: event.days,
      identities: event.identities,
      requests: event.requests,
      warnings: event.warnings,
      elapsed_seconds: event.elapsedSeconds,
      output_dir: event.outputDir,
      files: event.files,
      error: event.error ? { message: event.error.message, exit_code: event.error.exitCode } : null,
      finished_at: event.finishedAt,
    },
  };
}
