/**
 * The credentials file `~/.augment/credentials`, written by `augment-metrics auth login` and
 * read when neither `AUGMENT_API_TOKEN` nor `.env` holds a token.
 *
 * Format: one JSON object, `{"token": "<token>", "saved_at": "<ISO 8601 UTC>"}` plus a newline.
 * Only `token` is required when reading; other keys are ignored.
 *
 * Safety rules:
 * - `~/.augment/` is shared with Augment's own CLI: only this one file is created, replaced or
 *   removed there (plus its transient temp file, `.credentials.<random>.tmp`, during a save).
 * - The home directory is `HOME`, else `USERPROFILE`.
 * - The directory is created with mode 0700 when missing; an existing directory is never
 *   chmod-ed.
 * - The file is written atomically with mode 0600 (`fs/atomic.ts`): a temp file created 0600
 *   in the same directory, synced, then renamed over the old file.
 * - Reading refuses a file that group or others can access (any of the 0077 bits), with a
 *   `chmod 600` hint. On Windows file modes do not apply and this check is skipped.
 *
 * @module
 */
import { writeFileAtomic } from "../fs/atomic.ts";
import { dirname, join } from "node:path";
import * as z from "zod";
import { UsageError } from "../errors.ts";
import { checkTokenFormat } from "./token_format.ts";

const isWindows = Deno.build.os === "windows";

const CredentialsFile = z.looseObject({ token: z.string() });

/**
 * The path of the credentials file: `<home>/.augment/credentials`, home being `HOME`, else
 * `USERPROFILE` (empty counts as unset).
 *
 * @param env reads one variable (default `Deno.env.get`)
 * @throws {UsageError} when neither variable is set
 */
export function credentialsPath(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string {
  const home = env("HOME") || env("USERPROFILE");
  if (!home) {
    throw new UsageError(
      "Cannot locate the credentials file: neither HOME nor USERPROFILE is set; " +
        "set HOME, or set AUGMENT_API_TOKEN instead",
    );
  }
  return join(home, ".augment", "credentials");
}

/**
 * Reads the token saved in the credentials file at `path`.
 *
 * @returns the token, or `undefined` when the file does not exist
 * @throws {UsageError} when the file is accessible by group or others (the message says to
 *   run `chmod 600 <path>`), is not a regular file, cannot be read, is malformed, or holds a
 *   token of the wrong format
 */
export async function readCredentials(path: string): Promise<string | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw new UsageError(`Cannot read credentials "${path}": ${reasonOf(err)}`);
  }
  if (!info.isFile) {
    throw new UsageError(
      `Cannot read credentials "${path}": it is not a regular file; ` +
        "remove it and run `augment-metrics auth login`",
    );
  }
  if (!isWindows && info.mode !== null && (info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, "0");
    throw new UsageError(
      `Cannot read credentials "${path}": the file is accessible by other users (mode ${mode}); ` +
        `run \`chmod 600 ${shellQuote(path)}\``,
    );
  }
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw new UsageError(`Cannot read credentials "${path}": ${reasonOf(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  const parsed = CredentialsFile.safeParse(data);
  if (!parsed.success) {
    throw new UsageError(
      `Cannot read credentials "${path}": it is not a JSON object with a "token" string; ` +
        "run `augment-metrics auth login` to write it again",
    );
  }
  checkTokenFormat(parsed.data.token, `credentials file "${path}"`);
  return parsed.data.token;
}

/**
 * Saves `token` in the credentials file at `path`, atomically and with mode 0600. Creates the
 * directory with mode 0700 when it is missing; never changes an existing directory. Check the
 * token with `checkTokenFormat` first.
 *
 * @throws {UsageError} when the directory or the file cannot be written
 */
export async function saveCredentials(path: string, token: string): Promise<void> {
  const dir = dirname(path);
  const body = JSON.stringify({ token, saved_at: new Date().toISOString() }) + "\n";
  try {
    await ensurePrivateDir(dir);
  } catch (err) {
    throw new UsageError(`Cannot save credentials "${path}": ${reasonOf(err)}`);
  }
  try {
    await writeFileAtomic(path, body, { mode: 0o600 });
  } catch (err) {
    throw new UsageError(`Cannot save credentials "${path}": ${reasonOf(err)}`);
  }
}

/**
 * Removes the credentials file at `path` (and nothing else).
 *
 * @returns `true` when a file was removed, `false` when there was none
 * @throws {UsageError} when `path` is not a regular file or cannot be removed
 */
export async function removeCredentials(path: string): Promise<boolean> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw new UsageError(`Cannot remove credentials "${path}": ${reasonOf(err)}`);
  }
  if (!info.isFile && !info.isSymlink) {
    throw new UsageError(
      `Cannot remove credentials "${path}": it is not a regular file; remove it yourself`,
    );
  }
  try {
    await Deno.remove(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw new UsageError(`Cannot remove credentials "${path}": ${reasonOf(err)}`);
  }
}

/** Creates `dir` with mode 0700 when it does not exist; leaves an existing one alone. */
async function ensurePrivateDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { mode: 0o700 });
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) return;
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  }
  if (!isWindows) await Deno.chmod(dir, 0o700); // we created it: undo the umask
}

/** A short, one-line reason for a file-system error. */
function reasonOf(err: unknown): string {
  if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (err instanceof Deno.errors.NotFound) return "a parent directory does not exist";
  if (err instanceof Deno.errors.NotADirectory) return "a parent path is not a directory";
  if (err instanceof Deno.errors.IsADirectory) return "it is a directory";
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0];
}

/** `path` quoted for a POSIX shell when it needs quoting. */
function shellQuote(path: string): string {
  return /^[\w@%+=:,./~-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}
