/**
 * The command-line program: parses, dispatches, and maps every error to one line and an
 * exit code. Each command lives in its own file.
 *
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { EXIT, InterruptedError, UsageError } from "../errors.ts";
import { NAME, VERSION } from "../version.ts";
import { FORMATS } from "../views/formats.ts";
import type { CommandContext, GlobalOptions } from "./context.ts";
import { type ArgvShape, describeFailure, logFormatInArgs } from "./errors_map.ts";
import { Output, type OutputStreams, processStreams } from "./output.ts";
import { registerServeCommand } from "./serve.ts";
import { registerCompletions } from "./completions.ts";

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  unexpected failure (a bug, or a corrupted local store)
  2  usage or configuration error (bad flag, bad or future date, missing token)
  3  the service refused the token or the action (401/403)
  4  the service or network failed after retries (429, 5xx, time-outs, malformed answers)
  5  another run holds the store's lock (give --wait 10m to wait for it)
  130 interrupted (^C); days already fetched are kept, re-run to continue`;

function parseDayOption(flag: string) {
  return (value: string): string => {
    if (
      !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
      new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value
    ) {
      throw new UsageError(
        `Invalid ${flag} "${value}": expected a real calendar day written YYYY-MM-DD`,
      );
    }
    return value;
  };
}

function parseIntOption(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw new UsageError(
        `Invalid ${flag} "${value}": expected a whole number from ${min} to ${max}`,
      );
    }
    return n;
  };
}

/** A duration such as `90s`, `10m`, `1h` or `500ms`, in milliseconds (at most a day). */
export function parseDurationOption(flag: string) {
  return (value: string): number => {
    const m = /^(\d+)(ms|s|m|h)$/.exec(value.trim());
    const ms = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2]]! : NaN;
    if (!m || !(ms >= 0 && ms <= 86_400_000)) {
      throw new UsageError(
        `Invalid ${flag} "${value}": expected a duration such as 90s, 10m or 1h (at most 24h)`,
      );
    }
    return ms;
  };
}

function parseNow(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`Invalid --now "${value}": expected an ISO 8601 time`);
  return ms;
}

/** The formats `--format` accepts. */
export const FORMAT_CHOICES = FORMATS;

function parseFormats(value: string, previous: string[] | undefined): string[] {
  const list = [...(previous ?? [])];
  for (const part of value.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (!(FORMAT_CHOICES as readonly string[]).includes(part)) {
      throw new UsageError(
        `Invalid --format "${part}": expected one or more of ${FORMAT_CHOICES.join(", ")}`,
      );
    }
    if (!list.includes(part)) list.push(part);
  }
  return list;
}

