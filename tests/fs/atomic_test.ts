import assert from "node:assert/strict";
import { join } from "node:path";
import { AtomicFile, writeFileAtomic } from "../../src/fs/atomic.ts";

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir), (e) => e.name)).sort();
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "atomic_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const OLD = "old content, line 1\nline 2\n";

Deno.test("writeFileAtomic() replaces a file and leaves no temporary file", () =>
  withDir(async (dir) => {
    const path = join(dir, "out.json");
    await Deno.writeTextFile(path, OLD);
    await writeFileAtomic(path, '{"new":true}\n');
    assert.equal(await Deno.readTextFile(path), '{"new":true}\n');
    await writeFileAtomic(path, new TextEncoder().encode("bytes ✓"));
    assert.equal(await Deno.readTextFile(path), "bytes ✓");
    assert.deepEqual(await names(dir), ["out.json"]);
  }));

Deno.test("writeFileAtomic() applies the given mode", {
  ignore: Deno.build.os === "windows",
}, () =>
  withDir(async (dir) => {
    const path = join(dir, "secret");
    await Deno.writeTextFile(path, OLD, { mode: 0o644 });
    await writeFileAtomic(path, "s", { mode: 0o600 });
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  }));

Deno.test("AtomicFile aborted after large writes leaves the old file byte-identical and no temp file", () =>
  withDir(async (dir) => {
    const path = join(dir, "big.csv");
    await Deno.writeTextFile(path, OLD);
    const f = await AtomicFile.create(path);
    assert.ok(f.tempPath.startsWith(join(dir, ".big.csv.")) && f.tempPath.endsWith(".tmp"));
    for (let i = 0; i < 8000; i++) f.write("x".repeat(1000) + "\r\n");
    await f.ready(); // full buffers are written in the background; at most one is left
    assert.ok(f.bytesWritten > 1_000_000, "chunks reached the temporary file");
    assert.equal(await Deno.readTextFile(path), OLD);
    await f.abort();
    await f.abort(); // twice is fine
    assert.equal(await Deno.readTextFile(path), OLD);
    assert.deepEqual(await names(dir), ["big.csv"]);
    assert.throws(() => f.write("late"), /already closed/);
  }));

Deno.test("AtomicFile never committed leaves the old file untouched while open", () =>
  withDir(async (dir) => {
    const path = join(dir, "a.json");
    await Deno.writeTextFile(path, OLD);
    const f = await AtomicFile.create(path);
    f.write("[1,2,");
    assert.equal(await Deno.readTextFile(path), OLD);
    await f.abort();
    assert.deepEqual(await names(dir), ["a.json"]);
  }));

Deno.test("AtomicFile whose writer throws mid-way leaves the old file when aborted", () =>
  withDir(async (dir) => {
    const path = join(dir, "rows.csv");
    await Deno.writeTextFile(path, OLD);
    const f = await AtomicFile.create(path);
    const writer = () => {
      for (let i = 0; i < 100_000; i++) {
        if (i === 50_000) throw new Error("disk full (simulated)");
        f.write(`${i},row\r\n`);
      }
    };
    try {
      writer();
      await f.commit();
    } catch {
      await f.abort();
    }
    assert.equal(await Deno.readTextFile(path), OLD);
    assert.deepEqual(await names(dir), ["rows.csv"]);
  }));

Deno.test("AtomicFile commit writes every chunk in order, multi-byte text included", () =>
  withDir(async (dir) => {
    const path = join(dir, "u.txt");
    const f = await AtomicFile.create(path);
    let expected = "";
    for (let i = 0; i < 40_000; i++) {
      const line = `${i} zoë 🎉 ${"é".repeat(i % 50)}\n`;
      f.write(line);
      expected += line;
    }
    await f.commit();
    assert.equal(await Deno.readTextFile(path), expected);
    assert.deepEqual(await names(dir), ["u.txt"]);
    await assert.rejects(() => f.commit(), /already closed/);
  }));

Deno.test("AtomicFile keeps text and bytes in order across buffers, ready() and background syncs", () =>
  withDir(async (dir) => {
    const path = join(dir, "stream.ndjson");
    const f = await AtomicFile.create(path);
    const bytes = new TextEncoder().encode("b".repeat(3_000_000) + "\n"); // spans buffers
    const range = new TextEncoder().encode(
      Array.from({ length: 200_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(""),
    );
    const parts: string[] = [];
    let total = 0;
    for (let i = 0; i < 20_000; i++) {
      const line = `{"n":${i},"é":"${"x".repeat(i % 300)}"}\n`;
      f.write(line);
      parts.push(line);
      total += new TextEncoder().encode(line).length;
      if (i % 5000 === 0) {
        f.writeBytes(bytes);
        parts.push("b".repeat(3_000_000) + "\n");
        total += bytes.length;
        f.syncInBackground();
      }
      if (i % 97 === 0) {
        // A range of bytes: short (copied byte by byte), long, and across buffers.
        const from = i % 50;
        const to = Math.min(range.length, from + [3, 63, 64, 2000, 1_500_000][i % 5]);
        f.writeBytes(range, from, to);
        parts.push(new TextDecoder().decode(range.subarray(from, to)));
        total += to - from;
      }
      if (i % 1000 === 0) {
        await f.ready();
        // At most 2 MiB wait for the disk, plus the buffer being filled (1 MiB).
        assert.ok(total - f.bytesWritten <= 3 * 2 ** 20, `${total - f.bytesWritten} bytes behind`);
      }
    }
    bytes.fill(0); // writeBytes() copied: reusing the array changes nothing
    await f.commit();
    assert.equal(await Deno.readTextFile(path), parts.join(""));
    assert.deepEqual(await names(dir), ["stream.ndjson"]);
  }));

Deno.test("AtomicFile killed mid-write (crash) leaves the old file byte-identical", {
  ignore: Deno.build.os === "windows",
}, () =>
  withDir(async (dir) => {
    const path = join(dir, "report.json");
    await Deno.writeTextFile(path, OLD);
    const atomicUrl = new URL("../../src/fs/atomic.ts", import.meta.url).href;
    const script = `
      import { AtomicFile } from ${JSON.stringify(atomicUrl)};
      const f = await AtomicFile.create(${JSON.stringify(path)});
      for (let i = 0; i < 3000; i++) f.write("y".repeat(1000));
      console.log("written " + f.bytesWritten);
      await new Promise(() => setInterval(() => {}, 1000));
    `;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", `--allow-read=${dir}`, `--allow-write=${dir}`, "-"],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(script));
    await w.close();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const { value } = await reader.read();
    assert.match(value ?? "", /^written \d+/);
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel();
    assert.equal(await Deno.readTextFile(path), OLD);
    // The crash leaves the temporary file beside the target, never a half-written target.
    const left = (await names(dir)).filter((n) => n !== "report.json");
    assert.equal(left.length, 1);
    assert.match(left[0], /^\.report\.json\.[0-9a-z]+\.tmp$/);
  }));
