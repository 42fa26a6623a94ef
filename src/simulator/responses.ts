/**
 * The simulator's HTTP answers: JSON bodies, error bodies, and the two broken answers
 * (a connection cut mid-body, a truncated body).
 *
 * @module
 */

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };

/** A JSON answer. */
export function jsonResponse(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...JSON_TYPE, ...Object.fromEntries(new Headers(headers)) },
  });
}

/** An error answer: `{"error": {"code", "message"}}`. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: HeadersInit = {},
): Response {
  return jsonResponse({ error: { code, message } }, status, headers);
}

/**
 * A 200 whose body stream fails after a few bytes: the connection is cut mid-response and the
 * client's read of the body fails with a network error.
 */
export function resetResponse(body: string): Response {
  const head = new TextEncoder().encode(body.slice(0, Math.min(16, body.length >> 1)));
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
    },
    pull(controller) {
      controller.error(new Error("simulated connection reset"));
    },
  });
  return new Response(stream, { status: 200, headers: JSON_TYPE });
}

/** A 200 announcing JSON whose body is the first half of `body` (never valid JSON). */
export function malformedResponse(body: string): Response {
  const cut = body.slice(0, Math.max(1, body.length >> 1));
  return new Response(cut, { status: 200, headers: JSON_TYPE });
}
