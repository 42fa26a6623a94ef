import assert from "node:assert/strict";
import { isBrokenPipe, Output, table, writerTo } from "../../src/cli/output.ts";

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

function capture(color = false) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    streams: {
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void err.push(t),
      stderrIsTerminal: false,
      color,
    },
  };
}

const HOSTILE = "Quota \x1b[2J\x1b]0;owned\x07exceeded\r\nfor \x1b[31morg\x1b[0m\x00";

Deno.test("a text log line from service text has no escape sequence and stays one line", () => {
  const c = capture(true);
  const o = new Output(c.streams, "verbose", "text");
  o.error(HOSTILE);
  o.warn(HOSTILE);
  o.info(HOSTILE);
  o.debug(HOSTILE);
  const text = c.err.join("");
  assert.equal(text.split("\n").length, 5, text); // four lines and the final newline
  // Only our own colour codes remain (prefixes), never the service's.
  assert.ok(!text.includes("\x1b[2J") && !text.includes("\x1b]") && !text.includes("\x00"));
  assert.ok(!text.includes("\r"));
  assert.ok(text.includes("error: \x1b[0mQuota exceeded for org\n"), JSON.stringify(text));
  assert.match(text, /^Quota exceeded for org$/m);
});

Deno.test("a JSON log line cleans the message and every string field, nested ones too", () => {
  const c = capture();
  const o = new Output(c.streams, "normal", "json", () => 0);
  o.warn(HOSTILE, { event: "x", detail: { reason: HOSTILE, list: [HOSTILE] }, n: 2 });
  const lines = c.err.join("").trimEnd().split("\n");
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]);
  assert.equal(line.msg, "Quota exceeded for org");
  assert.deepEqual(line.detail, {
    reason: "Quota exceeded for org",
    list: ["Quota exceeded for org"],
  });
  assert.equal(line.n, 2);
  assert.doesNotMatch(lines[0], /\\u001b|\\r|\\n|\\u0000/);
});

Deno.test("a result keeps its lines but loses escape sequences and carriage returns", () => {
  const c = capture();
  new Output(c.streams).result("name\x1b[1A  value\nZoë\r  3");
  assert.equal(c.out.join(""), "name  value\nZoë\n  3\n");
});

Deno.test("writerTo() falls silent after a broken pipe, and only then", () => {
  let calls = 0;
  const broken = {
    writeSync(_p: Uint8Array): number {
      calls++;
      throw new Deno.errors.BrokenPipe("Broken pipe (os error 32)");
    },
  };
  const write = writerTo(broken);
  write("a");
  write("b");
  assert.equal(calls, 1, "no write after the pipe closed");

  const failing = writerTo({
    writeSync(): number {
      throw new Deno.errors.PermissionDenied("nope");
    },
  });
  assert.throws(() => failing("a"), Deno.errors.PermissionDenied);

  const chunks: number[] = [];
  const slow = writerTo({
    writeSync(p: Uint8Array): number {
      chunks.push(Math.min(2, p.length));
      return Math.min(2, p.length);
    },
  });
  slow("hello");
  assert.deepEqual(chunks, [2, 2, 1], "partial writes are continued");
});

Deno.test("isBrokenPipe() knows EPIPE in its forms", () => {
  assert.ok(isBrokenPipe(new Deno.errors.BrokenPipe("x")));
  assert.ok(isBrokenPipe(Object.assign(new Error("write failed"), { code: "EPIPE" })));
  assert.ok(isBrokenPipe(new Error("Broken pipe (os error 32)")));
  assert.ok(!isBrokenPipe(new Error("No space left on device (os error 28)")));
});