/** Builds the program. `run` receives each command's action so that main() can map errors. */
export function buildProgram(
  streams: OutputStreams,
  contextFor: (g: GlobalOptions) => CommandContext,
) {
  const program = new Command()
    .name(NAME)
    .description(
      "Export Augment Code usage from the Augment Analytics API in GitHub Copilot metrics formats.",
    )
    .version(`${NAME} ${VERSION}`, "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "show help for a command")
    .option("-v, --verbose", "print debug lines on stderr")
    .option("-q, --quiet", "print only warnings and errors")
    .addOption(
      new Option("--log-format <format>", "log lines on stderr: text, or JSON lines for CI")
        .choices(["text", "json"] as const)
        .default("text" as const),
    )
    .addOption(
      new Option("--now <iso>", "pretend the time is <iso> (testing)").argParser(parseNow)
        .hideHelp(),
    )
    .addHelpText("after", EXIT_CODES_HELP)
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => streams.stdout(s),
      writeErr: (s) => streams.stderr(s),
      outputError: () => {},
    })
    .exitOverride();

  program
    .command("export", { isDefault: true })
    .description(
      "Fetch Augment usage and write it in Copilot formats (the default command).\n" +
        "Without a range option, exports the last 28 published days.",
    )
    .option("--last-28-days", "the 28 days ending at the newest published day (UTC)")
    .option(
      "--start-date <YYYY-MM-DD>",
      "first day (UTC), with --end-date",
      parseDayOption("--start-date"),
    )
    .option(
      "--end-date <YYYY-MM-DD>",
      "last day (UTC), at most yesterday, with --start-date",
      parseDayOption("--end-date"),
    )
    .option(
      "--since-last",
      "for cron: fetch every day after the newest stored day up to the newest published day; latest/ then shows the newest 28 days",
    )
    .option("-o, --output-dir <dir>", "where to write (env: AUGMENT_OUTPUT_DIR, default: ./data)")
    .option(
      "-f, --format <formats>",
      `formats to write, comma-separated or repeated: ${FORMAT_CHOICES.join(", ")} (default: all)`,
      parseFormats,
    )
    .option("--aggregate", "write aggregated_metrics.json, the 28-day summary (default: on)")
    .option("--no-aggregate", "do not write aggregated_metrics.json")
    .option(
      "--csv-detail",
      "also write metrics_detail.csv: one row per day, identity, editor and language",
    )
    .option(
      "--dated",
      "also write the range files of this run's range to reports/<start>_to_<end>/",
    )
    .option(
      "--html-hide-identities",
      "HTML report (--format html): leave every e-mail and service-account name out of the page",
    )
    .option(
      "--html-top-users <n>",
      "HTML report: rows of the most active people and service accounts (default: 50)",
      parseIntOption("--html-top-users", 0, 10000),
    )
    .option(
      "--teams <file>",
      "team outputs (user-teams-1-day, team_day.csv, aggregate) from a CSV or JSON file of identity and team slug (env: AUGMENT_TEAMS_FILE)",
    )
    .option(
      "--team-min-size <n>",
      "leave teams with fewer members out of every output (env: AUGMENT_TEAM_MIN_SIZE; default: 5, as GitHub)",
      parseIntOption("--team-min-size", 1, 1000),
    )
    .option(
      "--pseudonymize",
      "replace every e-mail and service-account name in every output by a keyed pseudonym (key: AUGMENT_PSEUDONYMIZE_KEY)",
    )
    .option(
      "--destination <url>",
      "also upload the output folder to s3://bucket/prefix or gs://bucket/prefix (repeatable; env: AUGMENT_DESTINATIONS)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      "--notify <url>",
      "after the run, notify a Slack or Teams webhook, or post signed JSON (repeatable; env: AUGMENT_NOTIFY_URLS)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      "--notify-on <when>",
      "always, warnings, failure or never (env: AUGMENT_NOTIFY_ON; default: always)",
    )
    .option(
      "--wait <duration>",
      "when another run holds the store, wait for it up to this long (e.g. 90s, 10m, 1h)",
      parseDurationOption("--wait"),
    )
    .option(
      "--enterprise-id <id>",
      "enterprise_id in usage-metrics reports (env: AUGMENT_ENTERPRISE_ID, default: augment)",
    )
    .option(
      "--store-dir <dir>",
      "local store of fetched days (env: AUGMENT_STORE_DIR, default: <output-dir>/.store)",
    )
    .option("--refresh", "fetch every day again, even those in the local store")
    .option(
      "--compress-after-days <n>",
      "gzip outputs whose data ended more than n days ago (env: AUGMENT_COMPRESS_AFTER_DAYS; default: never)",
      parseIntOption("--compress-after-days", 1, 3650),
    )
    .option(
      "--retention-days <n>",
      "remove outputs whose data ended more than n days ago, and store days they no longer need (env: AUGMENT_RETENTION_DAYS; default: keep all)",
      parseIntOption("--retention-days", 1, 3650),
    )
    .option(
      "--dry-run",
      "print the request plan and the time it takes; make no request, write nothing",
    )
    .option(
      "--probe",
      "with --dry-run: spend one dau-count request per 90 days to fetch, to size each day",
    )
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (opts, cmd) => {
      const g = cmd.optsWithGlobals() as GlobalOptions;
      // Each command's modules load when it runs: `--help` and `--version` stay fast.
      await (await import("./export.ts")).exportCommand(opts, contextFor(g));
    });

  const auth = program.command("auth").description(
    "Manage the Analytics API token (~/.augment/credentials)",
  );
  auth
    .command("login")
    .description(
      "Check a service-account token with one request, then save it to ~/.augment/credentials " +
        "(file mode 0600)",
    )
    .option("--token-stdin", "read the token from standard input (for automation)")
    .option("--no-verify", "save the token without checking it with one request to the service")
    .action(async (opts, cmd) => {
      await (await import("./auth.ts")).authLogin(
        opts,
        contextFor(cmd.optsWithGlobals() as GlobalOptions),
      );
    });
  auth
    .command("status")
    .description("Say where the token comes from, and prove it works with one cheap request")
    .action(async (_opts, cmd) => {
      await (await import("./auth.ts")).authStatus(
        contextFor(cmd.optsWithGlobals() as GlobalOptions),
      );
    });
  auth
    .command("logout")
    .description("Remove ~/.augment/credentials (only that file)")
    .action(async (_opts, cmd) => {
      await (await import("./auth.ts")).authLogout(
        contextFor(cmd.optsWithGlobals() as GlobalOptions),
      );
    });

  program
    .command("simulate")
    .description("Serve a local Augment Analytics API with synthetic data, until ^C")
    .option(
      "--port <n>",
      "port on 127.0.0.1 (default: a free one)",
      parseIntOption("--port", 0, 65535),
    )
    .option("--seed <n>", "data seed (default: 1)", parseIntOption("--seed", 0, 2 ** 31 - 1))
    .option(
      "--users <n>",
      "identities, about 10% service accounts (default: 25)",
      parseIntOption("--users", 1, 100_000),
    )
    .option("--no-rate-limit", "do not enforce the 10 requests a minute limit")
    .option(
      "--no-credits",
      "answer 404 on the credits and cost endpoints, as for an enterprise without them",
    )
    .action(async (opts, cmd) => {
      await (await import("./simulate.ts")).simulateCommand(
        opts,
        contextFor(cmd.optsWithGlobals() as GlobalOptions),
      );
    });

  program
    .command("demo")
    .description(
      "Start the simulator on a free loopback port and export the last 28 days from it with the real code path; needs no token",
    )
    .option("-o, --output-dir <dir>", "where to write (default: ./data/demo)")
    .option(
      "--users <n>",
      "identities in the simulated organisation (default: 25)",
      parseIntOption("--users", 1, 100_000),
    )
    .option("--seed <n>", "data seed (default: 1)", parseIntOption("--seed", 0, 2 ** 31 - 1))
    .action(async (opts, cmd) => {
      await (await import("./demo.ts")).demoCommand(
        opts,
        contextFor(cmd.optsWithGlobals() as GlobalOptions),
      );
    });

  registerServeCommand(program, contextFor, {
    makeSync: async (ctx, outputDir) => (await import("./export.ts")).serveSync(ctx, outputDir),
  });
  registerCompletions(program, streams.stdout);

  return program;
}

