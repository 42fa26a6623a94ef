/**
 * Destination URLs: `s3://bucket/prefix` (AWS S3 and S3-compatible stores) and
 * `gs://bucket/prefix` (Google Cloud Storage through its S3-compatible XML API), and where the
 * objects of a destination live over HTTP.
 *
 * A URL never holds credentials: they come from the standard AWS variables or the shared
 * credentials file (see `credentials.ts`).
 *
 * @module
 */
import * as z from "zod";
import { UsageError } from "../errors.ts";

/** The URL forms accepted, for messages. */
export const DESTINATION_FORMS = "s3://bucket[/prefix] or gs://bucket[/prefix]";

/** A parsed destination. */
export interface Destination {
  /** The destination as normalised text, e.g. `s3://bucket/exports/augment`. */
  readonly url: string;
  readonly scheme: "s3" | "gs";
  readonly bucket: string;
  /** Key prefix without leading or trailing slash; empty for the bucket's root. */
  readonly prefix: string;
}

/** S3 bucket names: 3–63 lowercase letters, digits, dots and hyphens, letter or digit at the ends. */
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** GCS bucket names: as S3, plus underscores, and up to 222 characters when dotted. */
const GS_BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

const prefixSchema = z.string().refine(
  (p) => p === "" || p.split("/").every((s) => s !== "" && s !== "." && s !== ".."),
  'the prefix has an empty, "." or ".." segment',
).refine(
  // deno-lint-ignore no-control-regex
  (p) => !/[\x00-\x1f\x7f\\]/.test(p),
  "the prefix has a control character or a backslash",
).refine((p) => new TextEncoder().encode(p).length <= 512, "the prefix is longer than 512 bytes");

const destinationSchema = z.discriminatedUnion("scheme", [
  z.object({
    scheme: z.literal("s3"),
    bucket: z.string().regex(
      S3_BUCKET,
      "the bucket name must be 3 to 63 lowercase letters, digits, dots or hyphens",
    ),
    prefix: prefixSchema,
  }),
  z.object({
    scheme: z.literal("gs"),
    bucket: z.string().regex(
      GS_BUCKET,
      "the bucket name must be 3 to 222 lowercase letters, digits, dots, hyphens or underscores",
    ),
    prefix: prefixSchema,
  }),
]);

/**
 * Parses `s3://bucket/prefix` or `gs://bucket/prefix`. A trailing slash is ignored.
 * Throws {@link UsageError} (exit 2) naming the problem and the accepted forms; the message
 * never repeats a user-info part (`user:secret@`), which is refused.
 */
