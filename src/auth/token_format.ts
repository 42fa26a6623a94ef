/**
 * The format check of a token from any source (environment, `.env`, credentials file, stdin,
 * prompt) before it is used or saved. The rule itself lives in `config/token_format.ts`.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { TOKEN_FORM, tokenProblem } from "../config/token_format.ts";

/**
 * Throws a one-line `UsageError` when `token` is empty, holds whitespace, control or
 * non-ASCII characters, or is not 16 to 4096 characters long. The message names `source`
 * (e.g. `stdin`, `credentials file "…"`) and never the token.
 */
export function checkTokenFormat(token: string, source: string): void {
  const problem = tokenProblem(token);
  if (problem !== undefined) {
    throw new UsageError(`Invalid token from ${source}: ${problem}; ${TOKEN_FORM}`);
  }
}
