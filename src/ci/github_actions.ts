/**
 * GitHub Actions: the run's Markdown summary appended to `$GITHUB_STEP_SUMMARY`, and warnings
 * and errors as `::warning::` / `::error::` workflow commands so they show as annotations.
 *
 * Pure functions make the text; {@link reportToGitHubActions} is the small writer.
 * Workflow commands: https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands
 *
 * @module
 */
import { facts, headline, type RunEvent, someWarnings } from "../notify/event.ts";

/** A workflow command's message, escaped as GitHub's toolkit does: `%`, CR and LF. */
export function escapeData(text: string): string {
  return text.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** A workflow command's property value: as {@link escapeData}, and `:` and `,` too. */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

/** Kinds of annotation. */
export type AnnotationKind = "error" | "warning" | "notice";

/**
 * One workflow command line (with its line break), e.g.
 * `::warning title=augment-metrics::2025-01-03%3A ...` — a message can never start a second
 * command, whatever it holds.
 */
export function annotation(
  kind: AnnotationKind,
  message: string,
  properties: Readonly<Record<string, string>> = {},
): string {
  const props = Object.entries(properties).map(([k, v]) => `${k}=${escapeProperty(v)}`).join(",");
  return `::${kind}${props ? ` ${props}` : ""}::${escapeData(message)}\n`;
}

/** Text for a Markdown table cell or list item: no HTML, no table break, no emphasis. */
export function markdownText(text: string): string {
  return text
    .replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replace(/[\\|*_`[\]]/g, (c) => `\\${c}`)
    .replace(/\r\n|[\r\n]/g, " ");
}

const ICON = { success: "✅", partial: "⚠️", failure: "❌" } as const;

/** The step summary: the headline, a table of the facts, the error, the warnings. */
export function stepSummary(event: RunEvent): string {
  const lines = [
    `### ${ICON[event.outcome]} ${markdownText(headline(event))}`,
    "",
    "| | |",
    "|---|---|",
    ...facts(event).map(([k, v]) => `| ${markdownText(k)} | ${markdownText(v)} |`),
    "",
  ];
  if (event.error) {
    lines.push(
      `**Error** (exit ${event.error.exitCode}): ${markdownText(event.error.message)}`,
      "",
    );
  }
  if (event.warnings.length > 0) {
    lines.push(
      `<details><summary>Warnings (${event.warnings.length})</summary>`,
      "",
      ...someWarnings(event.warnings, 50).map((w) => `- ${markdownText(w)}`),
      "",
      "</details>",
      "",
    );
  }
  lines.push(`<sub>augment-metrics ${markdownText(event.version)} · ${event.finishedAt}</sub>`, "");
  return lines.join("\n") + "\n";
}

/** The variables GitHub Actions sets that this module reads. */
export interface ActionsEnv {
  /** `"true"` in a GitHub Actions job. */
  readonly GITHUB_ACTIONS?: string | undefined;
  /** The file a step appends its Markdown summary to. */
  readonly GITHUB_STEP_SUMMARY?: string | undefined;
}

/** Whether annotations are printed: in a GitHub Actions job. */
export function inGitHubActions(env: ActionsEnv): boolean {
  return env.GITHUB_ACTIONS === "true";
}

/** Every annotation line for an event: one per warning (at most 50), and the error. */
export function annotationsFor(event: RunEvent): string {
  const title = `augment-metrics ${event.command}`;
  let out = "";
  for (const w of someWarnings(event.warnings, 50)) out += annotation("warning", w, { title });
  if (event.error) {
    out += annotation("error", `${event.error.message} (exit ${event.error.exitCode})`, {
      title: `${title} failed`,
    });
  }
  return out;
}

/**
 * Reports a finished run to GitHub Actions: annotations on `stdout` when `GITHUB_ACTIONS` is
 * `true` (unless `annotate` is false, e.g. when warnings were annotated as they came), and the
 * summary appended to `GITHUB_STEP_SUMMARY` when it is set.
 *
 * @returns warning lines (a summary file that cannot be written); never throws
 */
export async function reportToGitHubActions(
  event: RunEvent,
  io: {
    readonly env: ActionsEnv;
    readonly stdout: (text: string) => void;
    readonly annotate?: boolean;
    /** Appends text to a file (tests may replace it). */
    readonly append?: (path: string, text: string) => Promise<void>;
  },
): Promise<string[]> {
  const warnings: string[] = [];
  if (inGitHubActions(io.env) && io.annotate !== false) {
    const lines = annotationsFor(event);
    if (lines) io.stdout(lines);
  }
  const path = io.env.GITHUB_STEP_SUMMARY;
  if (path !== undefined && path !== "") {
    const append = io.append ??
      ((p: string, text: string) => Deno.writeTextFile(p, text, { append: true }));
    try {
      await append(path, stepSummary(event));
    } catch (err) {
      warnings.push(
        `Cannot append the run summary to GITHUB_STEP_SUMMARY "${path}": ${
          err instanceof Error ? err.message.split("\n")[0] : String(err)
        }`,
      );
    }
  }
  return warnings;
}
