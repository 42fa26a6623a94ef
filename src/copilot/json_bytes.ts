/**
 * JSON written straight as UTF-8 bytes into one reused, growing buffer: no object per row, no
 * string per row, nothing for the garbage collector. For the rows written by the hundred
 * thousand (user rows), where `JSON.stringify` of a fresh object graph and the text it makes
 * were most of a run's time and memory traffic.
 *
 * The bytes equal `JSON.stringify`'s for the same values: strings that need escaping or are
 * not ASCII, and numbers that are not small whole numbers, go through `JSON.stringify` /
 * `String` themselves.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Constant JSON text (keys, punctuation), encoded once. */
export function ascii(text: string): Uint8Array {
  return encoder.encode(text);
}

/** A growing byte buffer that JSON is written into. */
export class JsonBytes {
  #buf: Uint8Array;
  /** Bytes written. */
  pos = 0;

  constructor(initial = 16 * 1024) {
    this.#buf = new Uint8Array(initial);
  }

  /** The buffer written into: its bytes up to {@link pos} are valid until the next write. */
  get buffer(): Uint8Array {
    return this.#buf;
  }

  /** The bytes written since the last {@link reset}: valid until the next write. */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }

  #room(n: number): void {
    if (this.pos + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(2 * this.#buf.length, this.pos + n));
    next.set(this.#buf.subarray(0, this.pos));
    this.#buf = next;
  }

  /** Constant bytes (from {@link ascii}). */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.#room(n);
    const buf = this.#buf;
    let p = this.pos;
    // A loop for the shortest; `set` is faster from about 16 bytes on.
    if (n < 16) { for (let i = 0; i < n; i++) buf[p++] = bytes[i]; }
    else {
      buf.set(bytes, p);
      p += n;
    }
    this.pos = p;
  }

  /** One byte (an ASCII character code). */
  byte(b: number): void {
    this.#room(1);
    this.#buf[this.pos++] = b;
  }

  /** A number, as `JSON.stringify` (and, finite, `String`) writes it. */
  num(n: number): void {
    if (n >= 0 && n <= 0x7fffffff && (n | 0) === n) {
      this.#room(10);
      const buf = this.#buf;
      if (n < 10) {
        buf[this.pos++] = 48 + n;
        return;
      }
      let digits = 1;
      for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
      let p = this.pos + digits;
      this.pos = p;
      for (let x = n; p > this.pos - digits; x = (x / 10) | 0) buf[--p] = 48 + (x % 10);
      return;
    }
    if (n > 0 && n <= Number.MAX_SAFE_INTEGER && Math.floor(n) === n) {
      // Whole numbers up to 2^53 − 1 (user ids): 16 digits at most, exact in doubles.
      this.#room(16);
      const buf = this.#buf;
      let digits = 1;
      for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
      let p = this.pos + digits;
      const start = this.pos;
      this.pos = p;
      for (let x = n; p > start; x = Math.floor(x / 10)) buf[--p] = 48 + (x % 10);
      return;
    }
    this.#text(JSON.stringify(n));
  }

  /** `true` or `false`. */
  bool(b: boolean): void {
    this.raw(b ? TRUE : FALSE);
  }

  /** A JSON string, quoted and escaped as `JSON.stringify` does it. */
  str(s: string): void {
    const n = s.length;
    this.#room(n + 2);
    const buf = this.#buf;
    let p = this.pos;
    buf[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // Quote, backslash, controls and anything beyond ASCII: JSON.stringify's own bytes.
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.#text(JSON.stringify(s));
        return;
      }
      buf[p++] = c;
    }
    buf[p++] = 0x22;
    this.pos = p;
  }

  /** Text as it is (no quotes, no escapes), as UTF-8. */
  text(text: string): void {
    const n = text.length;
    this.#room(n);
    const buf = this.#buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) {
        this.#text(text);
        return;
      }
      buf[p++] = c;
    }
    this.pos = p;
  }

  /** Any text, as UTF-8. */
  #text(text: string): void {
    this.#room(3 * text.length);
    const { written } = encoder.encodeInto(text, this.#buf.subarray(this.pos));
    this.pos += written;
  }

  /** A value of any kind: `JSON.stringify`'s bytes. */
  json(value: unknown): void {
    this.#text(JSON.stringify(value));
  }
}

const TRUE = ascii("true");
const FALSE = ascii("false");
