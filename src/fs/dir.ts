/**
 * File-system helpers shared by the layers that keep files: the output layout, the local
 * store and housekeeping.
 *
 * @module
 */

/** The entries of a directory; none when it does not exist (any other error is thrown). */
export async function readDirOrEmpty(path: string): Promise<Deno.DirEntry[]> {
  try {
    return await Array.fromAsync(Deno.readDir(path));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}
