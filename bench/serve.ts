/**
 * `serve` under load: requests per second and p50/p99 latency of the 28-day entity report (its
 * endpoint, and its signed download with gzip, without, and as a 304) and of the legacy metrics
 * endpoint, with concurrent keep-alive loopback clients, against the bundle run as users run it
 * (its own process, the binary's permissions), over an output folder of a 10 000-identity
 * organisation written by the real views. RSS of the server before and after the load. Bounded:
 * a fixed time per scenario.
 *
 * `deno run -A bench/serve.ts --minutes N` (after `deno task bundle`): the long run, the same
 * server under a dashboard's mix of requests for N minutes, its RSS sampled every minute.
 *
 * Targets (issue #11): ≥ 1 000 requests/s for a cached report, p99 ≤ 50 ms, RSS flat.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { addDays, eachDay } from "../src/model/dates.ts";
import { runFlags } from "../src/permissions.ts";
import { OutputDir } from "../src/views/output_dir.ts";
import { viewsFor } from "../src/views/registry.ts";
import { render } from "../src/views/render.ts";
import { type BenchTable, generateBenchDay } from "./conversion.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const BUNDLE = join(ROOT, "dist", "augment-metrics.js");
const TOKEN = "bench-client-token-0123456789abcdef";

/** What one scenario measured. */
export interface LoadResult {
  readonly name: string;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly bytes: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const CRLF2 = new Uint8Array([13, 10, 13, 10]);

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  outer: for (let i = from; i <= to - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * One keep-alive HTTP/1.1 connection, as a dashboard's HTTP client holds one: sends a GET, reads
 * the status line, headers and the body (Content-Length or chunked) to its end, counts the bytes
 * on the wire and never decompresses (`fetch` would gunzip every body in the load generator,
 * which then measures itself rather than the server).
 */
export class KeepAliveClient {
  #buf = new Uint8Array(256 * 1024);
  #start = 0;
  #end = 0;
  readonly #enc = new TextEncoder();
  readonly #dec = new TextDecoder();

  private constructor(private readonly conn: Deno.TcpConn, private readonly host: string) {}

  static async open(base: string): Promise<KeepAliveClient> {
    const u = new URL(base);
    const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
    conn.setNoDelay(true);
    return new KeepAliveClient(conn, u.host);
  }

  close(): void {
    try {
      this.conn.close();
    } catch { /* closed already */ }
  }

  async #fill(): Promise<void> {
    if (this.#start === this.#end) this.#start = this.#end = 0;
    else if (this.#end === this.#buf.length) {
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    const n = await this.conn.read(this.#buf.subarray(this.#end));
    if (n === null) throw new Error("connection closed by the server");
    this.#end += n;
  }

  async #line(): Promise<string> {
    for (;;) {
      const i = this.#buf.subarray(this.#start, this.#end).indexOf(10);
      if (i >= 0) {
        const text = this.#dec.decode(this.#buf.subarray(this.#start, this.#start + i)).trim();
        this.#start += i + 1;
        return text;
      }
      await this.#fill();
    }
  }

  async #skip(n: number): Promise<void> {
    while (n > 0) {
      if (this.#start === this.#end) await this.#fill();
      const take = Math.min(n, this.#end - this.#start);
      this.#start += take;
      n -= take;
    }
  }

  /** GET `pathAndQuery`; the status and the body's size on the wire. */
  async get(
    pathAndQuery: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; bytes: number }> {
    const head = [`GET ${pathAndQuery} HTTP/1.1`, `host: ${this.host}`];
    for (const [k, v] of Object.entries(headers)) head.push(`${k}: ${v}`);
    const req = this.#enc.encode(head.join("\r\n") + "\r\n\r\n");
    for (let off = 0; off < req.length;) off += await this.conn.write(req.subarray(off));
    let at: number;
    while ((at = indexOf(this.#buf, CRLF2, this.#start, this.#end)) < 0) await this.#fill();
    const lines = this.#dec.decode(this.#buf.subarray(this.#start, at)).split("\r\n");
    this.#start = at + 4;
    const status = Number(lines[0].split(" ")[1]);
    let length = -1;
    let chunked = false;
    for (const l of lines.slice(1)) {
      const c = l.indexOf(":");
      const name = l.slice(0, c).trim().toLowerCase();
      const value = l.slice(c + 1).trim();
      if (name === "content-length") length = Number(value);
      if (name === "transfer-encoding") chunked = /chunked/i.test(value);
    }
    if (status === 204 || status === 304) return { status, bytes: 0 };
    if (!chunked) {
      if (length < 0) throw new Error(`no Content-Length in the answer to ${pathAndQuery}`);
      await this.#skip(length);
      return { status, bytes: length };
    }
    let bytes = 0;
    for (;;) {
      const size = parseInt(await this.#line(), 16);
      if (size === 0) {
        while ((await this.#line()) !== "");
        return { status, bytes };
      }
      await this.#skip(size + 2);
      bytes += size;
    }
  }
}

/** `clients` keep-alive connections fetching `url` for `seconds`, each body read to its end. */
export async function load(
  name: string,
  url: string,
  headers: Record<string, string>,
  clients: number,
  seconds: number,
  expectStatus = 200,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const u = new URL(url);
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async () => {
    let client = await KeepAliveClient.open(u.origin);
    while (performance.now() < until) {
      const t = performance.now();
      try {
        const res = await client.get(u.pathname + u.search, headers);
        if (res.status !== expectStatus) errors++;
        bytes += res.bytes;
      } catch {
        errors++;
        client.close();
        client = await KeepAliveClient.open(u.origin);
      }
      latencies.push(performance.now() - t);
    }
    client.close();
  }));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    errors,
    seconds: elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    bytes,
  };
}

function rssOf(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1);

/** A `serve` of the bundle over a written 10 000-identity folder, and the URLs to load. */
interface Served extends AsyncDisposable {
  readonly pid: number;
  readonly base: string;
  readonly auth: Record<string, string>;
  /** The 28-day entity report endpoint (its answer: the signed link). */
  readonly reportUrl: string;
  /** The signed download of the 28-day entity report (1.2 MB of JSON). */
  readonly entityUrl: string;
  readonly legacyUrl: string;
  readonly usersUrl: string;
  readonly etag: string;
}

async function startServed(identities: number, days: number): Promise<Served> {
  await Deno.stat(BUNDLE).catch(() => {
    throw new Error(`${BUNDLE} is missing: run "deno task bundle" first`);
  });
  const dir = await Deno.makeTempDir({ prefix: "bench_serve_" });
  const end = "2026-03-28";
  const range = { start: addDays(end, -(days - 1)), end };
  let child: Deno.ChildProcess | undefined;
  const close = async () => {
    if (child) {
      child.kill("SIGTERM");
      await child.status;
    }
    await Deno.remove(dir, { recursive: true });
  };
  try {
    await render({
      out: new OutputDir(dir),
      views: viewsFor(["copilot", "usage-metrics"], { enterpriseId: "bench", aggregate: false }),
      source: {
        info: () => Promise.resolve({ version: "bench", counters: [], final: true }),
        get: (day) => Promise.resolve(generateBenchDay(day, identities)),
      },
      days: [...eachDay(range.start, range.end)],
      targets: [{ name: "latest", dir: "latest", range }],
      enterpriseId: "bench",
      createdAt: "2026-03-29T04:00:00.000Z",
      oldest: range.start,
    });
    child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...runFlags(),
        BUNDLE,
        "serve",
        "--listen",
        "127.0.0.1:0",
        "-o",
        dir,
        "--no-access-log",
      ],
      env: { HOME: dir, AUGMENT_SERVE_TOKENS: TOKEN, NO_COLOR: "1" },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    let base: string | undefined;
    while (!base) {
      const { value, done } = await out.read();
      if (done) throw new Error(`serve did not start: ${text}`);
      text += value;
      base = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
    }
    out.releaseLock();
    child.stdout.cancel().catch(() => {});
    const auth = { authorization: `Bearer ${TOKEN}` };
    const reportUrl = `${base}/orgs/augment/copilot/metrics/reports/organization-28-day/latest`;
    const linkOf = async (u: string) =>
      (await (await fetch(u, { headers: auth })).json()).download_links[0] as string;
    const entityUrl = await linkOf(reportUrl);
    const usersUrl = await linkOf(
      `${base}/orgs/augment/copilot/metrics/reports/users-1-day?day=${end}`,
    );
    const legacyUrl = `${base}/orgs/augment/copilot/metrics`;
    // Warm the caches (the first request renders).
    for (const u of [entityUrl, legacyUrl]) {
      await (await fetch(u, { headers: auth })).arrayBuffer();
    }
    const etag = (await fetch(entityUrl).then(async (r) => {
      await r.arrayBuffer();
      return r.headers.get("etag");
    }))!;
    const pid = child.pid;
    return {
      pid,
      base,
      auth,
      reportUrl,
      entityUrl,
      legacyUrl,
      usersUrl,
      etag,
      [Symbol.asyncDispose]: close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Runs the section: writes the folder, starts `serve`, loads it. */
export async function serveBench(
  o: { identities?: number; days?: number; clients?: number; seconds?: number } = {},
): Promise<BenchTable> {
  const identities = o.identities ?? 10_000;
  const days = o.days ?? 28;
  const clients = o.clients ?? 16;
  const seconds = o.seconds ?? 3;
  await using s = await startServed(identities, days);
  const rssBefore = rssOf(s.pid);
  const gz = { "accept-encoding": "gzip" };
  const results = [
    await load("28-day entity report endpoint (links)", s.reportUrl, s.auth, clients, seconds),
    await load(
      "28-day entity report download, If-None-Match (304)",
      s.entityUrl,
      { "if-none-match": s.etag },
      clients,
      seconds,
      304,
    ),
    await load("28-day entity report download, gzip", s.entityUrl, gz, clients, seconds),
    await load("28-day entity report download, identity", s.entityUrl, {}, clients, seconds),
    await load(
      "legacy /copilot/metrics (28 days), gzip",
      s.legacyUrl,
      { ...s.auth, ...gz },
      clients,
      seconds,
    ),
    await load(
      "legacy /copilot/metrics (28 days), identity",
      s.legacyUrl,
      s.auth,
      clients,
      seconds,
    ),
    await load(
      "legacy /copilot/metrics?per_page=7, identity",
      `${s.legacyUrl}?per_page=7`,
      s.auth,
      clients,
      seconds,
    ),
  ];
  const rssAfter = rssOf(s.pid);
  return {
    title: `serve: ${clients} concurrent keep-alive loopback clients, ${seconds}s each, ` +
      `${identities} identities × ${days} days`,
    header: ["scenario", "requests/s", "p50 ms", "p99 ms", "errors", "KB/request", "MB/s"],
    rows: results.map((r) => [
      r.name,
      (r.requests / r.seconds).toFixed(0),
      r.p50Ms.toFixed(1),
      r.p99Ms.toFixed(1),
      String(r.errors),
      (r.bytes / Math.max(1, r.requests) / 1024).toFixed(1),
      (r.bytes / r.seconds / 1024 / 1024).toFixed(0),
    ]),
    numeric: new Set([1, 2, 3, 4, 5, 6]),
    notes: [
      `server RSS before the load ${mb(rssBefore)} MB, after ${mb(rssAfter)} MB`,
      "targets: ≥ 1000 requests/s for a cached report, p99 ≤ 50 ms, RSS flat",
      "KB/request: bytes on the wire (gzip: compressed; the client does not decompress)",
      "server and clients share the machine's 2 cores (the clients cost CPU too)",
    ],
  };
}

/**
 * The long run: `clients` keep-alive clients cycling through what a dashboard asks (report
 * endpoint, its gzip and identity downloads, the legacy endpoint, a 10 000-row users file, 304s)
 * for `minutes`, the server's RSS sampled every minute. A leak shows as a rising RSS column.
 */
export async function serveSoak(
  o: { minutes: number; identities?: number; days?: number; clients?: number },
): Promise<BenchTable> {
  const identities = o.identities ?? 10_000;
  const clients = o.clients ?? 4;
  await using s = await startServed(identities, o.days ?? 28);
  const gz = { "accept-encoding": "gzip" };
  const mix: [string, Record<string, string>][] = [
    [s.reportUrl, s.auth],
    [s.entityUrl, gz],
    [s.entityUrl, { "if-none-match": s.etag }],
    [s.legacyUrl, { ...s.auth, ...gz }],
    [s.reportUrl, { ...s.auth, "x-github-api-version": "2026-03-10" }],
    [s.entityUrl, {}],
    [`${s.legacyUrl}?per_page=7&page=2`, s.auth],
  ];
  const rows: string[][] = [];
  const rss: number[] = [rssOf(s.pid)];
  rows.push(["0", "-", "-", "-", "-", mb(rss[0])]);
  let i = 0;
  for (let minute = 1; minute <= o.minutes; minute++) {
    const until = performance.now() + 60_000;
    const latencies: number[] = [];
    let errors = 0;
    await Promise.all(Array.from({ length: clients }, async () => {
      const client = await KeepAliveClient.open(s.base);
      try {
        while (performance.now() < until) {
          const n = i++;
          // Every 200th request: the users file (a stream of 10 000 rows).
          const [url, headers] = n % 200 === 199 ? [s.usersUrl, gz] : mix[n % mix.length];
          const u = new URL(url);
          const t = performance.now();
          const r = await client.get(u.pathname + u.search, headers);
          if (r.status !== 200 && r.status !== 304) errors++;
          latencies.push(performance.now() - t);
        }
      } finally {
        client.close();
      }
    }));
    latencies.sort((a, b) => a - b);
    rss.push(rssOf(s.pid));
    const row = [
      String(minute),
      (latencies.length / 60).toFixed(0),
      percentile(latencies, 0.5).toFixed(1),
      percentile(latencies, 0.99).toFixed(1),
      String(errors),
      mb(rss.at(-1)!),
    ];
    rows.push(row);
    console.error(`minute ${row.join("  ")}`);
  }
  const loaded = rss.slice(1);
  return {
    title: `serve under load for ${o.minutes} min: ${clients} keep-alive loopback clients, ` +
      `${identities} identities (report endpoint, gzip/identity/304 downloads, legacy, users)`,
    header: ["minute", "requests/s", "p50 ms", "p99 ms", "errors", "RSS MB"],
    rows,
    numeric: new Set([0, 1, 2, 3, 4, 5]),
    notes: [
      `RSS: before ${mb(rss[0])} MB, after minute 1 ${mb(loaded[0])} MB, last ${
        mb(loaded.at(-1)!)
      } MB, max ${mb(Math.max(...loaded))} MB`,
    ],
  };
}

if (import.meta.main) {
  const { table } = await import("../src/cli/output.ts");
  const at = Deno.args.indexOf("--minutes");
  const minutes = at >= 0 ? Number(Deno.args[at + 1]) : undefined;
  if (minutes !== undefined && !(Number.isInteger(minutes) && minutes >= 1)) {
    console.error(`Invalid --minutes "${Deno.args[at + 1]}": expected a whole number from 1`);
    Deno.exit(2);
  }
  const t = minutes ? await serveSoak({ minutes }) : await serveBench();
  const notes = (t.notes ?? []).map((n) => `  ${n}\n`).join("");
  console.log(`${t.title}\n\n${table([t.header, ...t.rows], t.numeric ?? new Set())}\n${notes}`);
}
