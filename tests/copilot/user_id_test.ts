import assert from "node:assert/strict";
import { userIdOf } from "../../src/copilot/mod.ts";

/** Reference FNV-1a 64 over UTF-8 with BigInt, masked to 53 bits (independent of the code). */
function reference(key: string): number {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(key)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return Number(h & ((1n << 53n) - 1n));
}

Deno.test("userIdOf() gives the published FNV-1a 64 values, masked to 53 bits", () => {
  // FNV-1a 64 of "" is 0xcbf29ce484222325 and of "a" is 0xaf63dc4c8601ec8c (published vectors).
  assert.equal(userIdOf(""), 5239054864098085);
  assert.equal(userIdOf("a"), 1086646154030220);
  assert.equal(userIdOf("user:bob@x.com"), 5263061536687740);
  assert.equal(userIdOf("service_account:bot"), 4282294865047487);
});

Deno.test("userIdOf() hashes non-ASCII identities as UTF-8", () => {
  assert.equal(userIdOf("user:zoë@example.com"), 5684901305633988);
  assert.equal(userIdOf("user:😀"), 4721802101463461);
  assert.equal(userIdOf("user:\ud800x"), reference("user:\ud800x"));
});

Deno.test("userIdOf() is a safe non-negative integer and tells identity kinds apart", () => {
  for (let i = 0; i < 2000; i++) {
    const key = `user:person${i}@example.com`;
    const id = userIdOf(key);
    assert.ok(Number.isSafeInteger(id) && id >= 0 && id < 2 ** 53, key);
    assert.equal(id, reference(key));
  }
  assert.notEqual(userIdOf("user:bot"), userIdOf("service_account:bot"));
});
