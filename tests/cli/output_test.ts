import assert from "node:assert/strict";
import { table } from "../../src/cli/output.ts";

Deno.test("table() aligns columns; numeric ones right-aligned, header included", () => {
  const text = table(
    [["metric", "value", "note"], ["days", "28", "x"], ["lines added", "12,345", ""]],
    new Set([1]),
  );
  assert.equal(
    text,
    [
      "metric        value  note",
      "days             28  x",
      "lines added  12,345",
      "",
    ].join("\n"),
  );
});
