/**
 * Every error that ends a run, mapped in one place to one line and an exit code: argument
 * errors from commander, the project's error kinds, file-system errors from the operating
 * system or the permission set, and — for anything else — "unexpected failure" (a bug).
 *
 * @module
 */
import { CommanderError } from "@commander-js/extra-typings";
import {
  AuthError,
  BusyError,
  EXIT,
  exitCodeOf,
  InterruptedError,
  isStoreError,
  ServiceError,
  UsageError,
} from "../errors.ts";
import { NAME } from "../version.ts";
import { isBrokenPipe } from "./output.ts";

/** What to print for an error, and the exit code. */
export interface Failure {
  /** One line, for `Output.error` (empty: say nothing). */
  readonly message: string;
  readonly code: number;
  /** The stack, for `--verbose`, when the error is a bug. */
  readonly stack?: string;
}

/** What the error mapping needs to know of the command line. */
export interface ArgvShape {
  /** The top-level command names. */
  readonly commands: readonly string[];
  /** Options before a command (global ones and the default command's) that take a value. */
  readonly valueOptions: ReadonlySet<string>;
  /** The subcommands of each command that has some (`auth`: login, status, logout). */
  readonly subcommands?: Readonly<Record<string, readonly string[]>>;
}

/** Whether the permission set grants `name` access to `path` (`Deno.permissions`). */
export type PermissionQuery = (name: "read" | "write", path: string | undefined) => boolean;

/** The real permission set. */
export const queryPermission: PermissionQuery = (name, path) => {
  try {
    return Deno.permissions.querySync(path === undefined ? { name } : { name, path }).state ===
      "granted";
  } catch {
    return true;
  }
};

/**
 * The line and exit code for `err`, thrown by a run given `args`.
 *
 * @param shape the program's commands and value-taking options (for unknown commands)
 * @param query the permission set (tests pass their own)
 */
export function describeFailure(
  err: unknown,
  args: readonly string[],
  shape: ArgvShape,
  query: PermissionQuery = queryPermission,
): Failure {
  if (err instanceof CommanderError) return commanderFailure(err, args, shape);
  // Errors thrown from argument parsers arrive wrapped by commander in some versions.
  const e = err instanceof Error && (err as { cause?: unknown }).cause instanceof UsageError
    ? (err as { cause: UsageError }).cause
    : err;
  if (isBrokenPipe(e)) return { message: "", code: EXIT.ok };
  if (e instanceof UsageError || e instanceof BusyError) {
    return { message: e.hint ? `${e.message}: ${e.hint}` : e.message, code: e.exitCode };
  }
  if (isStoreError(e)) {
    return { message: e.hint ? `${e.message}: ${e.hint}` : e.message, code: exitCodeOf(e) };
  }
  if (e instanceof InterruptedError || (e instanceof DOMException && e.name === "AbortError")) {
    return {
      message:
        "Interrupted: every day fetched so far is kept; run the same command again to continue",
      code: EXIT.interrupted,
    };
  }
  if (e instanceof AuthError || e instanceof ServiceError) {
    return { message: e.message, code: e.exitCode };
  }
  const fs = fileSystemFailure(e, args, query);
  if (fs) return fs;
  if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
    return { message: permissionSetMessage((e as Error).message), code: EXIT.usage };
  }
  if (e instanceof Error && /ENOSPC|No space left/i.test(e.message)) {
    return {
      message: `Cannot write: the disk is full (${
        firstLine(e.message)
      }); free some space and run again`,
      code: EXIT.failure,
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return {
    message: `Unexpected failure: ${
      firstLine(message)
    } (run with --verbose for details, and please report it)`,
    code: EXIT.failure,
    stack: e instanceof Error ? e.stack : undefined,
  };
}

// ---- argument errors ------------------------------------------------------------------------

function commanderFailure(err: CommanderError, args: readonly string[], shape: ArgvShape): Failure {
  if (
    err.code === "commander.helpDisplayed" || err.code === "commander.version" ||
    err.code === "commander.help"
  ) return { message: "", code: EXIT.ok };
  const word = firstPositional(args, shape.valueOptions);
  if (word !== undefined && !shape.commands.includes(word)) {
    return { message: unknownCommandMessage(word, shape.commands), code: EXIT.usage };
  }
  const sub = /^error: unknown command '([^']*)'/.exec(err.message);
  const subs = word !== undefined ? shape.subcommands?.[word] : undefined;
  if (err.code === "commander.unknownCommand" && sub && subs?.length) {
    const message = unknownCommandMessage(sub[1], subs, word);
    return { message, code: EXIT.usage };
  }
  const msg = err.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").trim();
  const helpCmd = word !== undefined ? `${NAME} ${word} --help` : `${NAME} --help`;
  return { message: `${upperFirst(msg)} (see \`${helpCmd}\`)`, code: EXIT.usage };
}

