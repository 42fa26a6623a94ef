/**
 * Builds the program.
 *
 *   deno task bundle                 → dist/augment-metrics.js (npm code inlined), beside it the
 *                                      chunks it loads when a command runs (`dist/chunk-*.js`)
 *   deno task compile [--target T]   → dist/augment-metrics[-T][.exe], from the bundle, with the
 *                                      permission flags of src/permissions.ts baked in
 *
 * `deno compile` downloads a runtime (denort) for the target: it needs the internet, so the
 * release workflow (.github/workflows/release.yml) runs it; the tests run the bundle with the
 * same flags instead.
 */
import { parseArgs } from "node:util";
import { UsageError } from "../src/errors.ts";
import { runFlags } from "../src/permissions.ts";

/** `AUGMENT_BUILD_MAX_HEAP_MB`, when set: the binary's heap ceiling (MiB). */
function buildMaxHeapMb(): number | undefined {
  const text = Deno.env.get("AUGMENT_BUILD_MAX_HEAP_MB")?.trim();
  if (!text) return undefined;
  if (!/^\d+$/.test(text)) {
    throw new UsageError(
      `Invalid AUGMENT_BUILD_MAX_HEAP_MB "${text}": expected a whole number of MiB, e.g. 8192`,
    );
  }
  return Number(text);
}

/** Where the bundle is written. */
export const BUNDLE = "dist/augment-metrics.js";

/** A `deno` subcommand failed (it printed why); the build exits with its code. */
class StepFailed extends Error {
  constructor(readonly code: number) {
    super(`deno exited with ${code}`);
  }
}

async function run(cmd: string[]): Promise<void> {
  console.error(`$ deno ${cmd.join(" ")}`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: cmd,
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  if (code !== 0) throw new StepFailed(code);
}

/**
 * Bundles main.ts into `dist/augment-metrics.js` and the chunks it imports on demand: split at
 * each command's dynamic `import()`, so that `--help` and `--version` evaluate only the
 * command-line parser, not zod, the views or the server. Chunks never import the entry.
 */
export async function bundle(): Promise<void> {
  await Deno.mkdir("dist", { recursive: true });
  // Built beside its destination, then renamed into place: a run that starts meanwhile (an
  // end-to-end test) finds either the old files or the new ones, never half-written ones.
  const tmp = await Deno.makeTempDir({ dir: "dist", prefix: ".bundle-" });
  try {
    await run([
      "bundle",
      "--quiet",
      "--platform",
      "deno",
      "--code-splitting",
      "--outdir",
      tmp,
      "main.ts",
    ]);
    const entry = `${tmp}/main.js`;
    await Deno.writeTextFile(entry, withoutSubprocessModules(await Deno.readTextFile(entry)));
    const fresh = new Set<string>();
    // Chunks first (their names change with their content), the entry that imports them last.
    const names = [...Deno.readDirSync(tmp)].map((e) => e.name).sort((a, b) =>
      Number(a === "main.js") - Number(b === "main.js")
    );
    for (const name of names) {
      const to = name === "main.js" ? BUNDLE : `dist/${name}`;
      await Deno.rename(`${tmp}/${name}`, to);
      fresh.add(to);
    }
    // Chunks of an earlier build are removed.
    for (const e of Deno.readDirSync("dist")) {
      const path = `dist/${e.name}`;
      if (e.isFile && e.name.endsWith(".js") && !fresh.has(path)) await Deno.remove(path);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/**
 * commander imports `node:fs` and `node:child_process` only to run "executable subcommands"
 * (a separate program per command), which this program never declares; loading those two
 * modules is about a fifth of the CPU time `--help` takes. In commander's section of the
 * entry, they become objects that throw if ever used. Nothing else is changed: should a
 * commander release import them otherwise, they stay, and tests/cli/imports_test.ts fails.
 */
export function withoutSubprocessModules(entry: string): string {
  const start = entry.search(/^\/\/ \S*\/commander\/[^/]+\/lib\/command\.js$/m);
  if (start < 0) return entry;
  const next = entry.slice(start + 1).search(/^\/\/ /m);
  const end = next < 0 ? entry.length : start + 1 + next;
  const section = entry.slice(start, end).replace(
    /^import (\w+) from "node:(fs|child_process)";$/gm,
    (_, name: string, mod: string) =>
      `const ${name} = new Proxy({}, { get() { throw new Error(` +
      `"node:${mod} is left out of this program (commander's executable subcommands)"); } });`,
  );
  return entry.slice(0, start) + section + entry.slice(end);
}

/** The chunks beside the bundle, which the compiled binary must carry. */
function chunks(): string[] {
  return [...Deno.readDirSync("dist")]
    .filter((e) => e.isFile && e.name.endsWith(".js") && `dist/${e.name}` !== BUNDLE)
    .map((e) => `dist/${e.name}`)
    .sort();
}

async function build(): Promise<void> {
  const { positionals, values } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { target: { type: "string" } },
  });
  const what = positionals[0];
  if (what === "bundle") {
    await bundle();
  } else if (what === "compile") {
    await bundle();
    const suffix = values.target ? `-${values.target}` : "";
    const exe = values.target?.includes("windows") ? ".exe" : "";
    await run([
      "compile",
      // An organisation's own hosts (MinIO, a webhook receiver): AUGMENT_BUILD_EXTRA_HOSTS=a:9000,b;
      // a heap ceiling above the default 2047 MiB: AUGMENT_BUILD_MAX_HEAP_MB=8192.
      ...runFlags(
        (Deno.env.get("AUGMENT_BUILD_EXTRA_HOSTS") ?? "").split(",").map((h) => h.trim())
          .filter(Boolean),
        buildMaxHeapMb(),
      ),
      "--no-check",
      // The commands' chunks are dynamic imports of the bundle: named so none is left out.
      ...chunks().flatMap((c) => ["--include", c]),
      ...(values.target ? ["--target", values.target] : []),
      "--output",
      `dist/augment-metrics${suffix}${exe}`,
      BUNDLE,
    ]);
  } else {
    console.error("usage: deno run -A scripts/build.ts bundle|compile [--target T]");
    Deno.exit(2);
  }
}

if (import.meta.main) {
  try {
    await build();
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      Deno.exit(2);
    }
    if (!(err instanceof StepFailed)) throw err;
    Deno.exit(err.code);
  }
}
