import assert from "node:assert/strict";
import { printable, printableDeep } from "../src/text.ts";

Deno.test("printable() removes escape sequences whole: colours, cursor moves, titles, hyperlinks", () => {
  assert.equal(printable("\x1b[31mred\x1b[0m text"), "red text");
  assert.equal(printable("a\x1b[2K\x1b[1;1Hb"), "ab");
  assert.equal(printable("\x1b]0;pwned title\x07after"), "after");
  assert.equal(printable("\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\"), "link");
  assert.equal(printable("\x9b31mC1 CSI"), "C1 CSI");
  assert.equal(printable("\x1bPdevice control\x1b\\ok"), "ok");
  assert.equal(printable("two-byte \x1bc reset"), "two-byte  reset");
  assert.equal(printable("trailing \x1b"), "trailing ");
  assert.equal(printable("unterminated \x1b]0;title"), "unterminated ");
});

Deno.test("printable() removes C0 (but tab), DEL, C1 and bidi overrides; keeps other text", () => {
  assert.equal(printable("a\x00b\x07c\x08d\x7fe\x80f\tg"), "abcdef\tg");
  assert.equal(printable("user\u202Egnp.exe"), "usergnp.exe");
  assert.equal(printable("Zoë — 日本語 ✓"), "Zoë — 日本語 ✓");
});

Deno.test("printable() turns line breaks into spaces, or keeps them as \\n with multiline", () => {
  assert.equal(printable("one\ntwo\r\nthree\rfour\u2028five"), "one two three four five");
  assert.equal(
    printable("one\ntwo\r\nthree\rfour\x1b[1A", { multiline: true }),
    "one\ntwo\nthree\nfour",
  );
});

Deno.test("printableDeep() cleans every string, keys included, and leaves other values", () => {
  assert.deepEqual(
    printableDeep({
      msg: "a\nb",
      n: 3,
      ok: true,
      none: null,
      list: ["\x1b[1mx"],
      o: { "k\x07": "v\r" },
    }),
    { msg: "a b", n: 3, ok: true, none: null, list: ["x"], o: { k: "v " } },
  );
});
