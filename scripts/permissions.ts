/**
 * Prints the run flags (permissions and V8 settings; one definition: `src/permissions.ts`) for
 * `deno task`.
 * `deno run --quiet scripts/permissions.ts run` → flags for `deno run`.
 */
import { runFlags } from "../src/permissions.ts";

console.log(runFlags().join(" "));
