/**
 * A real S3-compatible server on loopback for tests: moto's server (`python3 -m moto.server`,
 * installed by `.ci/run` when missing), started on 127.0.0.1 with port 0 and stopped
 * deterministically (`await using`).
 *
 * With `auth: true` the server checks SigV4 signatures and access keys: the helper creates an
 * IAM user with an access key allowed everything, then switches authentication on
 * (`/moto-api/reset-auth`); unknown keys and wrong secrets are then refused with 403.
 *
 * Also a loopback proxy that records requests and can answer some of them itself (faults).
 *
 * @module
 */
import { AwsClient } from "aws4fetch";
import type { Credentials } from "../src/destinations/credentials.ts";

/** A running moto server. */
export interface S3Server extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Keys the server accepts (any pair when `auth` is off). */
  readonly credentials: Credentials;
  createBucket(name: string): Promise<void>;
  /** An object's bytes, or `undefined` when missing. */
  getObject(bucket: string, key: string): Promise<Uint8Array | undefined>;
  /** Keys under `prefix`, sorted. */
  listKeys(bucket: string, prefix?: string): Promise<string[]>;
  deleteObject(bucket: string, key: string): Promise<void>;
  putObject(bucket: string, key: string, body: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link startS3Server}. */
export interface S3ServerOptions {
  /** Check signatures and access keys (default off: moto accepts any credentials). */
  readonly auth?: boolean;
  /** Smallest multipart part accepted (moto's S3_UPLOAD_PART_MIN_SIZE); default 1 KiB. */
  readonly minPartSize?: number;
}

