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
import { permissionFlags } from "../src/permissions.ts";

/** Where the bundle is written. */
export const BUNDLE = "dist/augment-metrics.js";

async function run(cmd: string[]): Promise<void> {
  console.error(`$ deno ${cmd.join(" ")}`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: cmd,
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  if (code !== 0) Deno.exit(code);
}

/**
 * Bundles main.ts into `dist/augment-metrics.js` and the chunks it imports on demand: split at
 * each command's dynamic `import()`, so that `--help` and `--version` evaluate only the
 * command-line parser, not zod, the views or the server. Chunks never import the entry.
 */
export async function bundle(): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "augment-metrics-bundle-" });
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
    await Deno.mkdir("dist", { recursive: true });
    // Chunks of an earlier build are removed: their names change with their content.
    for (const e of Deno.readDirSync("dist")) {
      if (e.isFile && e.name.endsWith(".js")) await Deno.remove(`dist/${e.name}`);
    }
    for (const e of Deno.readDirSync(tmp)) {
      const to = e.name === "main.js" ? BUNDLE : `dist/${e.name}`;
      await Deno.copyFile(`${tmp}/${e.name}`, to);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** The chunks beside the bundle, which the compiled binary must carry. */
function chunks(): string[] {
  return [...Deno.readDirSync("dist")]
    .filter((e) => e.isFile && e.name.endsWith(".js") && `dist/${e.name}` !== BUNDLE)
    .map((e) => `dist/${e.name}`)
    .sort();
}

if (import.meta.main) {
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
      // An organisation's own hosts (MinIO, a webhook receiver): AUGMENT_BUILD_EXTRA_HOSTS=a:9000,b
      ...permissionFlags(
        (Deno.env.get("AUGMENT_BUILD_EXTRA_HOSTS") ?? "").split(",").map((h) => h.trim())
          .filter(Boolean),
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
