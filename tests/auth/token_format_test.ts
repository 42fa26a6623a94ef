import assert from "node:assert/strict";
import { checkTokenFormat } from "../../src/auth/token_format.ts";
import { UsageError } from "../../src/errors.ts";

const FORM =
  "expected the service-account token as one word of 16 to 4096 printable ASCII characters";

Deno.test("checkTokenFormat() accepts printable ASCII tokens of 16 to 4096 characters", () => {
  checkTokenFormat("a".repeat(16), "stdin");
  checkTokenFormat("A-z_0.9~+/=!#$%&*".repeat(2), "stdin");
  checkTokenFormat("x".repeat(4096), "stdin");
});

const BAD: [string, string, string][] = [
  ["empty", "", "is empty"],
  ["with a space", "abcdefgh ijklmnopq", "contains whitespace"],
  ["with a tab", "abcdefgh\tijklmnopq", "contains whitespace"],
  ["with a trailing newline", "abcdefghijklmnopq\n", "contains whitespace"],
  ["with a control character", "abcdefgh\u001bijklmnopq", "contains control characters"],
  ["with a DEL", "abcdefgh\u007fijklmnopq", "contains control characters"],
  ["with non-ASCII", "abcdefghijklmnopq\u00e9", "contains non-ASCII characters"],
  ["of 15 characters", "abcdefghijklmno", "is shorter than 16 characters"],
  ["of 4097 characters", "b".repeat(4097), "is longer than 4096 characters"],
];

for (const [what, token, problem] of BAD) {
  Deno.test(`checkTokenFormat() refuses a token ${what}, naming the source only`, () => {
    assert.throws(() => checkTokenFormat(token, 'credentials file "/h/.augment/credentials"'), (
      err: unknown,
    ) => {
      assert.ok(err instanceof UsageError);
      assert.equal(
        err.message,
        `Invalid token from credentials file "/h/.augment/credentials": ${problem}; ${FORM}`,
      );
      for (const part of token.split(/\s/).filter((p) => p.length > 3)) {
        assert.ok(!err.message.includes(part), "the message quotes the token");
      }
      return true;
    });
  });
}
