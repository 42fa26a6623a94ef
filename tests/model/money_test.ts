/**
 * Exact decimals: parsing, canonical printing, exact sums on adversarial decimals (property
 * tests with fast-check, checked against an independent integer model), and garbage refused.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CountError,
  Decimal,
  DecimalError,
  MAX_DIGITS,
  parseCount,
  sumDecimals,
  toMicros,
} from "../../src/model/money.ts";

const d = (v: string | number) => Decimal.parse(v);

Deno.test("Decimal.parse() reads decimal strings and prints them canonically", () => {
  const cases: [string | number, string][] = [
    ["12.50", "12.5"],
    ["0", "0"],
    ["-0", "0"],
    ["-0.000", "0"],
    ["+3", "3"],
    [".5", "0.5"],
    ["5.", "5"],
    ["000123.4500", "123.45"],
    ["-0.000003", "-0.000003"],
    ["1.5E-7", "0.00000015"],
    ["1.5e+3", "1500"],
    ["12e0", "12"],
    ["0e999999", "0"],
    ["123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789"],
    [0.1, "0.1"],
    [-0, "0"],
    [1e21, "1000000000000000000000"],
    [1.5e-7, "0.00000015"],
    [123.456, "123.456"],
    [42, "42"],
  ];
  for (const [input, expected] of cases) {
    assert.equal(d(input).toString(), expected, `parse(${JSON.stringify(input)})`);
  }
});

Deno.test("Decimal.parse() refuses garbage with a message naming the value", () => {
  const garbage: unknown[] = [
    "",
    " ",
    " 1.5",
    "1.5 ",
    ".",
    "-",
    "+-1",
    "1,5",
    "1,000.00",
    "1_000",
    "0x10",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e",
    "e5",
    "1.2.3",
    "$5",
    "5 USD",
    "1e1234567",
    "9".repeat(MAX_DIGITS + 1),
    "0." + "0".repeat(MAX_DIGITS) + "1",
    "1e-61",
    NaN,
    Infinity,
    5e-324,
    null,
    undefined,
    true,
    {},
    [],
  ];
  for (const g of garbage) {
    assert.throws(() => Decimal.parse(g), DecimalError, `parse(${String(g)}) should fail`);
  }
  assert.throws(() => Decimal.parse("1,5"), {
    name: "DecimalError",
    message: /^Invalid decimal "1,5": expected digits/,
  });
  assert.throws(() => Decimal.parse(NaN), {
    message: "Invalid decimal NaN: expected a finite number",
  });
  assert.throws(() => Decimal.parse(undefined), { message: /^Invalid decimal \(missing\)/ });
});

Deno.test("Decimal: equal values have one form whatever their spelling", () => {
  assert.ok(d("1.50").equals(d("1.5")));
  assert.ok(d("1.5e1").equals(d("15")));
  assert.ok(d("-0.0").equals(Decimal.ZERO));
  assert.equal(d("150e-2").compare(d("1.5")), 0);
  assert.equal(d("-2").compare(d("1")), -1);
  assert.equal(d("0.3").compare(d("0.29999999999")), 1);
  assert.equal(d("-0.1").sign, -1);
  assert.equal(d("-0").sign, 0);
});

Deno.test("Decimal: 0.1 + 0.2 is exactly 0.3, and ten thousand cents are 100", () => {
  assert.equal(d("0.1").plus(d("0.2")).toString(), "0.3");
  assert.equal(d(0.1).plus(d(0.2)).toString(), "0.3");
  assert.equal(sumDecimals(Array(10_000).fill(d("0.01"))).toString(), "100");
  let float = 0;
  for (let i = 0; i < 10_000; i++) float += 0.01;
  assert.notEqual(float, 100, "the float sum drifts: what this module exists to avoid");
});

Deno.test("Decimal: units(), toMicros() are exact or refuse", () => {
  assert.equal(toMicros(d("12.345678")), 12_345_678n);
  assert.equal(toMicros(d("-0.5")), -500_000n);
  assert.equal(d("3").units(0), 3n);
  assert.throws(() => toMicros(d("0.0000003")), {
    name: "RangeError",
    message: /Cannot express "0.0000003" in units of 1e-6 exactly/,
  });
  assert.equal(Decimal.fromUnits(1_500_000n, 6).toString(), "1.5");
  assert.equal(Decimal.fromUnits(-7n, 8).toString(), "-0.00000007");
});

Deno.test("Decimal.toFixed() pads and rounds half away from zero", () => {
  assert.equal(d("12.5").toFixed(2), "12.50");
  assert.equal(d("0.005").toFixed(2), "0.01");
  assert.equal(d("-0.005").toFixed(2), "-0.01");
  assert.equal(d("0.0049").toFixed(2), "0.00");
  assert.equal(d("-0.0049").toFixed(2), "0.00");
  assert.equal(d("2.5").toFixed(0), "3");
  assert.equal(d("99.995").toFixed(2), "100.00");
  assert.equal(d("7").toFixed(3), "7.000");
});

Deno.test("Decimal serialises to JSON as its canonical string", () => {
  assert.equal(JSON.stringify({ usd: d("0.10") }), '{"usd":"0.1"}');
});

// --- properties -------------------------------------------------------------------------

/** A decimal as [integer coefficient, scale] and several spellings of it. */
const decimalParts = fc.record({
  units: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
  scale: fc.integer({ min: 0, max: 20 }),
});

