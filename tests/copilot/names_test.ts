import assert from "node:assert/strict";
import { normalizeName } from "../../src/copilot/mod.ts";

Deno.test("normalizeName() lower-cases and trims editor and language names", () => {
  assert.equal(normalizeName("VSCode"), "vscode");
  assert.equal(normalizeName("JetBrains"), "jetbrains");
  assert.equal(normalizeName(" Python "), "python");
  assert.equal(normalizeName("typescript"), "typescript");
});

Deno.test("normalizeName() gives unknown when the name is empty or missing", () => {
  assert.equal(normalizeName(""), "unknown");
  assert.equal(normalizeName("   "), "unknown");
  assert.equal(normalizeName(undefined), "unknown");
  assert.equal(normalizeName(null), "unknown");
  assert.equal(normalizeName("Unknown"), "unknown");
});
