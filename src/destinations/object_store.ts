/**
 * A small S3-protocol client over `fetch`, signed with SigV4 by aws4fetch: PUT, GET, HEAD,
 * ListObjectsV2 and multipart uploads: what mirroring a folder needs, nothing more.
 *
 * Every request signs its payload's SHA-256 (`x-amz-content-sha256`), which the store checks;
 * transient faults (500, 502, 503 SlowDown, 504, 429, 400 RequestTimeout, a corrupted body,
 * connection failures and resets, time-outs) are retried with jittered exponential backoff, a
 * bounded number of times. Errors name the object, never the credentials:
 * 401/403 → {@link AuthError} (exit 3), a missing bucket or anything else → {@link ServiceError}
 * (exit 4); a host the permissions do not allow → {@link UsageError} with the flag to add.
 *
 * @module
 */
import { AwsV4Signer } from "aws4fetch";
import { AuthError, ServiceError, UsageError } from "../errors.ts";
import { systemClock } from "../http/clock.ts";
import type { Clock } from "../http/types.ts";
import type { Credentials } from "./credentials.ts";
import { type Destination, type Endpoint, netHostOf, objectUrl } from "./url.ts";

/** What `onRetry` is told before each retry. */
export interface StoreRetry {
  /** The object key (or the bucket, for a listing). */
  readonly key: string;
  /** The attempt about to be made (2 for the first retry). */
  readonly attempt: number;
  readonly delayMs: number;
  /** Why the previous attempt failed, e.g. `503 SlowDown`. */
  readonly reason: string;
}

/** Options of an {@link ObjectStore}. */
export interface ObjectStoreOptions {
  readonly destination: Destination;
  readonly endpoint: Endpoint;
  readonly credentials: Credentials;
  /** Retries after the first attempt (default 5). */
  readonly maxRetries?: number;
  /** Time-out of one attempt, body included, in milliseconds (default 300 000). */
  readonly requestTimeoutMs?: number;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly signal?: AbortSignal;
  readonly onRetry?: (info: StoreRetry) => void;
}

/** An object as a listing or a HEAD reports it. */
export interface RemoteObject {
  readonly key: string;
  readonly size: number;
  /** The ETag without quotes (an MD5 hex for a single-part, unencrypted upload). */
  readonly etag?: string;
  /** Base64 SHA-256 when the store kept one (`x-amz-checksum-sha256`). */
  readonly sha256?: string;
}

/** One request. */
interface Call {
  readonly method: "GET" | "PUT" | "POST" | "HEAD" | "DELETE";
  /** Object key; "" for the bucket. */
  readonly key: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
  /** The action, for messages: "upload", "read", "list"… */
  readonly action: string;
  /** Statuses that are answers, not failures (e.g. 404 for a HEAD). */
  readonly accept?: readonly number[];
}

/** A completed request: status, headers and the whole body. */
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
/** 400 codes worth another attempt: the body arrived too slowly, or damaged. */
const RETRY_CODES = new Set([
  "RequestTimeout",
  "BadDigest",
  "XAmzContentSHA256Mismatch",
  "InvalidDigest",
  "IncompleteBody",
]);
const AUTH_CODES = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "InvalidClientTokenId",
  "AuthorizationHeaderMalformed",
]);

/** Backoff before retry `n` (1-based): 0.5, 1, 2, 4, 8 s… capped at 20 s, jittered ±25 %. */
export function storeBackoffMs(n: number, random: () => number = Math.random): number {
  const base = Math.min(500 * 2 ** (n - 1), 20_000);
  return Math.round(base * (0.75 + 0.5 * random()));
}

/** Hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Hex SHA-256 of bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource)));
}

/** The `<Code>` and `<Message>` of an S3 error body. */
export function parseErrorBody(body: Uint8Array): { code?: string; message?: string } {
  const text = new TextDecoder().decode(body.subarray(0, 8192));
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]{1,300})<\/Message>/.exec(text)?.[1];
  return { code, message };
}

