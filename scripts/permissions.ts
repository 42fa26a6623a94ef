/**
 * Prints the permission flags (one definition: `src/permissions.ts`) for `deno task`.
 * `deno run --quiet scripts/permissions.ts run` → flags for `deno run`.
 */
import { permissionFlags } from "../src/permissions.ts";

console.log(permissionFlags().join(" "));