export function parseDestination(text: string): Destination {
  const raw = text.trim();
  const fail = (problem: string): never => {
    throw new UsageError(
      `Invalid destination ${describe(raw)}: ${problem}`,
      `use ${DESTINATION_FORMS}; credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE`,
    );
  };
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)([?#].*)?$/.exec(raw);
  if (!match) return fail(`expected ${DESTINATION_FORMS}`);
  const [, schemeText, authority, pathText, rest] = match;
  const scheme = schemeText.toLowerCase();
  if (scheme !== "s3" && scheme !== "gs") {
    return fail(`the scheme "${scheme}" is not supported, expected s3:// or gs://`);
  }
  if (authority.includes("@")) {
    return fail("a destination URL must not hold credentials");
  }
  if (rest !== undefined) return fail("a destination URL has no query string or fragment");
  if (authority === "") return fail("the bucket name is missing");
  let prefix = pathText.replace(/^\//, "").replace(/\/$/, "");
  try {
    prefix = decodeURIComponent(prefix);
  } catch {
    return fail("the prefix has a malformed %-escape");
  }
  const parsed = destinationSchema.safeParse({ scheme, bucket: authority, prefix });
  if (!parsed.success) return fail(parsed.error.issues[0].message);
  const { bucket } = parsed.data;
  return {
    url: `${scheme}://${bucket}${prefix ? `/${prefix}` : ""}`,
    scheme: parsed.data.scheme,
    bucket,
    prefix,
  };
}

/** The URL quoted for a message, with any user-info part replaced by `***`. */
function describe(raw: string): string {
  const safe = raw.replace(/^([^:]*:\/\/)[^/?#]*@/, "$1***@");
  return `"${safe.length > 200 ? `${safe.slice(0, 200)}…` : safe}"`;
}

/** The object key of a file: the destination's prefix joined with the file's relative path. */
export function objectKey(dest: Destination, relativePath: string): string {
  return dest.prefix ? `${dest.prefix}/${relativePath}` : relativePath;
}

/** How the objects of one destination are reached. */
export interface Endpoint {
  /** The base URL: the bucket's virtual host, or the service's root for path-style. */
  readonly base: URL;
  /** Whether the bucket name is the first path segment (path-style addressing). */
  readonly pathStyle: boolean;
  /** SigV4 region ("auto" for GCS). */
  readonly region: string;
  /** SigV4 service name: "s3" for both S3 and GCS interoperability. */
  readonly service: "s3";
}

/** What the endpoint depends on besides the destination. */
export interface EndpointSettings {
  /** The region (AWS_REGION, AWS_DEFAULT_REGION or the profile's); `us-east-1` when absent. */
  readonly region?: string;
  /** A custom S3 endpoint (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL); path-style when set. */
  readonly endpointUrl?: string;
}

/** The GCS XML API host. */
export const GCS_HOST = "storage.googleapis.com";

const REGION = /^[a-z0-9-]{1,40}$/;

/**
 * Where the destination's objects are: for `s3://` the custom endpoint (path-style) when set,
 * else AWS's virtual-hosted `https://<bucket>.s3.<region>.amazonaws.com` (path-style on
 * `s3.<region>.amazonaws.com` for a bucket with dots, whose name breaks TLS on a virtual host);
 * for `gs://` path-style on `https://storage.googleapis.com` with region "auto".
 * Throws {@link UsageError} on a malformed endpoint or region.
 */
export function endpointOf(dest: Destination, settings: EndpointSettings = {}): Endpoint {
  if (dest.scheme === "gs") {
    return {
      base: new URL(`https://${GCS_HOST}/`),
      pathStyle: true,
      region: "auto",
      service: "s3",
    };
  }
  const region = settings.region?.trim() || "us-east-1";
  if (!REGION.test(region)) {
    throw new UsageError(
      `Invalid AWS region "${region.slice(0, 60)}"`,
      "set AWS_REGION to a region name such as eu-west-1 (or auto for R2)",
    );
  }
  if (settings.endpointUrl !== undefined && settings.endpointUrl.trim() !== "") {
    return {
      base: parseEndpointUrl(settings.endpointUrl.trim()),
      pathStyle: true,
      region,
      service: "s3",
    };
  }
  if (dest.bucket.includes(".")) {
    return {
      base: new URL(`https://s3.${region}.amazonaws.com/`),
      pathStyle: true,
      region,
      service: "s3",
    };
  }
  return {
    base: new URL(`https://${dest.bucket}.s3.${region}.amazonaws.com/`),
    pathStyle: false,
    region,
    service: "s3",
  };
}

/** Validates AWS_ENDPOINT_URL_S3: http(s), no credentials, no query; a path prefix is kept. */
function parseEndpointUrl(text: string): URL {
  const fail = (problem: string): never => {
    throw new UsageError(
      `Invalid AWS_ENDPOINT_URL_S3: ${problem}`,
      "set it to the store's base URL, e.g. https://minio.example.com:9000 or https://<account>.r2.cloudflarestorage.com",
    );
  };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail("not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return fail(`the scheme "${url.protocol.slice(0, -1)}" is not http or https`);
  }
  if (url.username || url.password) return fail("it must not hold credentials");
  if (url.search || url.hash) return fail("it has a query string or fragment");
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

/** RFC 3986 encoding of one key segment (S3's canonical form: only A-Z a-z 0-9 - _ . ~ bare). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The HTTP URL of an object (or of the bucket when `key` is empty), with `query` appended. */
export function objectUrl(
  endpoint: Endpoint,
  bucket: string,
  key: string,
  query: Record<string, string> = {},
): URL {
  const path = key.split("/").map(encodeSegment).join("/");
  const tail = endpoint.pathStyle ? `${encodeSegment(bucket)}/${path}` : path;
  const url = new URL(endpoint.base.href + tail);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url;
}

/** The `host[:port]` a URL connects to, as `--allow-net` spells it (port always explicit). */
export function netHostOf(url: URL): string {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.hostname}:${port}`;
}
