/**
 * The one definition of the permissions the program runs with: `deno task start`, the
 * compiled binary, the bundle the tests run and the README all use these flags.
 *
 * - network: the Analytics API host and loopback (simulator, tests) only;
 * - environment: only the variables the tool reads, every other one reads as undefined;
 * - files: read and write (output directory, local store and credentials file are chosen
 *   at run time, so they cannot be listed at build time; the code writes nowhere else);
 * - no subprocesses, no FFI, no system information, and never a prompt.
 *
 * @module
 */
import { ALL_VARIABLES } from "./config/variables.ts";

/** Hosts the program may connect to (and, for the simulator, listen on). */
export const NET_HOSTS = ["api.augmentcode.com:443", "127.0.0.1", "localhost", "[::1]"] as const;

/** The `deno run` / `deno compile` permission flags. */
export function permissionFlags(): string[] {
  return [
    `--allow-net=${NET_HOSTS.join(",")}`,
    `--allow-env=${ALL_VARIABLES.join(",")}`,
    "--ignore-env",
    "--allow-read",
    "--allow-write",
    "--no-prompt",
  ];
}
