/**
 * A real local HTTP server (127.0.0.1, port 0) that answers each request with the next step
 * of a script, for testing the HTTP client's faults without mocking `fetch`.
 *
 * @module
 */

/** What the server saw of one request. */
export interface SeenRequest {
  readonly url: URL;
  readonly headers: Headers;
}

/** One scripted answer; it may wait on `hold` (released at shutdown) to never answer. */
export type Step = (req: Request, hold: Promise<void>) => Response | Promise<Response>;

/** A running scripted server. */
export interface ScriptedServer extends AsyncDisposable {
  readonly url: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** Starts a server answering with `steps` in order; the last step repeats. */
export function scriptedServer(steps: Step[]): ScriptedServer {
  const requests: SeenRequest[] = [];
  let release!: () => void;
  const hold = new Promise<void>((r) => release = r);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => {
      const step = steps[Math.min(requests.length, steps.length - 1)];
      requests.push({ url: new URL(req.url), headers: req.headers });
      return step(req, hold);
    },
  );
  let closed: Promise<void> | undefined;
  const close = () => {
    release();
    closed ??= server.shutdown();
    return closed;
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A JSON answer. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Step {
  return () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });
}

/** A raw text answer. */
export function text(body: string, status = 200, headers: Record<string, string> = {}): Step {
  return () => new Response(body, { status, headers });
}

/** Never answers (until the server shuts down or the client goes away). */
export function never(): Step {
  return async (_req, hold) => {
    await hold;
    return new Response("late", { status: 503 });
  };
}

/** A raw TCP server that answers each connection with the next raw HTTP text, then closes. */
export interface RawServer extends AsyncDisposable {
  readonly url: string;
  /** Connections accepted so far. */
  readonly connections: () => number;
}

/**
 * Starts a raw server: connection `i` reads the request head, is sent `answers[i]` (the last
 * repeats) as is, and is closed. Lets a test cut a body short of its `Content-Length`.
 */
export function rawServer(answers: string[]): RawServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let count = 0;
  const serving = (async () => {
    for await (const conn of listener) {
      const answer = answers[Math.min(count, answers.length - 1)];
      count++;
      try {
        const buf = new Uint8Array(16_384);
        let head = "";
        while (!head.includes("\r\n\r\n")) {
          const n = await conn.read(buf);
          if (n === null) break;
          head += new TextDecoder().decode(buf.subarray(0, n));
        }
        await conn.write(new TextEncoder().encode(answer));
      } catch {
        // the client went away
      } finally {
        conn.close();
      }
    }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    connections: () => count,
    async [Symbol.asyncDispose]() {
      listener.close();
      await serving.catch(() => {});
    },
  };
}

/** A raw HTTP/1.1 answer with a JSON body. */
export function rawJson(body: unknown): string {
  const text = JSON.stringify(body);
  return `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${
    new TextEncoder().encode(text).length
  }\r\nconnection: close\r\n\r\n${text}`;
}

/** A raw answer that promises 500 bytes of body and sends 30 before the connection closes. */
export const CUT_MID_BODY = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" +
  'content-length: 500\r\nconnection: close\r\n\r\n{"users": [{"user_email": "a@';
