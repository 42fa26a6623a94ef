/**
 * A local webhook receiver on 127.0.0.1 (port 0) for notification tests: it records every
 * request and answers from a script (status, headers, body, or hang until the client gives up).
 */

/** One scripted answer. `hang`: never answer (until the client disconnects or the test ends). */
export type Answer =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  | { readonly hang: true }
  | ((req: Received) => Response | Promise<Response>);

/** A request the receiver got. */
export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A running receiver; `await using` shuts it down. */
export interface Receiver extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly received: Received[];
}

/**
 * Starts a receiver. Answers are used in order; the last one repeats.
 */
export function startReceiver(answers: Answer[] = [{ status: 200, body: "ok" }]): Receiver {
  const received: Received[] = [];
  const release = Promise.withResolvers<void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const url = new URL(req.url);
      const r: Received = {
        method: req.method,
        path: url.pathname + url.search,
        headers: Object.fromEntries(req.headers),
        body: await req.text(),
      };
      received.push(r);
      const a = answers[Math.min(received.length - 1, answers.length - 1)]!;
      if (typeof a === "function") return await a(r);
      if ("hang" in a) {
        // Answer only when the test ends, long after the client gave up.
        await release.promise;
        return new Response("too late", { status: 200 });
      }
      return new Response(a.body ?? "", { status: a.status, headers: a.headers });
    },
  );
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    received,
    async [Symbol.asyncDispose]() {
      release.resolve();
      await server.shutdown();
    },
  };
}
