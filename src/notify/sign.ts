/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/): the receiver checks
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` with the shared
 * secret `whsec_<base64>`. Web Crypto only: no package.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** A secret ready to sign with. */
export interface WebhookSecret {
  readonly key: CryptoKey;
}

/**
 * Parses `AUGMENT_NOTIFY_SECRET`: `whsec_` then the base64 of 24 to 64 random bytes (what
 * Standard Webhooks recommends; generate one with `openssl rand -base64 32`).
 *
 * @throws UsageError naming the variable, never its value
 */
export async function parseWebhookSecret(
  value: string,
  name = "AUGMENT_NOTIFY_SECRET",
): Promise<WebhookSecret> {
  const text = value.trim();
  const hint = `write "whsec_" then the base64 of 24 to 64 random bytes, e.g. ` +
    `"whsec_$(openssl rand -base64 32)"`;
  if (!text.startsWith("whsec_")) {
    throw new UsageError(`Invalid ${name}: it does not start with "whsec_"`, hint);
  }
  const b64 = text.slice("whsec_".length);
  let bytes: Uint8Array;
  try {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new Error("not base64");
    bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    throw new UsageError(`Invalid ${name}: what follows "whsec_" is not base64`, hint);
  }
  if (bytes.length < 24 || bytes.length > 64) {
    throw new UsageError(
      `Invalid ${name}: the secret is ${bytes.length} bytes, expected 24 to 64`,
      hint,
    );
  }
  const key = await crypto.subtle.importKey(
    "raw",
    bytes as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return { key };
}

function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** A new message id, the same for every attempt of one message: `msg_` and 32 hex digits. */
export function newMessageId(): string {
  return `msg_${crypto.randomUUID().replaceAll("-", "")}`;
}

/**
 * The Standard Webhooks headers for one attempt: `webhook-id`, `webhook-timestamp` (seconds)
 * and, with a secret, `webhook-signature`.
 */
export async function standardWebhookHeaders(
  id: string,
  timestampSeconds: number,
  body: string,
  secret: WebhookSecret | undefined,
): Promise<Record<string, string>> {
  const ts = String(Math.floor(timestampSeconds));
  const headers: Record<string, string> = { "webhook-id": id, "webhook-timestamp": ts };
  if (secret) {
    const mac = await crypto.subtle.sign(
      "HMAC",
      secret.key,
      new TextEncoder().encode(`${id}.${ts}.${body}`),
    );
    headers["webhook-signature"] = `v1,${base64(new Uint8Array(mac))}`;
  }
  return headers;
}