/** Spells units / 10^scale as text, in one of several forms the service might send. */
function spell(units: bigint, scale: number, form: number, pad: number): string {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, "0");
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  const sign = neg ? "-" : form % 3 === 1 ? "+" : "";
  switch (form % 4) {
    case 0: // plain, with trailing zeros added
      return `${sign}${int}.${frac}${"0".repeat(pad)}`;
    case 1: // leading zeros
      return `${sign}${"0".repeat(pad)}${int}${scale ? "." + frac : ""}`;
    case 2: // all digits, exponent
      return `${sign}${int}${frac}e-${scale}`;
    default: // shifted exponent, capital E
      return `${sign}${int}${frac}${"0".repeat(pad)}E-${scale + pad}`;
  }
}

Deno.test("property: any spelling of a decimal parses to the same exact value", () => {
  fc.assert(
    fc.property(
      decimalParts,
      fc.nat(3),
      fc.nat(5),
      fc.nat(3),
      fc.nat(5),
      ({ units, scale }, f1, p1, f2, p2) => {
        const a = Decimal.parse(spell(units, scale, f1, p1));
        const b = Decimal.parse(spell(units, scale, f2, p2));
        assert.ok(a.equals(b));
        assert.equal(a.compare(Decimal.fromUnits(units, scale)), 0);
        // The canonical string reads back to itself.
        assert.equal(Decimal.parse(a.toString()).toString(), a.toString());
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("property: sums of many small fractions are exact (integer model)", () => {
  // Every value at scale ≤ 9 is an integer number of nano-units: the model sums those.
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          units: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
          scale: fc.integer({ min: 0, max: 9 }),
          form: fc.nat(3),
        }),
        { minLength: 0, maxLength: 300 },
      ),
      (items) => {
        let model = 0n;
        const values = items.map(({ units, scale, form }) => {
          model += units * 10n ** BigInt(9 - scale);
          return Decimal.parse(spell(units, scale, form, 2));
        });
        const sum = sumDecimals(values);
        assert.equal(sum.units(9), model);
        // Pairwise addition in any order gives the same.
        const reversed = values.reduceRight((acc, v) => acc.plus(v), Decimal.ZERO);
        assert.ok(reversed.equals(sum));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("property: a thousand copies of a tiny amount sum to exactly a thousand times it", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 999 }),
      fc.integer({ min: 1, max: 12 }),
      (digits, scale) => {
        const one = Decimal.fromUnits(BigInt(digits), scale);
        const sum = sumDecimals(Array(1000).fill(one));
        assert.ok(sum.equals(Decimal.fromUnits(BigInt(digits) * 1000n, scale)));
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("property: a JSON number reads as the decimal JavaScript prints for it", () => {
  fc.assert(
    fc.property(
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e20, max: 1e20 })
        .filter((x) => x === 0 || Math.abs(x) >= 1e-20),
      (x) => {
        const v = Decimal.parse(x);
        assert.equal(Number(v.toString()), x === 0 ? 0 : x);
        assert.equal(v.toNumber(), x === 0 ? 0 : x);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("property: compare() agrees with the integer model and minus() undoes plus()", () => {
  fc.assert(
    fc.property(decimalParts, decimalParts, (a, b) => {
      const x = Decimal.fromUnits(a.units, a.scale);
      const y = Decimal.fromUnits(b.units, b.scale);
      const ma = a.units * 10n ** BigInt(20 - a.scale);
      const mb = b.units * 10n ** BigInt(20 - b.scale);
      assert.equal(x.compare(y), ma < mb ? -1 : ma > mb ? 1 : 0);
      assert.ok(x.plus(y).minus(y).equals(x));
    }),
    { numRuns: 300 },
  );
});

Deno.test("parseCount() reads whole numbers as numbers or digit strings, exactly", () => {
  assert.equal(parseCount(0), 0);
  assert.equal(parseCount(-0), 0);
  assert.ok(Object.is(parseCount(-0), 0));
  assert.equal(parseCount(123), 123);
  assert.equal(parseCount("123"), 123);
  assert.equal(parseCount("0"), 0);
  assert.equal(parseCount("9007199254740991"), Number.MAX_SAFE_INTEGER);
  for (
    const bad of [
      -1,
      1.5,
      2 ** 53,
      1e308,
      NaN,
      "9007199254740992",
      "-1",
      "1.0",
      "1e3",
      "",
      " 1",
      "abc",
      null,
      undefined,
    ]
  ) {
    assert.throws(() => parseCount(bad), CountError, `parseCount(${String(bad)})`);
  }
  assert.throws(() => parseCount("9007199254740993"), {
    message: 'Invalid count "9007199254740993": expected a whole number from 0 to 9007199254740991',
  });
});