/**
 * The first argument that is neither an option nor an option's value: where a command name
 * stands. Scanning stops at `--`.
 */
export function firstPositional(
  args: readonly string[],
  valueOptions: ReadonlySet<string>,
): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") return undefined;
    if (a.startsWith("-") && a !== "-") {
      if (valueOptions.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

/**
 * `Unknown command "exprot": did you mean "export"?`, or the list of commands.
 *
 * @param parent the command whose subcommand `word` was meant to be (`auth`), if any
 */
export function unknownCommandMessage(
  word: string,
  commands: readonly string[],
  parent?: string,
): string {
  const guess = closest(word, commands);
  const p = parent ? `${parent} ` : "";
  const help = ` (see \`${NAME} ${p}--help\`)`;
  return guess !== undefined
    ? `Unknown command "${p}${word}": did you mean "${p}${guess}"?${help}`
    : `Unknown command "${p}${word}": the commands are ${
      commands.map((c) => p + c).join(", ")
    }${help}`;
}

/** The candidate nearest to `word` (edit distance with transpositions), when near enough. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(w.length, best.length) / 3));
  if (bestDistance <= limit) return best;
  const prefix = w.length >= 3 ? candidates.find((c) => c.startsWith(w)) : undefined;
  return prefix;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The log format asked for on the command line (`--log-format json` or `--log-format=json`,
 * before any `--`), so that even an argument error is logged in it.
 */
export function logFormatInArgs(args: readonly string[]): "text" | "json" {
  let format: "text" | "json" = "text";
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") break;
    const value = a === "--log-format"
      ? args[++i]
      : a.startsWith("--log-format=")
      ? a.slice("--log-format=".length)
      : undefined;
    if (value === "json" || value === "text") format = value;
  }
  return format;
}

// ---- file-system errors ---------------------------------------------------------------------

const WRITE_OPS = new Set([
  "mkdir",
  "writefile",
  "rename",
  "remove",
  "open",
  "copy",
  "symlink",
  "link",
  "truncate",
  "chmod",
  "utime",
]);
const PATH_FLAGS = ["-o", "--output-dir", "--store-dir"];

/** A Deno file-system error in `err` or its causes. */
function fsErrorIn(err: unknown): Error | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; depth++) {
    if (
      e instanceof Deno.errors.NotADirectory || e instanceof Deno.errors.AlreadyExists ||
      e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable ||
      e instanceof Deno.errors.IsADirectory || isReadOnly(e)
    ) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function isReadOnly(e: Error): boolean {
  return (e as { code?: unknown }).code === "EROFS" || /read-only file system|os error 30\b/i
    .test(e.message);
}

/** The path and operation an OS error names (`…: mkdir '/x/y'`), if it names one. */
function osPathOf(message: string): { op?: string; path?: string } {
  const m = /:\s*([a-z_]+)\s+'([^']*)'(?:\s*->\s*'[^']*')?\s*$/i.exec(firstLine(message));
  return m ? { op: m[1].toLowerCase(), path: m[2] } : {};
}

