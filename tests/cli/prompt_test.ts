import assert from "node:assert/strict";
import { join } from "node:path";
import {
  EMPTY_SECRET_INPUT,
  feedSecretKeys,
  type SecretInput,
  secretText,
} from "../../src/cli/prompt.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds the chunks one after the other, as a terminal would deliver them. */
function type(...chunks: string[]): SecretInput {
  return chunks.reduce((state, chunk) => feedSecretKeys(state, bytes(chunk)), EMPTY_SECRET_INPUT);
}

Deno.test("feedSecretKeys() ends the input on Enter (CR or LF)", () => {
  for (const enter of ["\r", "\n"]) {
    const state = type(`secret${enter}`);
    assert.equal(state.status, "done");
    assert.equal(secretText(state), "secret");
  }
});

Deno.test("feedSecretKeys() keeps reading until Enter, across chunks", () => {
  const partial = type("sec", "ret");
  assert.equal(partial.status, "reading");
  assert.equal(secretText(type("sec", "ret", "\r")), "secret");
});

Deno.test("feedSecretKeys() erases the last character on Backspace and Delete", () => {
  assert.equal(secretText(type("abcx\x7f\r")), "abc");
  assert.equal(secretText(type("abxy\x08\x08c\r")), "abc");
  assert.equal(secretText(type("\x7f\x7fabc\r")), "abc");
});

Deno.test("feedSecretKeys() erases a whole multi-byte character on Backspace", () => {
  assert.equal(secretText(type("abé\x7f\r")), "ab");
  assert.equal(secretText(type("a€\x7fb\r")), "ab");
});

Deno.test("feedSecretKeys() erases the line on ^U", () => {
  assert.equal(secretText(type("wrong\x15right\r")), "right");
});

Deno.test("feedSecretKeys() stops with interrupted on ^C", () => {
  const state = type("abc\x03def\r");
  assert.equal(state.status, "interrupted");
});

Deno.test("feedSecretKeys() ends the input on ^D", () => {
  const state = type("abc\x04");
  assert.equal(state.status, "done");
  assert.equal(secretText(state), "abc");
});

Deno.test("feedSecretKeys() ignores arrow keys, even split across chunks", () => {
  assert.equal(secretText(type("ab\x1b[Dc\x1bOA\r")), "abc");
  assert.equal(secretText(type("ab\x1b", "[", "1;5C", "c\r")), "abc");
});

Deno.test("feedSecretKeys() keeps a bracketed paste without its markers", () => {
  assert.equal(secretText(type("\x1b[200~pasted-token\x1b[201~\r")), "pasted-token");
});

Deno.test("feedSecretKeys() ignores other control characters and bytes after Enter", () => {
  const state = type("a\x01b\x07c\rignored");
  assert.equal(secretText(state), "abc");
  assert.equal(secretText(feedSecretKeys(state, bytes("more"))), "abc");
});

/** Runs a script that imports src/cli/prompt.ts with `input` piped to its stdin. */
async function runWithStdin(code: string, input: string) {
  const dir = await Deno.makeTempDir({ prefix: "prompt_test_" });
  try {
    const script = join(dir, "main.ts");
    const prompt = new URL("../../src/cli/prompt.ts", import.meta.url).href;
    await Deno.writeTextFile(script, `import * as prompt from "${prompt}";\n${code}\n`);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-config", "--no-lock", script],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      cwd: dir,
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(bytes(input));
    await writer.close();
    const out = await child.output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const PRINT_STDIN = "console.log(JSON.stringify(await prompt.readAllStdin()));";

Deno.test("readAllStdin() returns piped input without its trailing newline", async () => {
  const lf = await runWithStdin(PRINT_STDIN, "token-from-pipe\n");
  assert.equal(lf.stdout, '"token-from-pipe"\n', lf.stderr);
  const crlf = await runWithStdin(PRINT_STDIN, "token-from-pipe\r\n");
  assert.equal(crlf.stdout, '"token-from-pipe"\n', crlf.stderr);
});

Deno.test("readAllStdin() keeps inner lines and returns empty text for empty input", async () => {
  const multi = await runWithStdin(PRINT_STDIN, "a\nb\n\n");
  assert.equal(multi.stdout, '"a\\nb"\n', multi.stderr);
  const empty = await runWithStdin(PRINT_STDIN, "");
  assert.equal(empty.stdout, '""\n', empty.stderr);
});

Deno.test("readSecret() refuses to prompt when stdin is not a terminal", async () => {
  const result = await runWithStdin(
    `try { await prompt.readSecret("Token: "); } catch (e) { console.log(e.name, e.message); }`,
    "typed\n",
  );
  assert.equal(
    result.stdout,
    "UsageError Cannot prompt for the token: stdin is not a terminal; pipe it with --token-stdin\n",
    result.stderr,
  );
});
