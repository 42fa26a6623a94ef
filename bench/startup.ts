/**
 * Start-up: how long the bundle, run as users run it (its own process, the binary's
 * permissions), takes to print `--version`, `--help` and `export --help`, next to an empty
 * program and to the same program bundled as one file (every module evaluated at start-up, as
 * before commands loaded their modules on demand), all in the same run. Median wall time of
 * repeated runs after one warm-up run each (Deno's code cache is then as it is for a user's
 * second run), and on Linux the CPU time a run takes (user + system, mean), which other work on
 * a shared machine disturbs less than wall time.
 *
 * Target: ≤ 100 ms for `--help` and `--version`.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runFlags } from "../src/permissions.ts";
import { type BenchTable, median } from "./conversion.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BUNDLE = join(ROOT, "dist", "augment-metrics.js");
const TARGET_MS = 100;
/** Linux's clock ticks a second for /proc times (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** CPU time (ms) of this process's finished children, or undefined where /proc is missing. */
function childrenCpuMs(): number | undefined {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    // Fields after "(comm)": state is field 3, cutime field 16, cstime field 17.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) * 1000 / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** On Linux, a note saying how busy the machine was: wall times include waiting for a CPU. */
function loadNote(): string[] {
  try {
    const load = Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
    const cores = navigator.hardwareConcurrency;
    return [
      `load average ${load.toFixed(1)} on ${cores} cores` +
      (load > cores ? ": wall times include waiting for a CPU; CPU ms is what start-up costs" : ""),
    ];
  } catch {
    return [];
  }
}

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

interface Timing {
  readonly wallMs: number;
  readonly cpuMs?: number;
}

async function measure(args: string[], runs: number): Promise<Timing> {
  await timeRun(args);
  const cpuBefore = childrenCpuMs();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(await timeRun(args));
  const cpuAfter = childrenCpuMs();
  return {
    wallMs: median(ms),
    cpuMs: cpuBefore === undefined || cpuAfter === undefined
      ? undefined
      : (cpuAfter - cpuBefore) / runs,
  };
}

/** Runs the start-up benchmark. */
export async function startupBench(runs = 11): Promise<BenchTable> {
  const tmp = await Deno.makeTempDir({ prefix: "augment-metrics-startup-" });
  try {
    const empty = join(tmp, "empty.js");
    await Deno.writeTextFile(empty, "console.log(1);\n");
    // The same code as one file: what start-up cost when every module was evaluated.
    const oneFile = join(tmp, "one-file.js");
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "deno", "--output", oneFile, "main.ts"],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!built.success) throw new Error(new TextDecoder().decode(built.stderr));

    const run = ["run", ...runFlags()];
    const cases: [label: string, args: string[], target: boolean][] = [
      ["an empty program", ["run", empty], false],
      ["augment-metrics --version", [...run, BUNDLE, "--version"], true],
      ["augment-metrics --help", [...run, BUNDLE, "--help"], true],
      ["augment-metrics export --help", [...run, BUNDLE, "export", "--help"], false],
      ["one-file bundle --version", [...run, oneFile, "--version"], false],
      ["one-file bundle --help", [...run, oneFile, "--help"], false],
    ];
    const rows: string[][] = [];
    for (const [label, args, target] of cases) {
      const t = await measure(args, runs);
      rows.push([
        label,
        t.wallMs.toFixed(0),
        t.cpuMs === undefined ? "n/a" : t.cpuMs.toFixed(0),
        target ? `≤ ${TARGET_MS}` : "",
        target ? (t.wallMs <= TARGET_MS ? "met" : "NOT met") : "",
      ]);
    }
    const size = (path: string) => Deno.statSync(path).size / 1024;
    const all = [...Deno.readDirSync(join(ROOT, "dist"))]
      .filter((e) => e.isFile && e.name.endsWith(".js"))
      .reduce((n, e) => n + size(join(ROOT, "dist", e.name)), 0);
    return {
      title: `Start-up (median wall time of ${runs} runs, mean CPU time; ms; ` +
        "with the binary's permissions)",
      header: ["command", "wall ms", "CPU ms", "target", ""],
      rows,
      numeric: new Set([1, 2]),
      notes: [
        ...loadNote(),
        `bundle: ${size(BUNDLE).toFixed(0)} KiB evaluated at start-up, ${all.toFixed(0)} KiB ` +
        `in all (the rest loads when a command runs); one file: ${size(oneFile).toFixed(0)} KiB`,
      ],
    };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}
