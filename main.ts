/**
 * augment-metrics: export Augment Code usage from the Augment Analytics API in GitHub
 * Copilot metrics formats.
 *
 * @module
 */
import { main } from "./src/cli/main.ts";

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
