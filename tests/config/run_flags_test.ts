/**
 * The run flags' V8 settings: a small young generation and a heap ceiling under 2 GiB by
 * default (where V8 grows the heap by at most twice its survivors), raised by a build for a
 * larger organisation; a bad ceiling is a usage error. The ceiling is checked in a real `deno
 * run` with those flags.
 */
import assert from "node:assert/strict";
import { UsageError } from "../../src/errors.ts";
import { DEFAULT_MAX_HEAP_MB, runFlags, V8_FLAGS } from "../../src/permissions.ts";

const v8 = (flags: string[]) => flags.find((f) => f.startsWith("--v8-flags="));

Deno.test("run flags: a 4 MiB young generation and a 2047 MiB heap ceiling unless built with another", () => {
  assert.equal(DEFAULT_MAX_HEAP_MB, 2047);
  assert.equal(v8(runFlags()), `--v8-flags=${V8_FLAGS.join(",")}`);
  assert.equal(v8(runFlags()), "--v8-flags=--max-semi-space-size=4,--max-old-space-size=2047");
  assert.equal(
    v8(runFlags(["minio.internal:9000"], 8192)),
    "--v8-flags=--max-semi-space-size=4,--max-old-space-size=8192",
  );
  for (const bad of [0, 255, 1.5, Number.NaN, -1]) {
    assert.throws(() => runFlags([], bad), UsageError, String(bad));
  }
});

Deno.test("run flags: a program run with them has the ceiling (V8's heap limit just above 2047 MiB)", async () => {
  const flags = runFlags().filter((f) => f.startsWith("--v8-flags="));
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      ...flags,
      'import v8 from "node:v8"; console.log(v8.getHeapStatistics().heap_size_limit)',
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(out.success);
  const limitMb = Number(new TextDecoder().decode(out.stdout)) / 2 ** 20;
  // The old generation's ceiling plus the young generation's room.
  assert.ok(limitMb >= 2047 && limitMb < 2200, `heap limit ${limitMb} MiB`);
});
