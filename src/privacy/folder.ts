/**
 * An output folder holds either real identities or the pseudonyms of one key, never a mix:
 * `.pseudonyms` in the folder names the key (its {@link Pseudonymizer.keyId}, not the key)
 * when its files were rendered with `--pseudonymize`.
 *
 * A run refuses (exit 2) a folder rendered the other way or with another key: days it does not
 * render again would keep the other identities beside the new ones.
 *
 * @module
 */
import { join } from "node:path";
import { UsageError } from "../errors.ts";
import { writeFileAtomic } from "../fs/atomic.ts";
import type { Pseudonymizer } from "./pseudonym.ts";

/** The marker file of a pseudonymised folder. */
export const MARKER = ".pseudonyms";

async function readMarker(dir: string): Promise<string | undefined> {
  try {
    return (await Deno.readTextFile(join(dir, MARKER))).trim();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

async function rendered(dir: string): Promise<boolean> {
  try {
    await Deno.stat(join(dir, ".manifest.json"));
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Whether `dir` was rendered with `--pseudonymize` (it holds the marker). */
export async function isPseudonymized(dir: string): Promise<boolean> {
  return (await readMarker(dir)) !== undefined;
}

/**
 * Checks that `dir` may be rendered with `p` (or without pseudonyms when `p` is undefined),
 * then marks it. Nothing is written when the check fails.
 */
export async function claimOutputFolder(dir: string, p: Pseudonymizer | undefined): Promise<void> {
  const marker = await readMarker(dir);
  const hasFiles = await rendered(dir);
  if (p) {
    if (marker === p.keyId) return;
    if (marker !== undefined) {
      throw new UsageError(
        `The output folder "${dir}" holds pseudonyms of another AUGMENT_PSEUDONYMIZE_KEY`,
        "use the key it was rendered with, or another --output-dir",
      );
    }
    if (hasFiles) {
      throw new UsageError(
        `The output folder "${dir}" holds outputs with real identities: --pseudonymize would leave them beside the pseudonyms`,
        "use a new --output-dir (the store can be shared with --store-dir), or empty the folder first",
      );
    }
    await Deno.mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, MARKER), p.keyId + "\n");
    return;
  }
  if (marker === undefined) return;
  if (!hasFiles) {
    await Deno.remove(join(dir, MARKER));
    return;
  }
  {
    throw new UsageError(
      `The output folder "${dir}" holds pseudonymised outputs: without --pseudonymize real identities would be written beside them`,
      "add --pseudonymize with its key, or use another --output-dir",
    );
  }
}
