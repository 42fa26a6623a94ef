/**
 * `augment-metrics serve`: GitHub's Copilot metrics API over the output folder, until ^C or
 * SIGTERM (requests in flight finish first). See `src/serve/server.ts` for the routes.
 *
 * @module
 */
import { resolve } from "node:path";
import { UsageError } from "../errors.ts";
import type { SyncFunction, SyncSchedule } from "../serve/scheduler.ts";
import { Option } from "@commander-js/extra-typings";
import type { CommandContext, GlobalOptions } from "./context.ts";

/** Options of `serve`. */
export interface ServeFlags {
  listen?: string;
  outputDir?: string;
  org?: string;
  enterprise?: string;
  publicUrl?: string;
  sync?: string;
  syncEvery?: number;
  accessLog?: boolean;
}

/** What the program plugs into `serve` (the sync hook is the export's). */
export interface ServeDeps {
  /** Makes the sync hook of `--sync` / `--sync-every` for this output folder. */
  readonly makeSync?: (ctx: CommandContext, outputDir: string) => Promise<SyncFunction>;
  /** Reads an environment variable (tests pass their own). */
  readonly env?: (name: string) => string | undefined;
}

/** The default address: loopback only. */
export const DEFAULT_LISTEN = "127.0.0.1:8080";

/** Whether a host name is a loopback address. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `host:port`, `[v6]:port` or `port` → host and port. */
export function parseListen(value: string): { hostname: string; port: number } {
  const v = value.trim();
  const m = /^(\d{1,5})$/.exec(v) ?? /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(v) ??
    /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  const hostname = m && m.length === 3 ? m[1] : "127.0.0.1";
  const port = m ? Number(m.at(-1)) : NaN;
  if (!m || !(port <= 65535)) {
    throw new UsageError(
      `Invalid --listen "${value}": expected host:port, such as 127.0.0.1:8080 or [::1]:8080`,
    );
  }
  return { hostname, port };
}

/** Client tokens of `AUGMENT_SERVE_TOKENS`: comma-separated, each at least 16 visible characters. */
export function parseTokens(value: string | undefined, augmentToken?: string): string[] {
  if (value === undefined || value.trim() === "") return [];
  const tokens = value.split(",").map((t) => t.trim()).filter((t) => t !== "");
  for (const [i, t] of tokens.entries()) {
    if (!/^[\x21-\x7e]{16,}$/.test(t)) {
      throw new UsageError(
        `Invalid AUGMENT_SERVE_TOKENS: token ${i + 1} must be at least 16 visible ASCII ` +
          `characters without spaces`,
        "generate one with `openssl rand -hex 32`",
      );
    }
    if (augmentToken !== undefined && t === augmentToken) {
      throw new UsageError(
        `Invalid AUGMENT_SERVE_TOKENS: token ${i + 1} is the Augment API token`,
        "give dashboards their own token (`openssl rand -hex 32`), never the Augment one",
      );
    }
  }
  return tokens;
}

function nameSetting(flag: string, value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(value)) {
    throw new UsageError(
      `Invalid ${flag} "${value}": expected a GitHub-style name (letters, digits, ".", "_", "-")`,
    );
  }
  return value;
}

