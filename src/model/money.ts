/**
 * Exact decimals for money (USD) and credits: no float anywhere between the service's text and
 * what is written, so sums of many small amounts never drift.
 *
 * A {@link Decimal} is a bigint coefficient and a decimal scale (value = coefficient ÷ 10^scale),
 * kept normalised (no trailing zeros in the fraction, no negative zero), so two equal values
 * have one form and one canonical string. The scale is not fixed: the service prices a cached
 * token at a fraction of a micro-dollar, which integer micro-units would round; {@link toMicros}
 * gives micro-units when they are exact.
 *
 * Native bigint does everything needed here (parse, add, compare, print) in a few lines, so no
 * decimal library is pulled in; nothing ever divides.
 *
 * @module
 */

/** A value that is not a decimal this module reads: the message names it and what is expected. */
export class DecimalError extends Error {
  override name = "DecimalError";
  constructor(readonly value: unknown, reason: string) {
    super(`Invalid decimal ${describeDecimalInput(value)}: ${reason}`);
  }
}

/** Most digits accepted on either side of the point (far beyond any amount of money). */
export const MAX_DIGITS = 60;

/** Decimal scale of micro-units (millionths). */
export const MICRO_SCALE = 6;

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/;

/** An exact decimal number. Immutable. */
export class Decimal {
  /** Zero. */
  static readonly ZERO: Decimal = new Decimal(0n, 0);

  /** The value is `coefficient / 10 ** scale`. */
  readonly coefficient: bigint;
  /** Digits after the point (0 or more). */
  readonly scale: number;

  private constructor(coefficient: bigint, scale: number) {
    // Normalise: strip trailing zeros of the fraction (negative zero cannot exist in bigint).
    while (scale > 0 && coefficient % 10n === 0n) {
      coefficient /= 10n;
      scale--;
    }
    if (coefficient === 0n) scale = 0;
    this.coefficient = coefficient;
    this.scale = scale;
  }

  /**
   * Reads a decimal string (`"12.5"`, `"-0.000003"`, `"1.5E-7"`, `"+3"`, `".5"`) or a finite
   * JSON number. A number is read as its shortest round-trip decimal (what JavaScript prints
   * for it), which is the literal the service wrote whenever it had at most 15 significant
   * digits. `-0` is zero. Throws {@link DecimalError} for anything else: empty text, spaces,
   * `NaN`, `Infinity`, hexadecimal, thousands separators, more than {@link MAX_DIGITS} digits.
   */
  static parse(value: unknown): Decimal {
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new DecimalError(value, "expected a finite number");
      return Decimal.#parseText(String(value), value);
    }
    if (typeof value === "string") return Decimal.#parseText(value, value);
    if (typeof value === "bigint") return new Decimal(value, 0);
    throw new DecimalError(value, "expected a decimal string or a number");
  }

  /** `units / 10 ** scale`, e.g. `fromUnits(1_500_000n, 6)` is 1.5. */
  static fromUnits(units: bigint, scale: number): Decimal {
    if (!Number.isInteger(scale) || scale < 0 || scale > MAX_DIGITS) {
      throw new RangeError(`Invalid scale "${scale}": expected a whole number from 0 to 60`);
    }
    return new Decimal(units, scale);
  }

  static #parseText(text: string, original: unknown): Decimal {
    if (text.length > 3 * MAX_DIGITS) {
      throw new DecimalError(original, `longer than ${3 * MAX_DIGITS} characters`);
    }
    const m = DECIMAL_RE.exec(text);
    if (!m || (m[2] === "" && (m[3] ?? "") === "")) {
      throw new DecimalError(
        original,
        'expected digits with an optional sign, point and exponent, e.g. "12.50" or "1.5e-7"',
      );
    }
    const [, sign, intPart, fracPart = "", expPart] = m;
    const exponent = expPart === undefined ? 0 : Number(expPart);
    const digits = (intPart + fracPart).replace(/^0+/, "");
    if (digits === "") return Decimal.ZERO;
    // Digits before and after the point once the exponent is applied.
    const scale = fracPart.length - exponent;
    const integerDigits = digits.length - scale;
    if (integerDigits > MAX_DIGITS || scale > MAX_DIGITS) {
      throw new DecimalError(original, `more than ${MAX_DIGITS} digits before or after the point`);
    }
    let coefficient = BigInt(digits);
    if (sign === "-") coefficient = -coefficient;
    if (scale >= 0) return new Decimal(coefficient, scale);
    return new Decimal(coefficient * 10n ** BigInt(-scale), 0);
  }

  /** This plus `other`, exactly. */
  plus(other: Decimal): Decimal {
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.#at(scale) + other.#at(scale), scale);
  }

  /** This minus `other`, exactly. */
  minus(other: Decimal): Decimal {
    return this.plus(other.negated());
  }

  /** Minus this. */
  negated(): Decimal {
    return new Decimal(-this.coefficient, this.scale);
  }

  /** -1, 0 or 1. */
  get sign(): -1 | 0 | 1 {
    return this.coefficient < 0n ? -1 : this.coefficient > 0n ? 1 : 0;
  }

  /** Whether this is zero. */
  isZero(): boolean {
    return this.coefficient === 0n;
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than `other`. */
  compare(other: Decimal): -1 | 0 | 1 {
    const scale = Math.max(this.scale, other.scale);
    const a = this.#at(scale);
    const b = other.#at(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Whether this and `other` are the same number. */
  equals(other: Decimal): boolean {
    return this.coefficient === other.coefficient && this.scale === other.scale;
  }

  /**
   * The value in units of `10 ** -scale` (e.g. micro-units for 6). Throws `RangeError` when it
   * has more digits after the point than `scale`: a value is never rounded silently.
   */
  units(scale: number): bigint {
    if (!Number.isInteger(scale) || scale < 0) {
      throw new RangeError(`Invalid scale "${scale}": expected a whole number, 0 or more`);
    }
    if (this.scale > scale) {
      throw new RangeError(
        `Cannot express "${this}" in units of 1e-${scale} exactly: it has ${this.scale} digits after the point`,
      );
    }
    return this.#at(scale);
  }

  /** The canonical decimal string: no exponent, no trailing zeros, `"0"` for zero. */
  toString(): string {
    const negative = this.coefficient < 0n;
    const digits = (negative ? -this.coefficient : this.coefficient).toString();
    if (this.scale === 0) return (negative ? "-" : "") + digits;
    const padded = digits.padStart(this.scale + 1, "0");
    const cut = padded.length - this.scale;
    return `${negative ? "-" : ""}${padded.slice(0, cut)}.${padded.slice(cut)}`;
  }

  /**
   * A decimal string with exactly `digits` digits after the point, for display (`"12.50"`);
   * rounded half away from zero when this has more.
   */
  toFixed(digits: number): string {
    if (!Number.isInteger(digits) || digits < 0 || digits > MAX_DIGITS) {
      throw new RangeError(`Invalid digits "${digits}": expected a whole number from 0 to 60`);
    }
    let c = this.coefficient;
    if (this.scale > digits) {
      const drop = 10n ** BigInt(this.scale - digits);
      const negative = c < 0n;
      const abs = negative ? -c : c;
      let q = abs / drop;
      if ((abs % drop) * 2n >= drop) q += 1n;
      c = negative ? -q : q;
    } else {
      c *= 10n ** BigInt(digits - this.scale);
    }
    const negative = c < 0n;
    const s = (negative ? -c : c).toString().padStart(digits + 1, "0");
    const cut = s.length - digits;
    const body = digits === 0 ? s : `${s.slice(0, cut)}.${s.slice(cut)}`;
    return (negative ? "-" : "") + body;
  }

  /** The nearest double: for charts and gauges only, never for sums. */
  toNumber(): number {
    return Number(this.toString());
  }

  /** JSON writes the canonical string (a number would bring floats back). */
  toJSON(): string {
    return this.toString();
  }

  /** The coefficient at a scale of at least this one's. */
  #at(scale: number): bigint {
    return this.coefficient * 10n ** BigInt(scale - this.scale);
  }
}

