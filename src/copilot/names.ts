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