/** The path a run was told to write to, when the error does not name one. */
function pathInArgs(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--") break;
    if (PATH_FLAGS.includes(args[i])) return args[i + 1];
    const eq = PATH_FLAGS.find((f) => f.startsWith("--") && args[i].startsWith(`${f}=`));
    if (eq) return args[i].slice(eq.length + 1);
  }
  return undefined;
}

/** What the permission set refused (`Requires write access to "/x"…`), if that is the error. */
function permissionRequest(message: string): { kind: string; target?: string } | undefined {
  const m = /Requires (\w+) access(?: to "([^"]*)")?/.exec(message);
  return m ? { kind: m[1], target: m[2] } : undefined;
}

/**
 * One line with the path and the fix for a file-system error, exit 2 (the user's setup, not a
 * bug): read-only file system, a file where a folder should be, a folder the operating system
 * does not let this user write, or a path outside the permission set.
 */
export function fileSystemFailure(
  err: unknown,
  args: readonly string[],
  query: PermissionQuery = queryPermission,
): Failure | undefined {
  const e = fsErrorIn(err);
  if (!e) return undefined;
  const request = permissionRequest(e.message);
  if (request && request.kind !== "read" && request.kind !== "write") return undefined;
  const { op, path: osPath } = osPathOf(e.message);
  const path = request?.target ?? osPath ?? pathInArgs(args);
  const where = path !== undefined ? ` "${path}"` : "";
  const isWrite = request ? request.kind === "write" : op === undefined || WRITE_OPS.has(op);
  const verb = isWrite ? "write" : "read";
  const choose = "choose another --output-dir (or AUGMENT_OUTPUT_DIR)";

  if (request || e instanceof Deno.errors.NotCapable) {
    return {
      message: `Not permitted to ${verb}${where}: this run was started without ` +
        `--allow-${verb} for it; run with --allow-${verb} (the augment-metrics binary has it)`,
      code: EXIT.usage,
    };
  }
  if (isReadOnly(e)) {
    return {
      message: `Cannot write${where}: the file system is read-only; ${choose} on a writable disk`,
      code: EXIT.usage,
    };
  }
  if (e instanceof Deno.errors.NotADirectory) {
    return {
      message: `Cannot write${where}: a part of that path is a file, not a folder; point ` +
        `--output-dir (or --store-dir) at a folder, or move the file away`,
      code: EXIT.usage,
    };
  }
  if (e instanceof Deno.errors.AlreadyExists) {
    return {
      message: op === "mkdir"
        ? `Cannot create the folder${where}: a file of that name is there; point --output-dir ` +
          `(or --store-dir) at a folder, or move the file away`
        : `Cannot create${where}: it already exists; move it away, or ${choose}`,
      code: EXIT.usage,
    };
  }
  if (e instanceof Deno.errors.IsADirectory) {
    return {
      message: `Cannot ${verb}${where}: it is a folder, where a file was expected; move it away`,
      code: EXIT.usage,
    };
  }
  // PermissionDenied: the operating system's (EACCES, EPERM), unless the permission set lacks
  // this path (older Deno versions used PermissionDenied for both).
  if (!query(isWrite ? "write" : "read", path)) {
    return {
      message: `Not permitted to ${verb}${where}: this run was started without ` +
        `--allow-${verb} for it; run with --allow-${verb} (the augment-metrics binary has it)`,
      code: EXIT.usage,
    };
  }
  return {
    message: `Cannot ${verb}${where}: the operating system denied it (permission denied); ` +
      `make it ${isWrite ? "writable" : "readable"} for this user (chmod, chown), or ${choose}`,
    code: EXIT.usage,
  };
}

function permissionSetMessage(message: string): string {
  const request = permissionRequest(message);
  const line = firstLine(message);
  if (request?.kind === "net") {
    return `Not permitted: ${line}; this program may connect only to api.augmentcode.com and ` +
      `loopback (another host needs \`deno run\` with it added to --allow-net)`;
  }
  if (request?.kind === "env") {
    return `Not permitted: ${line}; this program reads only the variables it documents`;
  }
  return `Not permitted: ${line}; this program may connect only to api.augmentcode.com and ` +
    `loopback, and read only the variables it documents`;
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
