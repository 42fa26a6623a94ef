import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../../src/errors.ts";
import { OutputDir } from "../../src/views/output_dir.ts";

Deno.test("OutputDir refuses to write through a folder that links outside the output directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = join(dir, "out");
    const elsewhere = join(dir, "elsewhere");
    await Deno.mkdir(out);
    await Deno.mkdir(elsewhere);
    await Deno.symlink(elsewhere, join(out, "latest"));
    const o = new OutputDir(out);
    await assert.rejects(() => o.write("latest/metrics.csv", "x"), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /outside the output directory/);
      return true;
    });
    assert.deepEqual([...Deno.readDirSync(elsewhere)], [], "nothing written elsewhere");
    await o.write("daily/2026-01-01/metrics.csv", "y");
    assert.equal(await Deno.readTextFile(join(out, "daily/2026-01-01/metrics.csv")), "y");
    assert.throws(() => o.abs("../escape.csv"), /outside the output directory/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
