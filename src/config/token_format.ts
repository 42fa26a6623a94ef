/**
 * The shape a service-account token must have before it is sent in an `Authorization`
 * header. Shared by the settings (a bad `AUGMENT_API_TOKEN` fails at start-up) and the
 * authentication layer (credentials file, `auth login`). Pure; never returns the token.
 *
 * @module
 */

/** Shortest plausible token. */
export const TOKEN_MIN_LENGTH = 16;
/** Longest plausible token. */
export const TOKEN_MAX_LENGTH = 4096;

/** The accepted form, for messages. */
export const TOKEN_FORM =
  `expected the service-account token as one word of ${TOKEN_MIN_LENGTH} to ${TOKEN_MAX_LENGTH} ` +
  "printable ASCII characters";

/**
 * What is wrong with `token` (e.g. "contains whitespace"), or `undefined` when its format is
 * plausible. The answer never quotes the token.
 */
export function tokenProblem(token: string): string | undefined {
  if (token === "") return "is empty";
  if (/\s/.test(token)) return "contains whitespace";
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(token)) return "contains control characters";
  if (/[^\x21-\x7e]/.test(token)) return "contains non-ASCII characters";
  if (token.length < TOKEN_MIN_LENGTH) return `is shorter than ${TOKEN_MIN_LENGTH} characters`;
  if (token.length > TOKEN_MAX_LENGTH) return `is longer than ${TOKEN_MAX_LENGTH} characters`;
  return undefined;
}
