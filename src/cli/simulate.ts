/**
 * `augment-metrics simulate`: the built-in Analytics API on loopback, until ^C.
 *
 * @module
 */
import { SIMULATOR_TOKEN, startSimulator } from "../simulator/mod.ts";
import type { CommandContext } from "./context.ts";

/** Options of `simulate`. */
export interface SimulateFlags {
  port?: number;
  seed?: number;
  users?: number;
  rateLimit?: boolean;
  /** `false`: the credits and cost endpoints answer 404 (`--no-credits`). */
  credits?: boolean;
}

/** Serves the simulator until the run is interrupted. */
export async function simulateCommand(flags: SimulateFlags, ctx: CommandContext): Promise<void> {
  const sim = await startSimulator({
    hostname: "127.0.0.1",
    port: flags.port ?? 0,
    seed: flags.seed ?? 1,
    users: flags.users ?? 25,
    now: ctx.now,
    rateLimit: flags.rateLimit === false ? false : { perMinute: 10, burst: 20 },
    faults: flags.credits === false ? { creditsDisabled: true } : {},
  });
  try {
    ctx.output.result(
      [
        `Augment Analytics simulator listening on ${sim.url}`,
        `Use it with:`,
        `  export AUGMENT_API_BASE_URL=${sim.url}`,
        `  export AUGMENT_API_TOKEN=${SIMULATOR_TOKEN}`,
        `Press ^C to stop.`,
      ].join("\n"),
      { event: "simulate", url: sim.url, port: sim.port },
    );
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    ctx.output.info(`Simulator stopped after ${sim.stats.requests} requests`);
  } finally {
    await sim.shutdown();
  }
}
