/**
 * One run at a time per store: an exclusive lock on `<store>/lock`, held by the operating
 * system (`flock`) for as long as the process lives, so a run that dies — killed, crashed,
 * power lost — never leaves a lock behind: the next run takes it over at once. The file also
 * says who holds it (pid, host, start time, command) so that a second run can name the
 * holder in its one-line refusal.
 *
 * @module
 */
import { join } from "node:path";
import { BusyError } from "../errors.ts";

/** Who holds a lock, as written into the lock file. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly started_at: string;
  readonly command: string;
}

/** A held lock; `release()` frees it (also freed by the OS when the process ends). */
export interface StoreLock {
  readonly path: string;
  release(): void;
}

/** How to take the lock. */
export interface LockOptions {
  /** Wait up to this many milliseconds for another run to finish (0: refuse at once). */
  readonly waitMs?: number;
  /** What this run is (written into the lock file). */
  readonly command?: string;
  readonly now?: () => number;
  readonly signal?: AbortSignal;
  /** Called once when the run starts waiting, with the holder. */
  readonly onWait?: (holder: LockHolder | undefined) => void;
}

const POLL_MS = 250;

/** The host name: without `--allow-sys`, from /etc/hostname where there is one. */
function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    try {
      return Deno.readTextFileSync("/etc/hostname").trim() || "unknown";
    } catch {
      return "unknown";
    }
  }
}

async function readHolder(file: Deno.FsFile): Promise<LockHolder | undefined> {
  try {
    await file.seek(0, Deno.SeekMode.Start);
    const buf = new Uint8Array(4096);
    const n = await file.read(buf);
    if (n === null) return undefined;
    const raw = JSON.parse(new TextDecoder().decode(buf.subarray(0, n)));
    if (typeof raw?.pid === "number" && typeof raw?.host === "string") return raw as LockHolder;
  } catch {
    // An empty or partly written lock file says nothing of its holder.
  }
  return undefined;
}

function describe(holder: LockHolder | undefined): string {
  if (!holder) return "another run";
  return `another run (pid ${holder.pid} on ${holder.host}, started ${holder.started_at}` +
    (holder.command ? `, ${holder.command}` : "") + ")";
}

/**
 * Takes the store's lock, or throws a {@link BusyError} (exit 5) naming the holder when
 * another run has it and `waitMs` passes first.
 */
export async function lockStore(storeDir: string, options: LockOptions = {}): Promise<StoreLock> {
  const now = options.now ?? Date.now;
  await Deno.mkdir(storeDir, { recursive: true });
  const path = join(storeDir, "lock");
  const file = await Deno.open(path, { read: true, write: true, create: true });
  const deadline = now() + (options.waitMs ?? 0);
  let waited = false;
  try {
    for (;;) {
      if (await file.tryLock(true)) break;
      const holder = await readHolder(file);
      if (now() >= deadline) {
        throw new BusyError(
          `Cannot start: ${describe(holder)} is using the store "${storeDir}"`,
          options.waitMs
            ? "it is still running; try again later, or give --wait a longer time"
            : "wait for it to finish, or run with --wait 10m to wait for it",
        );
      }
      if (!waited) options.onWait?.(holder);
      waited = true;
      options.signal?.throwIfAborted();
      await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(1, deadline - now()))));
    }
  } catch (e) {
    file.close();
    throw e;
  }
  const holder: LockHolder = {
    pid: Deno.pid,
    host: hostname(),
    started_at: new Date(now()).toISOString(),
    command: options.command ?? "",
  };
  const bytes = new TextEncoder().encode(JSON.stringify(holder) + "\n");
  await file.truncate(0);
  await file.seek(0, Deno.SeekMode.Start);
  await file.write(bytes);
  let released = false;
  return {
    path,
    release() {
      if (released) return;
      released = true;
      try {
        file.truncateSync(0);
      } catch {
        // The lock goes with the descriptor either way.
      }
      file.close();
    },
  };
}
