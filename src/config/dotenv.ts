/**
 * The `.env` file of the working directory: read with `node:util` `parseEnv` (not `npm:dotenv`,
 * which prints to stdout and breaks under a scoped `--allow-env`).
 *
 * `parseEnv` silently skips lines it cannot read and keeps an unclosed quote as part of the
 * value, so the text is checked first: every line must be blank, a `# comment`, or
 * `NAME=value` (optionally after `export `), and a quoted value must be closed, possibly on a
 * later line. A problem names the file and the line number, never the line itself (it may hold
 * the token).
 *
 * @module
 */
import { join } from "node:path";
import { parseEnv } from "node:util";
import { UsageError } from "../errors.ts";

/** The name of the settings file looked for in the working directory. */
export const DOTENV_NAME = ".env";

/** A `.env` file that was read: its path and every `NAME=value` in it. */
export interface DotenvFile {
  readonly path: string;
  readonly values: Readonly<Record<string, string>>;
  /** Permission bits of the file, where the system has them (not on Windows). */
  readonly mode?: number;
}

const BLANK_OR_COMMENT = /^\s*(?:#.*)?$/;
const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=(.*)$/;
const QUOTES = new Set(['"', "'", "`"]);

/**
 * The first problem in a `.env` text, as "line N …", or `undefined` when every line is
 * readable. Pure.
 */
export function dotenvProblem(text: string): string | undefined {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, "");
    if (BLANK_OR_COMMENT.test(line)) continue;
    const match = ASSIGNMENT.exec(line);
    if (match === null) return `line ${i + 1} is not a NAME=value line`;
    const value = match[1].trimStart();
    const quote = value[0];
    if (quote === undefined || !QUOTES.has(quote) || value.indexOf(quote, 1) !== -1) continue;
    const close = lines.findIndex((later, j) => j > i && later.includes(quote));
    if (close === -1) return `line ${i + 1} opens a quoted value that is never closed`;
    i = close;
  }
  return undefined;
}

/**
 * Parses a `.env` text into its `NAME=value` pairs. Throws a one-line `UsageError` naming
 * `path` when a line is malformed.
 */
export function parseDotenv(text: string, path: string): Record<string, string> {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const problem = dotenvProblem(body);
  if (problem !== undefined) {
    throw new UsageError(
      `Cannot read settings file "${path}": ${problem}; ` +
        "expected NAME=value lines, # comments and blank lines",
    );
  }
  return Object.fromEntries(Object.entries(parseEnv(body))) as Record<string, string>;
}

/**
 * Reads `<dir>/.env`. Returns `undefined` when there is no such file; throws a one-line
 * `UsageError` naming the file when it cannot be read, is not UTF-8 text, or is malformed.
 */
export async function readDotenv(dir: string): Promise<DotenvFile | undefined> {
  const path = join(dir, DOTENV_NAME);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    const reason = err instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : err instanceof Deno.errors.IsADirectory
      ? "it is a directory"
      : firstLine(err);
    throw new UsageError(`Cannot read settings file "${path}": ${reason}; fix or remove it`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(
      `Cannot read settings file "${path}": it is not UTF-8 text; save it as UTF-8`,
    );
  }
  const values = parseDotenv(text, path);
  const mode = Deno.build.os === "windows"
    ? undefined
    : (await Deno.stat(path).catch(() => undefined))?.mode ?? undefined;
  return { path, values, ...(mode != null ? { mode: mode & 0o777 } : {}) };
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0];
}
