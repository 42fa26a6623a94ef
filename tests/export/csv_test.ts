import assert from "node:assert/strict";
import { csvNumber, csvRow, csvText, neutralizeFormula } from "../../src/export/csv.ts";
import { parseCsv, prng } from "./helpers.ts";

Deno.test("csvText() quotes fields holding comma, quote, CR or LF and doubles quotes", () => {
  assert.equal(csvText("plain"), "plain");
  assert.equal(csvText("a,b"), '"a,b"');
  assert.equal(csvText('say "hi"'), '"say ""hi"""');
  assert.equal(csvText("line\nbreak"), '"line\nbreak"');
  assert.equal(csvText("car\rriage"), '"car\rriage"');
  assert.equal(csvText("crlf\r\nx"), '"crlf\r\nx"');
  assert.equal(csvText("zoë@exämple.com 🎉"), "zoë@exämple.com 🎉");
  assert.equal(csvText(""), "");
});

Deno.test("csvText() neutralises every dangerous leading character", () => {
  assert.equal(csvText("=1+2"), "'=1+2");
  assert.equal(csvText("+1"), "'+1");
  assert.equal(csvText("-1"), "'-1");
  assert.equal(csvText("@SUM(A1)"), "'@SUM(A1)");
  assert.equal(csvText("\tcmd"), "'\tcmd");
  assert.equal(csvText("\rcmd"), `"'\rcmd"`);
  assert.equal(csvText('=HYPERLINK("x","y")'), `"'=HYPERLINK(""x"",""y"")"`);
  // Only the first character matters.
  assert.equal(csvText("a=b"), "a=b");
  assert.equal(csvText(" =x"), " =x");
  assert.equal(neutralizeFormula("'=x"), "'=x");
});

Deno.test("csvNumber() and csvRow() write numbers as numbers, negatives included", () => {
  assert.equal(csvNumber(-3), "-3");
  assert.equal(csvNumber(1.5), "1.5");
  assert.equal(csvRow(["-x", -3, 0, null, undefined, "ok"]), "'-x,-3,0,,,ok\r\n");
});

Deno.test("csvRow() output parses back with an RFC 4180 parser to the neutralised cells", () => {
  const rand = prng(42);
  const alphabet = ["a", "Z", ",", '"', "\r", "\n", "=", "+", "-", "@", "\t", " ", "é", "🎉", "'"];
  const rows: string[][] = [];
  let text = "";
  for (let r = 0; r < 500; r++) {
    const row: string[] = [];
    for (let c = 0; c < 1 + Math.floor(rand() * 6); c++) {
      let s = "";
      for (let k = Math.floor(rand() * 8); k > 0; k--) {
        s += alphabet[Math.floor(rand() * alphabet.length)];
      }
      row.push(s);
    }
    rows.push(row);
    text += csvRow(row);
  }
  const parsed = parseCsv(text);
  assert.equal(parsed.length, rows.length);
  for (let r = 0; r < rows.length; r++) {
    assert.deepEqual(parsed[r], rows[r].map(neutralizeFormula), `row ${r}`);
    for (const cell of parsed[r]) assert.doesNotMatch(cell, /^[=+\-@\t\r]/);
  }
});
