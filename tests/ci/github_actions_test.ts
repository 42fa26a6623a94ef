import assert from "node:assert/strict";
import { join } from "node:path";
import {
  annotation,
  annotationsFor,
  escapeData,
  escapeProperty,
  markdownText,
  reportToGitHubActions,
  stepSummary,
} from "../../src/ci/github_actions.ts";
import { type RunEvent, runEvent } from "../../src/notify/event.ts";

function event(over: Partial<Parameters<typeof runEvent>[0]> = {}): RunEvent {
  return runEvent({
    version: "0.1.0",
    range: { start: "2025-01-01", end: "2025-01-28" },
    days: 28,
    identities: 40,
    requests: 12,
    elapsedSeconds: 65,
    outputDir: "/home/runner/work/x/data",
    files: 7,
    finishedAtMs: Date.parse("2025-01-29T04:00:00Z"),
    ...over,
  });
}

Deno.test("escapeData() and escapeProperty() follow GitHub's toolkit rules", () => {
  assert.equal(escapeData("100% done\r\nnext"), "100%25 done%0D%0Anext");
  assert.equal(escapeProperty("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
});

Deno.test("annotation(): one line that a message cannot break out of", () => {
  const line = annotation("warning", "bad\n::error::injected", { title: "x:y" });
  assert.equal(line, "::warning title=x%3Ay::bad%0A::error::injected\n");
  assert.equal(line.split("\n").length, 2);
  assert.equal(annotation("error", "boom"), "::error::boom\n");
});

Deno.test("annotationsFor(): a warning line per warning, and the error with its exit code", () => {
  const text = annotationsFor(event({
    warnings: ["2025-01-03: chat 5 vs 6", "2025-01-04: agent 1 vs 2"],
    error: { message: "Cannot reach the service", exitCode: 4 },
  }));
  assert.deepEqual(text.trimEnd().split("\n"), [
    "::warning title=augment-metrics export::2025-01-03: chat 5 vs 6",
    "::warning title=augment-metrics export::2025-01-04: agent 1 vs 2",
    "::error title=augment-metrics export failed::Cannot reach the service (exit 4)",
  ]);
  assert.equal(annotationsFor(event()), "");
});

Deno.test("stepSummary(): headline, a table of facts, the warnings; Markdown neutralised", () => {
  const md = stepSummary(event({ warnings: ["a | b <script>x</script> *c*"] }));
  assert.match(md, /^### ⚠️ augment-metrics export finished with 1 warning\n/);
  assert.match(md, /\| Range \| 2025-01-01 to 2025-01-28 \(28 days\) \|/);
  assert.match(md, /\| Identities \| 40 \|/);
  assert.match(md, /\| Requests \| 12 \|/);
  assert.match(md, /\| Elapsed \| 1m 05s \|/);
  assert.match(md, /\| Output \| \/home\/runner\/work\/x\/data \(7 files written\) \|/);
  assert.match(md, /- a \\\| b &lt;script&gt;x&lt;\/script&gt; \\\*c\\\*/);
  assert.ok(!md.includes("<script>"));
  const failed = stepSummary(
    event({ error: { message: "Token refused\nby the service", exitCode: 3 } }),
  );
  assert.match(failed, /^### ❌ augment-metrics export failed \(exit 3\)/);
  assert.match(failed, /\*\*Error\*\* \(exit 3\): Token refused by the service/);
  assert.equal(markdownText("x\r\ny"), "x y");
});

Deno.test("reportToGitHubActions() appends to GITHUB_STEP_SUMMARY and annotates only in Actions", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "summary.md");
    await Deno.writeTextFile(path, "earlier step\n");
    let out = "";
    const e = event({ warnings: ["w"] });
    const w = await reportToGitHubActions(e, {
      env: { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: path },
      stdout: (t) => out += t,
    });
    assert.deepEqual(w, []);
    assert.equal(await Deno.readTextFile(path), "earlier step\n" + stepSummary(e));
    assert.equal(out, "::warning title=augment-metrics export::w\n");

    out = "";
    await reportToGitHubActions(e, { env: {}, stdout: (t) => out += t });
    assert.equal(out, "", "outside Actions: nothing");
    await reportToGitHubActions(e, {
      env: { GITHUB_ACTIONS: "true" },
      stdout: (t) => out += t,
      annotate: false,
    });
    assert.equal(out, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a summary file that cannot be written is a warning, not an exception", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const w = await reportToGitHubActions(event(), {
      env: { GITHUB_STEP_SUMMARY: join(dir, "missing", "summary.md") },
      stdout: () => {},
    });
    assert.equal(w.length, 1);
    assert.match(w[0]!, /^Cannot append the run summary to GITHUB_STEP_SUMMARY ".*summary\.md": /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
