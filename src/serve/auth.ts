/**
 * Client authentication of `serve`: bearer tokens (`Authorization: Bearer x`, or GitHub's
 * `token x` form) compared in constant time against the configured list, and signed download
 * links (HMAC-SHA256 with a key made at start, expiring like GitHub's signed report URLs).
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** What an `Authorization` header amounts to. */
export type AuthResult = "ok" | "missing" | "bad";

function digest(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}

/** The configured client tokens; none configured means no authentication. */
export class ClientTokens {
  readonly #digests: Uint8Array[];

  constructor(tokens: readonly string[]) {
    this.#digests = tokens.map(digest);
  }

  get required(): boolean {
    return this.#digests.length > 0;
  }

  /** Checks an `Authorization` header value (every configured token is compared). */
  check(header: string | null): AuthResult {
    if (!this.required) return "ok";
    if (header === null || header.trim() === "") return "missing";
    const m = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(header);
    if (!m) return "bad";
    const given = digest(m[1]);
    let ok = false;
    for (const d of this.#digests) ok = timingSafeEqual(given, d) || ok;
    return ok ? "ok" : "bad";
  }
}

function b64url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromB64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    const bin = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** Signs download paths with a key that lives as long as the process. */
export class LinkSigner {
  private constructor(private readonly key: CryptoKey) {}

  static async create(): Promise<LinkSigner> {
    const key = await crypto.subtle.generateKey(
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    return new LinkSigner(key);
  }

  /** `expires=<unix s>&signature=<b64url>` for `path`. */
  async sign(path: string, expiresS: number): Promise<string> {
    const sig = await crypto.subtle.sign(
      "HMAC",
      this.key,
      new TextEncoder().encode(`${path}\n${expiresS}`),
    );
    return `expires=${expiresS}&signature=${b64url(sig)}`;
  }

  /** Whether the query of a download request carries a valid, unexpired signature. */
  async verify(path: string, query: URLSearchParams, nowMs: number): Promise<boolean> {
    const expires = Number(query.get("expires"));
    const sig = fromB64url(query.get("signature") ?? "");
    if (!Number.isSafeInteger(expires) || !sig || expires * 1000 < nowMs) return false;
    return await crypto.subtle.verify(
      "HMAC",
      this.key,
      sig as Uint8Array<ArrayBuffer>,
      new TextEncoder().encode(`${path}\n${expires}`),
    );
  }
}
