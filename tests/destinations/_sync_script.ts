/**
 * Runs syncToDestination() configured from the environment, the way the CLI will, so tests can
 * run it under exact permission flags: prints the result, or the error and its hint.
 */
import { exitCodeOf } from "../../src/errors.ts";
import { parseDestination, syncToDestination } from "../../src/destinations/mod.ts";

try {
  const result = await syncToDestination(parseDestination(Deno.args[0]), {
    outputDir: Deno.args[1],
  });
  console.log(JSON.stringify(result));
} catch (err) {
  const hint = (err as { hint?: string }).hint;
  console.error(err instanceof Error ? `${err.message}${hint ? `\nhint: ${hint}` : ""}` : err);
  Deno.exit(exitCodeOf(err));
}
