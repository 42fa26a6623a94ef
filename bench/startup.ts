/**
 * Start-up: how long the bundle, run as users run it (its own process, the binary's
 * permissions), takes to print `--version`, `--help` and `export --help`, next to an empty
 * program on the same machine. Median of repeated runs, after one warm-up run each (Deno's
 * code cache is then as it is for a user's second run).
 *
 * Target: ≤ 100 ms for `--help` and `--version`.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { permissionFlags } from "../src/permissions.ts";
import type { BenchTable } from "./conversion.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BUNDLE = join(ROOT, "dist", "augment-metrics.js");
const TARGET_MS = 100;

async function timeRun(args: string[]): Promise<number> {
  const t = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const ms = performance.now() - t;
  if (!out.success) throw new Error(`${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return ms;
}

async function median(args: string[], runs: number): Promise<number> {
  await timeRun(args);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(await timeRun(args));
  ms.sort((a, b) => a - b);
  return ms[ms.length >> 1];
}

/** Runs the start-up benchmark. */
export async function startupBench(runs = 11): Promise<BenchTable> {
  const empty = await Deno.makeTempFile({ suffix: ".js" });
  await Deno.writeTextFile(empty, "console.log(1);\n");
  const run = ["run", ...permissionFlags()];
  try {
    const floor = await median(["run", empty], runs);
    const rows: string[][] = [["empty program", floor.toFixed(0), "", ""]];
    for (const args of [["--version"], ["--help"], ["export", "--help"]]) {
      const ms = await median([...run, BUNDLE, ...args], runs);
      const target = args[0] === "export" ? "" : `≤ ${TARGET_MS}`;
      const met = target === "" ? "" : ms <= TARGET_MS ? "met" : "NOT met";
      rows.push([`augment-metrics ${args.join(" ")}`, ms.toFixed(0), target, met]);
    }
    const size = [...Deno.readDirSync(join(ROOT, "dist"))]
      .filter((e) => e.name.endsWith(".js"))
      .reduce((n, e) => n + Deno.statSync(join(ROOT, "dist", e.name)).size, 0);
    const entry = Deno.statSync(BUNDLE).size;
    return {
      title: `Start-up (median of ${runs} runs, ms; the bundle with the binary's permissions)`,
      header: ["command", "ms", "target", ""],
      rows,
      numeric: new Set([1]),
      notes: [
        `bundle: ${(entry / 1024).toFixed(0)} KiB evaluated at start-up, ` +
        `${(size / 1024).toFixed(0)} KiB in all (the rest loads when a command runs)`,
      ],
    };
  } finally {
    await Deno.remove(empty);
  }
}
