/** Entry point (placeholder until the CLI lands). */
import { NAME, VERSION } from "./src/version.ts";
if (import.meta.main) console.log(`${NAME} ${VERSION}`);