function unxml(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(
    /&gt;/g,
    ">",
  ).replace(/&amp;/g, "&");
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

function unquote(etag: string | null): string | undefined {
  return etag === null ? undefined : etag.replace(/^W\//, "").replace(/^"|"$/g, "");
}

/** Thrown inside an attempt to ask for another one. */
class Transient extends Error {
  constructor(readonly reason: string, readonly answer?: Answer, options?: ErrorOptions) {
    super(reason, options);
  }
}

/** The S3-protocol client of one destination. */
export class ObjectStore {
  readonly #o: ObjectStoreOptions;
  readonly #clock: Clock;
  readonly #cache = new Map<string, ArrayBuffer>();
  /** Requests sent, retries included. */
  requests = 0;

  constructor(options: ObjectStoreOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** `s3://bucket/key`, for messages. */
  describe(key: string): string {
    const d = this.#o.destination;
    return key ? `${d.scheme}://${d.bucket}/${key}` : `${d.scheme}://${d.bucket}`;
  }

  /** Sends one call, retrying transient faults. */
  async #send(call: Call): Promise<Answer> {
    const maxRetries = this.#o.maxRetries ?? 5;
    const random = this.#o.random ?? Math.random;
    for (let attempt = 1;; attempt++) {
      this.#o.signal?.throwIfAborted();
      let reason: string;
      let last: Answer | undefined;
      let cause: unknown;
      try {
        return await this.#attempt(call);
      } catch (err) {
        if (!(err instanceof Transient)) throw err;
        reason = err.reason;
        last = err.answer;
        cause = err.cause;
      }
      if (attempt > maxRetries) {
        const what = `Cannot ${call.action} "${this.describe(call.key)}"`;
        throw new ServiceError(
          `${what}: ${reason} after ${attempt} attempt${attempt === 1 ? "" : "s"}`,
          {
            status: last?.status,
            code: last ? parseErrorBody(last.body).code : undefined,
            endpoint: this.describe(call.key),
            attempts: attempt,
            cause,
          },
        );
      }
      const delayMs = storeBackoffMs(attempt, random);
      this.#o.onRetry?.({ key: call.key, attempt: attempt + 1, delayMs, reason });
      await this.#clock.sleep(delayMs, this.#o.signal);
    }
  }

  /** One signed attempt: the answer, or {@link Transient}, or a final error. */
  async #attempt(call: Call): Promise<Answer> {
    const { endpoint, destination, credentials } = this.#o;
    const url = objectUrl(endpoint, destination.bucket, call.key, call.query);
    const payloadHash = call.body && call.body.length > 0
      ? await sha256Hex(call.body)
      : EMPTY_SHA256;
    const signer = new AwsV4Signer({
      method: call.method,
      url: url.href,
      // The payload hash is given, so the signer never reads the body.
      headers: { ...call.headers, "x-amz-content-sha256": payloadHash },
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      service: endpoint.service,
      region: endpoint.region,
      cache: this.#cache,
    });
    const signed = await signer.sign();
    const timeout = AbortSignal.timeout(this.#o.requestTimeoutMs ?? 300_000);
    const signal = this.#o.signal ? AbortSignal.any([this.#o.signal, timeout]) : timeout;
    this.requests++;
    let answer: Answer;
    try {
      const res = await fetch(signed.url, {
        method: call.method,
        headers: signed.headers,
        body: call.body as BodyInit | undefined,
        signal,
        redirect: "manual",
      });
      const body = call.method === "HEAD"
        ? new Uint8Array()
        : new Uint8Array(await res.arrayBuffer());
      answer = { status: res.status, headers: res.headers, body };
    } catch (err) {
      if (this.#o.signal?.aborted) throw this.#o.signal.reason;
      if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
        const host = netHostOf(url);
        throw new UsageError(
          `Network access to "${host}" is not allowed`,
          `run with --allow-net=${host} (deno run), or build the binary with that host (see README "Object storage")`,
        );
      }
      const reason = timeout.aborted
        ? "timed out"
        : `connection failed (${err instanceof Error ? err.message.slice(0, 160) : "unknown"})`;
      throw new Transient(reason, undefined, { cause: err });
    }
    if (answer.status >= 200 && answer.status < 300) return answer;
    if (call.accept?.includes(answer.status)) return answer;
    this.#fail(call, answer);
  }

  /** Turns a failed answer into {@link Transient} or the error the user sees. */
  #fail(call: Call, answer: Answer): never {
    const { code, message } = parseErrorBody(answer.body);
    const status = answer.status;
    const label = code ? `${status} ${code}` : `service error ${status}`;
    if (RETRY_STATUSES.has(status) || (status === 400 && code && RETRY_CODES.has(code))) {
      throw new Transient(label, answer);
    }
    const d = this.#o.destination;
    const target = this.describe(call.key);
    const details = { status, code, endpoint: target };
    if (code === "NoSuchBucket" || (status === 404 && call.key === "" && !code)) {
      throw new ServiceError(
        `Bucket "${d.bucket}" does not exist at ${this.#o.endpoint.base.host}: create it, or fix the destination "${d.url}"`,
        details,
      );
    }
    const bucketRegion = answer.headers.get("x-amz-bucket-region");
    if (
      bucketRegion && (status === 301 || code === "PermanentRedirect" ||
        code === "AuthorizationHeaderMalformed" || code === "IllegalLocationConstraintException")
    ) {
      throw new ServiceError(
        `Bucket "${d.bucket}" is in region "${bucketRegion}", not "${this.#o.endpoint.region}": set AWS_REGION=${bucketRegion}`,
        details,
      );
    }
    if (status === 401 || (status === 403 && code && AUTH_CODES.has(code))) {
      throw new AuthError(
        `Object storage refused the credentials for "${d.url}" (${
          code ?? status
        }): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)`,
        status,
        code,
        target,
      );
    }
    if (status === 403) {
      throw new AuthError(
        `Access denied to "${target}" (${
          code ?? status
        }): the credentials need s3:PutObject, s3:GetObject and s3:ListBucket on "${d.bucket}"`,
        status,
        code,
        target,
      );
    }
    const said = message ? `: ${message}` : "";
    throw new ServiceError(`Cannot ${call.action} "${target}": ${label}${said}`, details);
  }

  /** PUT an object whose integrity the store checks (`x-amz-checksum-sha256` or Content-MD5). */
  async putObject(
    key: string,
    body: Uint8Array,
    integrity: Record<string, string>,
    contentType: string,
  ): Promise<void> {
    await this.#send({
      method: "PUT",
      key,
      body,
      headers: { ...integrity, "content-type": contentType },
      action: "upload",
    });
  }

  /** GET an object's bytes; `undefined` when it does not exist. */
  async getObject(key: string): Promise<Uint8Array | undefined> {
    const a = await this.#send({ method: "GET", key, action: "read", accept: [404] });
    if (a.status === 404) {
      if (parseErrorBody(a.body).code === "NoSuchBucket") {
        this.#fail({ method: "GET", key, action: "read" }, a);
      }
      return undefined;
    }
    return a.body;
  }

  /** HEAD an object, asking for its stored checksum; `undefined` when it does not exist. */
  async headObject(key: string): Promise<RemoteObject | undefined> {
    const a = await this.#send({
      method: "HEAD",
      key,
      headers: { "x-amz-checksum-mode": "ENABLED" },
      action: "read",
      accept: [404],
    });
    if (a.status === 404) return undefined;
    return {
      key,
      size: Number(a.headers.get("content-length") ?? "0"),
      etag: unquote(a.headers.get("etag")),
      sha256: a.headers.get("x-amz-checksum-sha256") ?? undefined,
    };
  }

  /** Every object under `prefix` (ListObjectsV2, all pages). */
  async listObjects(prefix: string): Promise<RemoteObject[]> {
    const out: RemoteObject[] = [];
    let token: string | undefined;
    for (let page = 0; page < 100_000; page++) {
      const query: Record<string, string> = { "list-type": "2" };
      if (prefix) query.prefix = prefix;
      if (token) query["continuation-token"] = token;
      const a = await this.#send({ method: "GET", key: "", query, action: "list" });
      const text = new TextDecoder().decode(a.body);
      for (const m of text.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const key = /<Key>([^<]*)<\/Key>/.exec(m[1])?.[1];
        if (key === undefined) continue;
        out.push({
          key: unxml(key),
          size: Number(/<Size>(\d+)<\/Size>/.exec(m[1])?.[1] ?? "0"),
          etag: unquote(unxml(/<ETag>([^<]*)<\/ETag>/.exec(m[1])?.[1] ?? "")) || undefined,
        });
      }
      const truncated = /<IsTruncated>true<\/IsTruncated>/.test(text);
      token = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(text)?.[1];
      if (!truncated || !token) break;
      token = unxml(token);
    }
    return out;
  }

  /** Starts a multipart upload; returns its upload id. */
  async createMultipart(key: string, contentType: string): Promise<string> {
    const a = await this.#send({
      method: "POST",
      key,
      query: { uploads: "" },
      headers: { "content-type": contentType },
      action: "upload",
    });
    const id = /<UploadId>([^<]+)<\/UploadId>/.exec(new TextDecoder().decode(a.body))?.[1];
    if (!id) {
      throw new ServiceError(`Cannot upload "${this.describe(key)}": no upload id in the answer`, {
        endpoint: this.describe(key),
      });
    }
    return unxml(id);
  }

  /** Uploads one part (Content-MD5 checked by the store); returns its ETag. */
  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    contentMd5: string,
  ): Promise<string> {
    const a = await this.#send({
      method: "PUT",
      key,
      query: { partNumber: String(partNumber), uploadId },
      headers: { "content-md5": contentMd5 },
      body,
      action: `upload part ${partNumber} of`,
    });
    const etag = a.headers.get("etag");
    if (!etag) {
      throw new ServiceError(
        `Cannot upload part ${partNumber} of "${this.describe(key)}": no ETag in the answer`,
        { endpoint: this.describe(key) },
      );
    }
    return etag;
  }

  /** Completes a multipart upload from its parts' ETags (in order). */
  async completeMultipart(key: string, uploadId: string, etags: readonly string[]): Promise<void> {
    const xml = `<CompleteMultipartUpload>${
      etags.map((e, i) =>
        `<Part><PartNumber>${i + 1}</PartNumber><ETag>${xmlEscape(e)}</ETag></Part>`
      )
        .join("")
    }</CompleteMultipartUpload>`;
    const a = await this.#send({
      method: "POST",
      key,
      query: { uploadId },
      headers: { "content-type": "application/xml" },
      body: new TextEncoder().encode(xml),
      action: "complete the upload of",
    });
    // S3 may answer 200 and put the error in the body.
    const { code, message } = parseErrorBody(a.body);
    if (code) {
      throw new ServiceError(
        `Cannot complete the upload of "${this.describe(key)}": ${code}${
          message ? `: ${message}` : ""
        }`,
        { status: a.status, code, endpoint: this.describe(key) },
      );
    }
  }

  /** Aborts a multipart upload; failures are ignored (the store expires it). */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.#send({
        method: "DELETE",
        key,
        query: { uploadId },
        action: "abort the upload of",
        accept: [404],
      });
    } catch {
      // best effort
    }
  }
}