/** Runs the server until the command's signal aborts. */
export async function serveCommand(
  flags: ServeFlags,
  ctx: CommandContext,
  deps: ServeDeps = {},
): Promise<void> {
  // Loaded when the command runs, not when the program starts (`--help` stays fast).
  const [{ loadSettings }, { DAILY_SYNC, systemClock }, { startServe }] = await Promise.all([
    import("../config/settings.ts"),
    import("../serve/scheduler.ts"),
    import("../serve/server.ts"),
  ]);
  const env = deps.env ?? ((name: string) => Deno.env.get(name));
  const { settings } = await loadSettings({ env });
  const outputDir = resolve(flags.outputDir ?? settings.outputDir);
  const { hostname, port } = parseListen(flags.listen ?? DEFAULT_LISTEN);
  const tokens = parseTokens(env("AUGMENT_SERVE_TOKENS"), settings.token);
  if (!isLoopback(hostname) && tokens.length === 0) {
    throw new UsageError(
      `Refusing to serve on "${hostname}" without client tokens: anyone who can reach it would read the usage`,
      "set AUGMENT_SERVE_TOKENS (comma-separated), or listen on 127.0.0.1",
    );
  }
  const org = nameSetting("--org", flags.org ?? env("AUGMENT_SERVE_ORG") ?? settings.enterpriseId);
  const enterprise = nameSetting(
    "--enterprise",
    flags.enterprise ?? env("AUGMENT_SERVE_ENTERPRISE") ?? settings.enterpriseId,
  );
  let publicUrl: string | undefined;
  if (flags.publicUrl !== undefined) {
    let u: URL;
    try {
      u = new URL(flags.publicUrl);
    } catch {
      throw new UsageError(`Invalid --public-url "${flags.publicUrl}": expected an http(s) URL`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new UsageError(`Invalid --public-url "${flags.publicUrl}": expected an http(s) URL`);
    }
    publicUrl = u.href.replace(/\/+$/, "");
  }

  let schedule: SyncSchedule | undefined;
  if (flags.sync !== undefined && flags.syncEvery !== undefined) {
    throw new UsageError("Choose one of --sync daily and --sync-every, not both");
  }
  if (flags.sync !== undefined) {
    if (flags.sync !== "daily") {
      throw new UsageError(`Invalid --sync "${flags.sync}": expected "daily"`);
    }
    schedule = DAILY_SYNC;
  } else if (flags.syncEvery !== undefined) {
    if (flags.syncEvery < 60_000) {
      throw new UsageError(
        `Invalid --sync-every: at least 1m (the service publishes a day once a day)`,
      );
    }
    schedule = { kind: "every", ms: flags.syncEvery };
  }
  let sync: SyncFunction | undefined;
  if (schedule) {
    if (!deps.makeSync) {
      throw new UsageError(
        "Cannot sync from serve in this build: run `augment-metrics export --since-last` from cron instead",
      );
    }
    sync = await deps.makeSync(ctx, outputDir);
  }

  let server;
  try {
    server = await startServe({
      outputDir,
      hostname,
      port,
      tokens,
      org,
      enterprise,
      publicUrl,
      log: ctx.output,
      accessLog: flags.accessLog !== false,
      sync,
      schedule,
      // The program's clock (`--now` in tests): what "published" and "fresh" mean.
      clock: { ...systemClock, now: ctx.now },
    });
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      throw new UsageError(
        `Cannot listen on "${hostname}:${port}": this program may listen on loopback only`,
        `run it from source with \`--allow-net=${hostname}:${port}\` added, or put a reverse proxy in front`,
      );
    }
    if (e instanceof Deno.errors.AddrInUse) {
      throw new UsageError(
        `Cannot listen on "${hostname}:${port}": the address is in use`,
        "choose another port with --listen",
      );
    }
    throw e;
  }
  const snap = server.index.snapshot;
  ctx.output.result(
    [
      `Serving the Copilot metrics API for org "${org}" and enterprise "${enterprise}" on ${server.url}`,
      `  from ${outputDir} (${snap.reportDays.length} report days` +
      (snap.reportDays.length ? `, "${snap.reportDays[0]}" to "${snap.reportDays.at(-1)}"` : "") +
      ")",
      tokens.length
        ? `  clients authenticate with one of the ${tokens.length} AUGMENT_SERVE_TOKENS`
        : "  no client token set (AUGMENT_SERVE_TOKENS): any local program can read it",
      `Point a dashboard's GitHub API URL at ${publicUrl ?? server.url}. Press ^C to stop.`,
    ].join("\n"),
    { event: "serve", url: server.url, org, enterprise, report_days: snap.reportDays.length },
  );
  await new Promise<void>((done) => {
    if (ctx.signal.aborted) return done();
    ctx.signal.addEventListener("abort", () => done(), { once: true });
  });
  ctx.output.info("Stopping: finishing the requests in flight", { event: "serve_stop" });
  await server.shutdown();
}

/** `--sync-every` durations: `30m`, `6h`, `90s` (1 minute to 24 hours), in ms. */
export function parseSyncEvery(value: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(value.trim());
  const ms = m ? Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "s" | "m" | "h"] : NaN;
  if (!(ms >= 60_000 && ms <= 86_400_000)) {
    throw new UsageError(
      `Invalid --sync-every "${value}": expected a duration from 1m to 24h, such as 30m or 6h`,
    );
  }
  return ms;
}

/** The part of commander's `Command` that {@link registerServeCommand} uses. */
type ProgramLike = import("@commander-js/extra-typings").Command<
  [],
  // deno-lint-ignore no-explicit-any
  any,
  // deno-lint-ignore no-explicit-any
  any
>;

/** Adds `serve` to the program (one call in `main.ts`). */
export function registerServeCommand(
  program: ProgramLike,
  contextFor: (g: GlobalOptions) => CommandContext,
  deps: ServeDeps = {},
): void {
  program
    .command("serve")
    .description(
      "Serve GitHub's Copilot metrics REST API from the output folder, for dashboards made for GitHub (until ^C)",
    )
    .option(
      "--listen <host:port>",
      `address to listen on (default: ${DEFAULT_LISTEN}; another host needs AUGMENT_SERVE_TOKENS)`,
    )
    .option(
      "-o, --output-dir <dir>",
      "the folder export writes (env: AUGMENT_OUTPUT_DIR, default: ./data)",
    )
    .option(
      "--org <name>",
      "organisation name in the paths (env: AUGMENT_SERVE_ORG, default: the enterprise id)",
    )
    .option(
      "--enterprise <name>",
      "enterprise name in the paths (env: AUGMENT_SERVE_ENTERPRISE, default: the enterprise id)",
    )
    .option("--public-url <url>", "base URL of download links (default: http://<Host header>)")
    .option("--no-access-log", "no log line per request")
    .addOption(
      new Option("--sync <when>", "keep the history fresh: daily, after the service publishes")
        .hideHelp(deps.makeSync === undefined),
    )
    .addOption(
      new Option("--sync-every <duration>", "keep the history fresh: every DURATION (30m, 6h)")
        .argParser(parseSyncEvery)
        .hideHelp(deps.makeSync === undefined),
    )
    .action(async (opts, cmd) => {
      await serveCommand(opts, contextFor(cmd.optsWithGlobals() as GlobalOptions), deps);
    });
}