/** Runs the program with `args`; returns the exit code. Never throws. */
export async function main(
  args: string[],
  streams: OutputStreams = processStreams(),
): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) Deno.exit(EXIT.interrupted);
    controller.abort(new InterruptedError());
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);

  // Until a command runs, errors (argument errors) are logged in the format asked for.
  let output = new Output(streams, "normal", logFormatInArgs(args));
  const contextFor = (g: GlobalOptions): CommandContext => {
    const fixed = g.now;
    const started = Date.now();
    const now = fixed === undefined ? Date.now : () => fixed + (Date.now() - started);
    output = new Output(
      streams,
      g.quiet ? "quiet" : g.verbose ? "verbose" : "normal",
      g.logFormat ?? "text",
      now,
    );
    return { output, now, signal: controller.signal };
  };

  const program = buildProgram(streams, contextFor);
  try {
    await program.parseAsync(args, { from: "user" });
    return EXIT.ok;
  } catch (err) {
    const failure = describeFailure(err, args, argvShape(program));
    if (failure.message) output.error(failure.message);
    if (failure.stack) output.debug(failure.stack);
    return failure.code;
  } finally {
    output.done();
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
}

/** The program's commands, and the options before a command that take a value. */
function argvShape(program: ReturnType<typeof buildProgram>): ArgvShape {
  const valueOptions = new Set<string>();
  const byDefault = program.commands.find((c) => c.name() === "export");
  for (const o of [...program.options, ...(byDefault?.options ?? [])]) {
    if (!o.required && !o.optional) continue;
    if (o.short) valueOptions.add(o.short);
    if (o.long) valueOptions.add(o.long);
  }
  const subcommands: Record<string, string[]> = {};
  for (const c of program.commands) {
    if (c.commands.length) subcommands[c.name()] = c.commands.map((s) => s.name());
  }
  return { commands: program.commands.map((c) => c.name()), valueOptions, subcommands };
}
