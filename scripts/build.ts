/**
 * Builds the program.
 *
 *   deno task bundle                 → dist/augment-metrics.js (one file, npm code inlined)
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

/** Bundles main.ts into one JavaScript file. */
export async function bundle(output = BUNDLE): Promise<void> {
  await Deno.mkdir("dist", { recursive: true });
  await run(["bundle", "--quiet", "--platform", "deno", "--output", output, "main.ts"]);
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
