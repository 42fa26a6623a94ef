/**
 * What the CLI's `simulate` command calls: the simulator on the given loopback port, running
 * until the caller shuts it down (on a signal). Prints nothing.
 *
 * @module
 */
import { type ListenOptions, startSimulator } from "./server.ts";
import type { Simulator, SimulatorOptions } from "./types.ts";

/** Starts the simulator on `127.0.0.1:port` and returns it; the caller stops it. */
export function serveForever(
  options: SimulatorOptions & ListenOptions & { port: number },
): Promise<Simulator> {
  return startSimulator({ ...options, hostname: "127.0.0.1" });
}
