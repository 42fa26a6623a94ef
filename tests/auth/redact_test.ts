import assert from "node:assert/strict";
import { redact } from "../../src/auth/redact.ts";

const TOKEN = "tok_0123456789abcdef";

Deno.test("redact() replaces every occurrence of the token with ***", () => {
  assert.equal(
    redact(`Bearer ${TOKEN} failed; retry with ${TOKEN}.`, TOKEN),
    "Bearer *** failed; retry with ***.",
  );
});

Deno.test("redact() also replaces the URL-encoded token", () => {
  const token = "abc/def+ghi=0123456789";
  assert.equal(
    redact(`GET /x?t=${encodeURIComponent(token)} and ${token}`, token),
    "GET /x?t=*** and ***",
  );
});

Deno.test("redact() leaves text without the token unchanged", () => {
  assert.equal(redact("nothing secret here", TOKEN), "nothing secret here");
});

Deno.test("redact() changes nothing when the token is empty", () => {
  assert.equal(redact("some text", ""), "some text");
});
