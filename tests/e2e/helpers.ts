/**
 * Runs the CLI the way users run it: the bundled program (`deno task bundle`) as a
 * subprocess under exactly the permission flags of the compiled binary (src/permissions.ts),
 * with a clean environment.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runFlags } from "../../src/permissions.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The bundle the tests run; `deno task test` builds it first. */
export const BUNDLE = join(ROOT, "dist", "augment-metrics.js");

let bundled: Promise<void> | undefined;

/** Builds the bundle when it is missing (a test file run on its own). */
export function ensureBundle(): Promise<void> {
  bundled ??= (async () => {
    try {
      await Deno.stat(BUNDLE);
      return;
    } catch {
      // build it
    }
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(ROOT, "scripts", "build.ts"), "bundle"],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(`bundle failed: ${new TextDecoder().decode(stderr)}`);
  })();
  return bundled;
}

/** What a CLI run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of a CLI run. */
export interface CliOptions {
  /** The environment (nothing else is inherited). HOME defaults to a fresh temp dir. */
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string;
}

/** Runs `augment-metrics <args>` (the bundle, with the binary's permissions). */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  await ensureBundle();
  const child = spawnCli(args, options);
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(options.stdin));
    await w.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** Starts `augment-metrics <args>` and returns the child (for signals). Call ensureBundle first. */
export function spawnCli(args: string[], options: CliOptions = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...runFlags(), BUNDLE, ...args],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    clearEnv: true,
    stdin: options.stdin !== undefined ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** A temporary directory removed after `fn`. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "augment-metrics-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Every file below `dir`, relative, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string, prefix: string) {
    for await (const e of Deno.readDir(d)) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory) await walk(join(d, e.name), rel);
      else out.push(rel);
    }
  }
  try {
    await walk(dir, "");
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}
