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
