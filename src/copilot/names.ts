/**
 * Editor and language names as Copilot formats write them.
 *
 * @module
 */

/**
 * The Copilot form of an editor or language name: trimmed and lower case (`"VSCode"` →
 * `"vscode"`); an empty or missing name is `"unknown"`.
 */
export function normalizeName(name: string | null | undefined): string {
  if (name === null || name === undefined) return "unknown";
  const n = name.trim().toLowerCase();
  return n === "" ? "unknown" : n;
}

/**
 * The Copilot (normalized) name of Augment's command-line agent as an editor: the service and
 * the simulator send `CLI`, in any case.
 */
export const CLI_EDITOR = "cli";

/**
 * Whether a normalized editor name is the CLI. The CLI is not an IDE: its records count in
 * `totals_by_cli`, the `copilot_cli` feature rows and every total, never in `totals_by_ide`
 * (Format C) or `editors[]` (Format B), as in GitHub's own reports.
 */
export function isCliEditor(name: string): boolean {
  return name === CLI_EDITOR;
}
