/**
 * The built-in Augment Analytics API simulator: deterministic synthetic data served over
 * loopback with the documented endpoints, rules and errors, plus injectable faults.
 *
 * @module
 */
export {
  type Faults,
  type SimMetrics,
  type SimRecord,
  type Simulator,
  SIMULATOR_TOKEN,
  type SimulatorOptions,
  type SimulatorStats,
  type WireMetrics,
} from "./types.ts";
export { createSimulatorHandler, type SimulatorHandler } from "./handler.ts";
export { type ListenOptions, startSimulator } from "./server.ts";
export { serveForever } from "./serve.ts";
export { generateDayRecords, roster, type SimIdentity } from "./data.ts";
export { isPublished, PUBLICATION_DELAY_MS, UNKNOWN_COUNTER } from "./dataset.ts";
