import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../src/cli/", import.meta.url));

/** The relative `.ts` imports (static, `import` and `export … from`) of a source file. */
async function localImports(file: string): Promise<string[]> {
  const text = await Deno.readTextFile(file);
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+"(\.{1,2}\/[^"]+\.ts)"/gms)) {
    out.push(resolve(dirname(file), m[1]));
  }
  return out;
}

Deno.test("src/cli/ has no import cycle (commands take CommandContext from context.ts)", async () => {
  const files: string[] = [];
  for await (const e of Deno.readDir(CLI)) {
    if (e.name.endsWith(".ts")) files.push(join(CLI, e.name));
  }
  const graph = new Map<string, string[]>();
  for (const f of files) graph.set(f, (await localImports(f)).filter((i) => i.startsWith(CLI)));
  assert.ok((graph.get(join(CLI, "main.ts")) ?? []).length > 0, "main.ts imports commands");

  const state = new Map<string, "visiting" | "done">();
  const cycle: string[] = [];
  function visit(f: string, path: string[]): boolean {
    if (state.get(f) === "done") return false;
    if (state.get(f) === "visiting") {
      cycle.push(...path.slice(path.indexOf(f)), f);
      return true;
    }
    state.set(f, "visiting");
    for (const next of graph.get(f) ?? []) if (visit(next, [...path, f])) return true;
    state.set(f, "done");
    return false;
  }
  for (const f of files) if (visit(f, [])) break;
  assert.deepEqual(cycle.map((f) => relative(CLI, f)), [], "import cycle in src/cli/");
});

Deno.test("no command file imports main.ts", async () => {
  for await (const e of Deno.readDir(CLI)) {
    if (!e.name.endsWith(".ts") || e.name === "main.ts") continue;
    const imports = await localImports(join(CLI, e.name));
    assert.ok(!imports.includes(join(CLI, "main.ts")), `${e.name} imports main.ts`);
  }
});

Deno.test("the bundle's entry evaluates only the command-line parser: commands load on demand", async () => {
  // `deno task test` builds the bundle first: dist/augment-metrics.js and its chunks.
  const dist = fileURLToPath(new URL("../../dist/", import.meta.url));
  // What `--help` evaluates: the entry and the chunks it imports statically, transitively.
  const seen = new Set<string>();
  const queue = ["augment-metrics.js"];
  let entry = "";
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const text = await Deno.readTextFile(join(dist, name));
    entry += text;
    for (const m of text.matchAll(/^(?:import|export)\b[^;]*?from\s+"\.\/([^"]+\.js)"/gms)) {
      queue.push(m[1]);
    }
    for (const m of text.matchAll(/^import\s+"\.\/([^"]+\.js)"/gm)) queue.push(m[1]);
  }
  assert.ok(seen.size > 1, "the entry imports shared chunks");
  // esbuild names each inlined npm module in a comment: none but commander at start-up.
  const packages = new Set(
    [...entry.matchAll(/registry\.npmjs\.org\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1]),
  );
  assert.deepEqual([...packages].sort(), ["commander"]);
  // Node's file-system and subprocess modules, which commander imports only to run executable
  // subcommands, are not loaded at start-up (scripts/build.ts): they cost a fifth of `--help`.
  const builtins = new Set(
    [...entry.matchAll(/^import\b[^;]*?"node:([\w/]+)"/gms)].map((m) => m[1]),
  );
  assert.deepEqual([...builtins].sort(), ["events", "path", "process", "util"]);
  // And of the project's own modules, only the parser's and the few small ones it needs.
  const modules = [...entry.matchAll(/^\/\/ (src\/\S+\.ts)$/gm)].map((m) => m[1]).sort();
  assert.deepEqual(modules, [
    "src/cli/completions.ts",
    "src/cli/errors_map.ts",
    "src/cli/main.ts",
    "src/cli/output.ts",
    "src/cli/serve.ts",
    "src/errors.ts",
    "src/text.ts",
    "src/version.ts",
    "src/views/formats.ts",
  ]);
  // The commands are there, as dynamic imports of chunks beside the entry.
  const dynamic = [...entry.matchAll(/import\("\.\/([^"]+\.js)"\)/g)].map((m) => m[1]);
  assert.ok(dynamic.length >= 4, `dynamic imports: ${dynamic.join(", ")}`);
  for (const chunk of dynamic) await Deno.stat(join(dist, chunk));
  // zod is bundled without its locales (only English messages are used).
  const all = await Promise.all(
    [...Deno.readDirSync(dist)].filter((e) => e.name.endsWith(".js")).map((e) =>
      Deno.readTextFile(join(dist, e.name))
    ),
  );
  const locales = all.join("\n").match(/zod\/[^/]+\/v4\/locales\/[a-zA-Z-]+\.js/g) ?? [];
  assert.deepEqual([...new Set(locales.map((l) => l.split("/").pop()))], ["en.js"]);
});
