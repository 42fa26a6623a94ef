/**
 * Pseudonymised outputs (`--pseudonymize`, key in `AUGMENT_PSEUDONYMIZE_KEY`): every identity
 * is replaced where days enter rendering (the day source), so every view writes the same
 * pseudonyms and no view can leak a real identity.
 *
 * A pseudonym is the HMAC-SHA256 of the identity under the key, its first 80 bits in lower-case
 * base32: `user-<16 chars>` for a person, `sa-<16 chars>` for a service account. The same key
 * gives the same pseudonym on every run and machine; without the key a pseudonym cannot be
 * traced back (nor confirmed by trying e-mails). `user_id` numbers are derived from the
 * pseudonym, never from the e-mail. Counters are untouched, so every total stays the same.
 *
 * @module
 */
import { createHmac } from "node:crypto";
import { UsageError } from "../errors.ts";
import type { IdentityKind, UserActivity } from "../model/types.ts";
import type { DaySource } from "../views/render.ts";

/** The variable holding the key. */
export const KEY_VARIABLE = "AUGMENT_PSEUDONYMIZE_KEY";
/** The shortest key accepted, in characters. */
export const MIN_KEY_LENGTH = 32;

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

function base32(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** What a run applies where days enter rendering: the day source and fetched activity. */
export interface IdentityFilter {
  source(source: DaySource): DaySource;
  activity(list: readonly UserActivity[]): UserActivity[];
}

/** Replaces identities by keyed pseudonyms; one instance per run (it caches). */
export class Pseudonymizer implements IdentityFilter {
  readonly #key: string;
  readonly #cache = new Map<string, string>();
  /** Pseudonym → real name, in memory only: teams are matched on the real identity. */
  readonly #real = new Map<string, string>();
  /** Names the key without revealing it (a keyed hash): changes when the key changes. */
  readonly keyId: string;

  constructor(key: string) {
    if (key.length < MIN_KEY_LENGTH) {
      throw new UsageError(
        `${KEY_VARIABLE} is too short for --pseudonymize: at least ${MIN_KEY_LENGTH} characters are needed`,
        `set it to a long random secret, e.g. the output of "openssl rand -hex 32"`,
      );
    }
    this.#key = key;
    this.keyId = createHmac("sha256", key).update("augment-metrics key id").digest("hex").slice(
      0,
      16,
    );
  }

  /** The pseudonym of an identity (`user-…` or `sa-…`). */
  of(name: string, kind: IdentityKind): string {
    const k = `${kind}:${name}`;
    let p = this.#cache.get(k);
    if (p === undefined) {
      const mac = createHmac("sha256", this.#key).update(k).digest();
      p = `${kind === "user" ? "user" : "sa"}-${base32(mac.subarray(0, 10))}`;
      this.#cache.set(k, p);
      this.#real.set(p, name);
    }
    return p;
  }

  /** The real name of a pseudonym given by {@link of} in this run (else the name itself). */
  realOf(name: string): string {
    return this.#real.get(name) ?? name;
  }

  /** The same day source, with every identity (records, credits) replaced. */
  source(source: DaySource): DaySource {
    return {
      info: async (day) => {
        const info = await source.info(day);
        // A new version: every file rendered without pseudonyms (or with another key) is
        // rendered again.
        return info && { ...info, version: `${info.version};pseudonyms=${this.keyId}` };
      },
      get: async (day) => {
        const data = await source.get(day);
        const credits = data.credits;
        return {
          ...data,
          records: data.records.map((r) => ({ ...r, identity: this.of(r.identity, r.kind) })),
          ...(credits && {
            credits: {
              ...credits,
              ...(credits.records && {
                records: credits.records.map((r) => ({
                  ...r,
                  identity: this.of(r.identity, r.kind),
                })),
              }),
            },
          }),
        };
      },
      release: (day) => source.release?.(day),
    };
  }

  /** Per-identity activity with identities replaced. */
  activity(list: readonly UserActivity[]): UserActivity[] {
    return list.map((u) => ({ ...u, identity: this.of(u.identity, u.kind) }));
  }
}

/**
 * The pseudonymizer a run asks for: `undefined` without `--pseudonymize`; a usage error (exit 2)
 * when the key is missing or too short.
 */
export function pseudonymizerFor(
  asked: boolean,
  env: (name: string) => string | undefined,
): Pseudonymizer | undefined {
  if (!asked) return undefined;
  const key = env(KEY_VARIABLE);
  if (key === undefined || key === "") {
    throw new UsageError(
      `--pseudonymize needs a key in ${KEY_VARIABLE}`,
      `set ${KEY_VARIABLE} to a long random secret (at least ${MIN_KEY_LENGTH} characters, e.g. "openssl rand -hex 32") and keep it to get the same pseudonyms on every run`,
    );
  }
  return new Pseudonymizer(key);
}
