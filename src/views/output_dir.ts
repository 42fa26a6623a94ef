/**
 * The output directory every view writes through: relative `/`-separated paths only, each
 * checked to stay inside the directory — by its name, and by where its folder really is, so
 * that a folder replaced by a symbolic link to elsewhere is refused rather than written
 * through. Files are written atomically (`fs/atomic.ts`).
 *
 * @module
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { UsageError } from "../errors.ts";
import { AtomicFile, writeFileAtomic } from "../fs/atomic.ts";

function inside(root: string, path: string): boolean {
  const back = relative(root, path);
  return back === "" ||
    !(isAbsolute(back) || back === ".." || back.startsWith(`..${sep}`));
}

/** The output directory, absolute, with checked writes. */
export class OutputDir {
  /** The directory as given, absolute. */
  readonly root: string;
  #realRoot: string | undefined;
  /** Folders already created and checked (relative). */
  readonly #checked = new Set<string>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The absolute path of `rel`; throws when the name would leave the directory. */
  abs(rel: string): string {
    const parts = rel.split("/");
    const path = resolve(this.root, ...parts);
    if (parts.some((p) => p === "" || p === "." || p === "..") || !inside(this.root, path)) {
      throw new Error(`Refusing to write "${rel}": outside the output directory "${this.root}"`);
    }
    return path;
  }

  /**
   * Creates the folder `relDir` ("" for the root) and checks that it really is inside the
   * output directory (no symbolic link leads out of it).
   */
  async ensureDir(relDir: string): Promise<void> {
    if (this.#checked.has(relDir)) return;
    const path = relDir === "" ? this.root : this.abs(relDir);
    await Deno.mkdir(path, { recursive: true });
    this.#realRoot ??= await Deno.realPath(this.root);
    const real = await Deno.realPath(path);
    if (!inside(this.#realRoot, real)) {
      throw new UsageError(
        `Refusing to write into "${path}": it is a link to "${real}", outside the output ` +
          `directory "${this.root}"`,
        "replace the link with a folder, or choose another --output-dir",
      );
    }
    this.#checked.add(relDir);
  }

  #dirOf(rel: string): string {
    const i = rel.lastIndexOf("/");
    return i < 0 ? "" : rel.slice(0, i);
  }

  /** A file written in pieces, committed atomically (see `AtomicFile`). */
  async create(rel: string): Promise<AtomicFile> {
    await this.ensureDir(this.#dirOf(rel));
    return await AtomicFile.create(this.abs(rel));
  }

  /** Writes a whole file atomically. */
  async write(rel: string, data: string | Uint8Array): Promise<void> {
    await this.ensureDir(this.#dirOf(rel));
    await writeFileAtomic(this.abs(rel), data);
  }

  /** Whether every one of `rels` exists as a file, plain or compressed (`.gz`). */
  async exist(rels: readonly string[]): Promise<boolean> {
    for (const rel of rels) {
      if (!(await this.#isFile(rel)) && !(await this.#isFile(`${rel}.gz`))) return false;
    }
    return true;
  }

  async #isFile(rel: string): Promise<boolean> {
    try {
      return (await Deno.lstat(this.abs(rel))).isFile;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
        return false;
      }
      throw e;
    }
  }
}
