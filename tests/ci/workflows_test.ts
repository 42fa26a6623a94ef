/**
 * The GitHub workflows and the README's Actions recipe keep their safety properties: actions
 * pinned by commit SHA, read-only by default, write only where the release is published.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (p: string) => Deno.readTextFile(ROOT + p);
/** The text without its comment lines. */
const code = (text: string) => text.split("\n").filter((l) => !/^\s*#/.test(l)).join("\n");

function usesLines(text: string): string[] {
  return [...text.matchAll(/^\s*-?\s*uses:\s*(\S+.*)$/gm)].map((m) => m[1]!);
}

function assertPinned(text: string, where: string) {
  const uses = usesLines(text);
  assert.ok(uses.length > 0, `${where}: no actions found`);
  for (const u of uses) {
    assert.match(
      u,
      /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d/,
      `${where}: "${u}" is not pinned by SHA`,
    );
  }
}

Deno.test("workflows: every action pinned by commit SHA, read-only by default", async () => {
  for (const f of ["ci.yml", "release.yml"]) {
    const text = await read(`.github/workflows/${f}`);
    assertPinned(text, f);
    assert.match(text, /^permissions:\n {2}contents: read$/m, `${f}: top-level permissions`);
  }
});

Deno.test("ci.yml runs .ci/run on push and pull_request", async () => {
  const text = await read(".github/workflows/ci.yml");
  assert.match(text, /^on:\n {2}push:\n {2}pull_request:$/m);
  assert.match(text, /run: bash \.ci\/run$/m);
});

Deno.test("release.yml: only the publish job may write, and every binary's --version runs first", async () => {
  const text = code(await read(".github/workflows/release.yml"));
  const writes = [...text.matchAll(/contents: write/g)];
  assert.equal(writes.length, 1);
  const publish = text.indexOf("\n  publish:\n");
  assert.ok(publish > 0 && writes[0]!.index! > publish, "contents: write belongs to publish");
  assert.match(text, /\n {2}publish:\n {4}needs: smoke\n/);
  assert.match(text, /\n {2}smoke:\n {4}needs: build\n/);
  assert.match(text, /"\.\/\$bin" --version/);
  assert.match(text, /sha256sum -c/);
  for (
    const t of [
      "x86_64-unknown-linux-gnu",
      "aarch64-unknown-linux-gnu",
      "aarch64-apple-darwin",
      "x86_64-pc-windows-msvc",
    ]
  ) {
    assert.match(text, new RegExp(`\\{ target: ${t}, runner: `), t);
  }
});

Deno.test("README's GitHub Actions recipe: pinned, permissions, cache restore and save always, checksum", async () => {
  const readme = await read("README.md");
  const recipe = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!)
    .find((y) => /^on:\n {2}schedule:/m.test(y));
  assert.ok(recipe, "the Actions recipe is in the README");
  assertPinned(recipe, "README recipe");
  assert.match(recipe, /^permissions:\n {2}contents: read$/m);
  assert.match(recipe, /actions\/cache\/restore@/);
  assert.match(recipe, /actions\/cache\/save@[0-9a-f]{40}.*\n\s+if: always\(\)/);
  assert.match(recipe, /sha256sum -c/);
  assert.match(recipe, /AUGMENT_API_TOKEN: \$\{\{ secrets\.AUGMENT_API_TOKEN \}\}/);
});