/** Starts moto's server on 127.0.0.1, port 0. */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const command = new Deno.Command("python3", {
    args: ["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
    env: {
      S3_UPLOAD_PART_MIN_SIZE: String(options.minPartSize ?? 1024),
      MOTO_ALLOW_NONEXISTENT_REGION: "true",
      PYTHONUNBUFFERED: "1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  let child: Deno.ChildProcess;
  try {
    child = command.spawn();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    throw new Error("python3 is not installed: run .ci/run, or install python3 and moto[server]");
  }
  let announce!: (port: number) => void;
  const listening = new Promise<number>((resolve) => announce = resolve);
  let log = "";
  // Both pipes are drained until the process ends, so moto never blocks on a full pipe.
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      if (log.length < 20_000) log += chunk;
      const m = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) announce(Number(m[1]));
    }
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await drained;
    })();
  const port = await Promise.race([
    listening,
    child.status.then(async (s) => {
      await drained;
      throw new Error(
        `moto.server exited (${s.code}) before listening (pip install 'moto[server]', or run .ci/run):\n${
          log.slice(-2000)
        }`,
      );
    }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`moto.server did not start:\n${log}`)), 30_000)
    ),
  ]).catch(async (err) => {
    await close();
    throw err;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    const credentials = options.auth
      ? await createIamKey(endpoint)
      : { accessKeyId: "AKIATESTTESTTEST0000", secretAccessKey: "test-secret-not-checked" };
    const s3 = new AwsClient({ ...credentials, service: "s3", region: "us-east-1", retries: 0 });
    const call = async (method: string, path: string, body?: Uint8Array) => {
      const res = await s3.fetch(`${endpoint}${path}`, { method, body: body as BodyInit });
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { status: res.status, bytes };
    };
    const enc = (key: string) => key.split("/").map(encodeURIComponent).join("/");
    return {
      endpoint,
      credentials,
      async createBucket(name) {
        const r = await call("PUT", `/${name}`);
        if (r.status !== 200) throw new Error(`create bucket ${name}: ${r.status}`);
      },
      async getObject(bucket, key) {
        const r = await call("GET", `/${bucket}/${enc(key)}`);
        if (r.status === 404) return undefined;
        if (r.status !== 200) throw new Error(`get ${key}: ${r.status}`);
        return r.bytes;
      },
      async listKeys(bucket, prefix = "") {
        const keys: string[] = [];
        let token = "";
        for (;;) {
          const q = new URLSearchParams({ "list-type": "2", prefix });
          if (token) q.set("continuation-token", token);
          const r = await call("GET", `/${bucket}?${q}`);
          const text = new TextDecoder().decode(r.bytes);
          for (const m of text.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(m[1]);
          token = /<NextContinuationToken>([^<]*)</.exec(text)?.[1] ?? "";
          if (!token) break;
        }
        return keys.sort();
      },
      async deleteObject(bucket, key) {
        await call("DELETE", `/${bucket}/${enc(key)}`);
      },
      async putObject(bucket, key, body) {
        const r = await call("PUT", `/${bucket}/${enc(key)}`, body);
        if (r.status !== 200) throw new Error(`put ${key}: ${r.status}`);
      },
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Creates an IAM user allowed everything and its key, then turns authentication on. */
async function createIamKey(endpoint: string): Promise<Credentials> {
  const boot = new AwsClient({
    accessKeyId: "bootstrap",
    secretAccessKey: "bootstrap",
    service: "iam",
    region: "us-east-1",
    retries: 0,
  });
  const iam = async (params: Record<string, string>) => {
    const res = await boot.fetch(`${endpoint}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...params, Version: "2010-05-08" }).toString(),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`IAM ${params.Action}: ${res.status} ${text}`);
    return text;
  };
  await iam({ Action: "CreateUser", UserName: "tester" });
  const key = await iam({ Action: "CreateAccessKey", UserName: "tester" });
  await iam({
    Action: "PutUserPolicy",
    UserName: "tester",
    PolicyName: "all",
    PolicyDocument: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    }),
  });
  const res = await fetch(`${endpoint}/moto-api/reset-auth`, { method: "POST", body: "0" });
  await res.body?.cancel();
  if (res.status !== 200) throw new Error(`reset-auth: ${res.status}`);
  return {
    accessKeyId: /<AccessKeyId>([^<]+)</.exec(key)![1],
    secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(key)![1],
  };
}

/** One request the proxy saw. */
export interface ProxiedRequest {
  readonly method: string;
  /** The URL as sent (path and query still encoded). */
  readonly url: string;
  /** Path, decoded, without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Headers;
}

/**
 * Decides whether the proxy answers a request itself (a fault) instead of forwarding it:
 * a Response, `"reset"` (the connection is cut mid-answer), or `undefined` to forward.
 */
export type Intercept = (req: ProxiedRequest, index: number) => Response | "reset" | undefined;

/** A running proxy. */
export interface S3Proxy extends AsyncDisposable {
  readonly endpoint: string;
  readonly seen: ProxiedRequest[];
  /** Requests whose method and path match (e.g. every PUT of object keys). */
  puts(): ProxiedRequest[];
  intercept: Intercept | undefined;
  close(): Promise<void>;
}

/** Starts a recording proxy on 127.0.0.1 (port 0) in front of `target`. */
export function startS3Proxy(target: string): S3Proxy {
  const seen: ProxiedRequest[] = [];
  const proxy: S3Proxy = {
    endpoint: "",
    seen,
    intercept: undefined,
    puts: () => seen.filter((r) => r.method === "PUT"),
    close: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => proxy.close(),
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      const body = req.body ? new Uint8Array(await req.arrayBuffer()) : undefined;
      const seenReq: ProxiedRequest = {
        method: req.method,
        url: req.url,
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        headers: req.headers,
      };
      seen.push(seenReq);
      const fault = proxy.intercept?.(seenReq, seen.length - 1);
      if (fault === "reset") {
        return new Response(
          new ReadableStream({ start: (c) => c.error(new Error("reset by the test proxy")) }),
        );
      }
      if (fault) return fault;
      const headers = new Headers(req.headers);
      headers.delete("host");
      const res = await fetch(`${target}${url.pathname}${url.search}`, {
        method: req.method,
        headers,
        body: body as BodyInit | undefined,
        redirect: "manual",
      });
      return new Response(req.method === "HEAD" ? null : await res.arrayBuffer(), {
        status: res.status,
        headers: res.headers,
      });
    },
  );
  Object.assign(proxy, {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    close: () => server.shutdown(),
  });
  return proxy;
}

/**
 * The SigV4 signature botocore (moto's dependency: an independent signer) computes for each
 * request, from the headers the request says it signed: what S3 and GCS check. (moto's own
 * check rebuilds a request decoded, and refuses keys with `=` and query values with `/` that
 * are signed correctly.)
 */
export async function botocoreSignatures(
  requests: readonly ProxiedRequest[],
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<string[]> {
  const child = new Deno.Command("python3", {
    args: [new URL("./destinations/_sigv4_botocore.py", import.meta.url).pathname],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify({
    access: credentials.accessKeyId,
    secret: credentials.secretAccessKey,
    requests: requests.map((r) => ({
      method: r.method,
      url: r.url,
      headers: Object.fromEntries(r.headers),
    })),
  })));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}

/** An S3 error answer, as the store would send it. */
export function s3Error(status: number, code: string, message = code): Response {
  return new Response(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    { status, headers: { "content-type": "application/xml" } },
  );
}
