import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ALL_VARIABLES, SETTINGS_VARIABLES } from "../../src/config/variables.ts";
import { runFlags } from "../../src/permissions.ts";
import {
  denoRunBlock,
  README,
  renderReadme,
  replaceBlock,
  settingsTableRaw,
} from "../../scripts/readme.ts";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

Deno.test("README's deno run line and settings table match the code (else: deno task readme)", async () => {
  const text = await Deno.readTextFile(README);
  const rendered = await renderReadme(text);
  assert.ok(
    rendered === text,
    "README.md differs from src/permissions.ts and src/config/variables.ts: run `deno task readme`",
  );
});

Deno.test("the --allow-env list is every variable of variables.ts, settings first", () => {
  const env = runFlags().find((f) => f.startsWith("--allow-env="));
  assert.ok(env);
  const names = env.slice("--allow-env=".length).split(",");
  assert.deepEqual(names, [...ALL_VARIABLES]);
  for (const v of SETTINGS_VARIABLES) assert.ok(names.includes(v.name), v.name);
  assert.ok(
    names.includes("AUGMENT_COMPRESS_AFTER_DAYS") && names.includes("AUGMENT_RETENTION_DAYS"),
  );
  assert.ok(runFlags().includes("--ignore-env"));
});

Deno.test("every variable the code reads by name is in the permission set, and the README names it", async () => {
  const readme = await Deno.readTextFile(README);
  const quoted = new Set<string>();
  async function walk(dir: string) {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.name.endsWith(".ts")) {
        const text = await Deno.readTextFile(path);
        // Reads: `Deno.env.get("X")`, an injected `env("X")`, commander's `.env("X")`.
        for (const m of text.matchAll(/\b[eE]nv(?:\.get)?\(\s*["']([A-Z][A-Z0-9_]+)["']/g)) {
          quoted.add(m[1]);
        }
      }
    }
  }
  await walk(SRC);
  assert.ok(quoted.has("NO_COLOR"), "the scan finds the names");
  const missing = [...quoted].filter((n) => !ALL_VARIABLES.includes(n)).sort();
  assert.deepEqual(
    missing,
    [],
    "read by the code but not in src/config/variables.ts (ignored under --ignore-env)",
  );
  const undocumented = ALL_VARIABLES.filter((n) => !readme.includes(n));
  assert.deepEqual(undocumented, [], "in variables.ts but not in README.md");
});

Deno.test("the generated blocks: the deno run line carries every flag; the table every setting", () => {
  const block = denoRunBlock();
  for (const flag of runFlags()) assert.ok(block.includes(flag), flag);
  assert.match(block, /^ {2}```sh\n {2}deno run /);
  const table = settingsTableRaw();
  for (const v of SETTINGS_VARIABLES) assert.ok(table.includes(`| \`${v.name}\` |`), v.name);
  assert.equal(table.split("\n").length, SETTINGS_VARIABLES.length + 2);
});

Deno.test("replaceBlock() rewrites only between its markers, and needs both", () => {
  const text = "a\n  <!-- x:start -->\n  old\n  <!-- x:end -->\nb\n";
  assert.equal(
    replaceBlock(text, "x", "  new"),
    "a\n  <!-- x:start -->\n  new\n  <!-- x:end -->\nb\n",
  );
  assert.throws(() => replaceBlock("a\n", "x", "new"), /x:start/);
  assert.throws(() => replaceBlock("<!-- x:start -->\nold\n", "x", "new"), /x:end/);
});