/** The exact sum of `values` (zero for none). */
export function sumDecimals(values: Iterable<Decimal>): Decimal {
  let coefficient = 0n;
  let scale = 0;
  for (const v of values) {
    if (v.scale > scale) {
      coefficient *= 10n ** BigInt(v.scale - scale);
      scale = v.scale;
    }
    coefficient += v.coefficient * 10n ** BigInt(scale - v.scale);
  }
  return Decimal.fromUnits(coefficient, scale);
}

/** Exact micro-units (millionths) of `value`; `RangeError` when they would round. */
export function toMicros(value: Decimal): bigint {
  return value.units(MICRO_SCALE);
}

/**
 * A whole number the service sent as a JSON number or as a string of digits (proto3 JSON
 * writes 64-bit integers as strings): exact as a `number` from 0 to 2^53 − 1. Throws
 * {@link CountError} for anything else (a fraction, a negative, a value past 2^53 − 1, which a
 * double could not hold exactly, garbage).
 */
export function parseCount(value: unknown): number {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value >= 0) return value === 0 ? 0 : value;
    throw new CountError(value);
  }
  if (typeof value === "string" && /^\+?\d{1,30}$/.test(value)) {
    const big = BigInt(value);
    if (big <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(big);
  }
  throw new CountError(value);
}

/** A count the service sent that is not a whole number from 0 to 2^53 − 1. */
export class CountError extends Error {
  override name = "CountError";
  constructor(readonly value: unknown) {
    super(
      `Invalid count ${
        describeDecimalInput(value)
      }: expected a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`,
    );
  }
}

/** A value for a message: strings quoted and cut, numbers as JavaScript prints them. */
export function describeDecimalInput(value: unknown): string {
  if (typeof value === "string") {
    const cut = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    // deno-lint-ignore no-control-regex
    return `"${cut.replace(/[\u0000-\u001f\u007f]/g, "?")}"`;
  }
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  if (value === null) return "null";
  if (value === undefined) return "(missing)";
  return Array.isArray(value) ? "an array" : "an object";
}
