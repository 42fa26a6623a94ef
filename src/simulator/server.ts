/**
 * `startSimulator`: the simulator's handler served on loopback with `Deno.serve`.
 *
 * @module
 */
import { createSimulatorHandler } from "./handler.ts";
import type { Simulator, SimulatorOptions } from "./types.ts";

/** Where the simulator listens: loopback only; port 0 picks a free port. */
export interface ListenOptions {
  port?: number;
  hostname?: "127.0.0.1";
}

/** Starts the simulator on `127.0.0.1` (port 0 by default) and resolves once it listens. */
export function startSimulator(
  options: SimulatorOptions & ListenOptions = {},
): Promise<Simulator> {
  const sim = createSimulatorHandler(options);
  const latencyMs = options.latencyMs ?? 0;
  if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) {
    throw new RangeError(`Invalid latency "${latencyMs}": expected a number of ms, 0 or more`);
  }
  let inFlight = 0;
  let maxInFlight = 0;
  const handler = async (req: Request) => {
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      const res = await sim.handler(req);
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      return res;
    } finally {
      inFlight--;
    }
  };
  const hostname = options.hostname ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      server = Deno.serve({
        hostname,
        port: options.port ?? 0,
        onListen: ({ port }) => {
          let stopped: Promise<void> | undefined;
          const shutdown = () => {
            stopped ??= server.shutdown().then(() => server.finished);
            return stopped;
          };
          resolve({
            url: `http://${hostname}:${port}`,
            port,
            stats: sim.stats,
            get faults() {
              return sim.faults;
            },
            set faults(f) {
              sim.faults = f;
            },
            get maxInFlight() {
              return maxInFlight;
            },
            resetStats: () => {
              sim.resetStats();
              maxInFlight = inFlight;
            },
            shutdown,
            [Symbol.asyncDispose]: shutdown,
          });
        },
        onError: (error) => {
          const message = error instanceof Error ? error.message : String(error);
          return new Response(
            JSON.stringify({ error: { code: "Internal", message: `simulator error: ${message}` } }),
            { status: 500, headers: { "content-type": "application/json; charset=utf-8" } },
          );
        },
      }, handler);
    } catch (e) {
      reject(e);
    }
  });
}
