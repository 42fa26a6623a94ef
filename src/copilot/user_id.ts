/**
 * Stable numeric user ids for per-user Copilot reports, derived from the identity.
 *
 * @module
 */

/**
 * A stable non-negative integer below 2^53 for an identity key (`${kind}:${name}`): the low 53
 * bits of the 64-bit FNV-1a hash of the key's UTF-8 bytes. The same key gives the same id on
 * every run and machine; different keys collide with probability about n²/2^54.
 */
export function userIdOf(identityKey: string): number {
  // FNV-1a 64 in four 16-bit limbs (h3 most significant); offset basis 0xcbf29ce484222325.
  let h0 = 0x2325, h1 = 0x8422, h2 = 0x9ce4, h3 = 0xcbf2;
  const step = (byte: number): void => {
    h0 ^= byte;
    // Multiply by the prime 0x100000001b3 = 2^40 + 0x1b3, modulo 2^64.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3;
    const t2 = h2 * 0x1b3 + h0 * 0x100;
    const t3 = h3 * 0x1b3 + h1 * 0x100;
    h0 = t0 & 0xffff;
    const c1 = t1 + (t0 >>> 16);
    h1 = c1 & 0xffff;
    const c2 = t2 + Math.floor(c1 / 0x10000);
    h2 = c2 & 0xffff;
    h3 = (t3 + Math.floor(c2 / 0x10000)) & 0xffff;
  };
  for (let i = 0; i < identityKey.length; i++) {
    let c = identityKey.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < identityKey.length) {
      const d = identityKey.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate, as TextEncoder writes it
    if (c < 0x80) step(c);
    else if (c < 0x800) {
      step(0xc0 | (c >> 6));
      step(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      step(0xe0 | (c >> 12));
      step(0x80 | ((c >> 6) & 0x3f));
      step(0x80 | (c & 0x3f));
    } else {
      step(0xf0 | (c >> 18));
      step(0x80 | ((c >> 12) & 0x3f));
      step(0x80 | ((c >> 6) & 0x3f));
      step(0x80 | (c & 0x3f));
    }
  }
  // Low 53 bits: the low 5 bits of h3, then h2, h1, h0.
  return (h3 & 0x1f) * 2 ** 48 + h2 * 2 ** 32 + h1 * 2 ** 16 + h0;
}
