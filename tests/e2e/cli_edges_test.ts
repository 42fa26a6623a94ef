/**
 * The CLI's edges, as users meet them: mistyped commands, closed pipes, argument errors in
 * JSON logs, `auth login` checking the token, the 401 hint naming the token's source,
 * file-system errors, and hostile text from the service. The bundle runs as a subprocess
 * with the binary's permission flags (tests/e2e/helpers.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runFlags } from "../../src/permissions.ts";
import { SIMULATOR_TOKEN, startSimulator } from "../../src/simulator/mod.ts";
import { BUNDLE, ensureBundle, listFiles, runCli, spawnCli, withTempDir } from "./helpers.ts";

const NOW = "2026-11-20T12:00:00Z";
const NOW_MS = Date.parse(NOW);
const WRONG_TOKEN = "wrong-token-0123456789";

function envFor(url: string, home: string, extra: Record<string, string> = {}) {
  return {
    HOME: home,
    AUGMENT_API_BASE_URL: url,
    AUGMENT_API_TOKEN: SIMULATOR_TOKEN,
    AUGMENT_RATE_LIMIT_PER_MINUTE: "6000",
    AUGMENT_MAX_RETRIES: "0",
    ...extra,
  };
}

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line: ${stderr}`);
  return lines[0];
}

function assertNoBugReport(stderr: string) {
  assert.doesNotMatch(stderr, /Unexpected failure|please report|\n\s+at /);
}

const SHORT = ["export", "--start-date", "2026-11-18", "--end-date", "2026-11-19"];

Deno.test("a mistyped command is named with the likely one, exit 2", async () => {
  await withTempDir(async (dir) => {
    const cases: [string[], RegExp][] = [
      [["exprot"], /^error: Unknown command "exprot": did you mean "export"\?/],
      [["-q", "--log-format", "text", "simulte"], /Unknown command "simulte".*"simulate"/],
      [["auth", "lgoin"], /Unknown command "auth lgoin": did you mean "auth login"\?/],
      [["frobnicate"], /Unknown command "frobnicate": the commands are export, auth/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(args, { env: { HOME: dir }, cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(oneLine(r.stderr), pattern);
      assert.doesNotMatch(r.stderr, /Too many arguments/i);
    }
    // An option's value is not taken for a command.
    const dry = await runCli(["-o", join(dir, "out"), "--dry-run"], {
      env: { HOME: dir, AUGMENT_API_TOKEN: SIMULATOR_TOKEN },
      cwd: dir,
    });
    assert.doesNotMatch(dry.stderr, /Unknown command/);
  });
});

Deno.test("--log-format json covers argument errors: one JSON line each", async () => {
  await withTempDir(async (dir) => {
    const cases: [string[], RegExp][] = [
      [["--log-format", "json", "--bogus"], /--bogus/],
      [["--log-format=json", "exprot"], /did you mean "export"/],
      [["--log-format", "json", "export", "--start-date", "2026-13-01"], /--start-date/],
      [["--log-format", "json", "export", "--format", "xml"], /Invalid --format "xml"/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(args, { env: { HOME: dir }, cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      const line = JSON.parse(oneLine(r.stderr));
      assert.equal(line.level, "error");
      assert.match(line.msg, pattern);
      assert.equal(typeof line.time, "string");
    }
  });
});

Deno.test("export --help lists the global options -v, -q and --log-format", async () => {
  const r = await runCli(["export", "--help"]);
  assert.equal(r.code, 0, r.stderr);
  for (const flag of [/-v, --verbose/, /-q, --quiet/, /--log-format <format>/, /--dry-run/]) {
    assert.match(r.stdout, flag);
  }
  assert.doesNotMatch(r.stdout, /--now/, "the testing option stays hidden");
});

Deno.test("a closed stdout (| head) ends the run quietly, and the run still completes", async () => {
  await ensureBundle();
  await withTempDir(async (dir) => {
    for (const args of [["--help"], ["demo", "--users", "3", "-o", join(dir, "demo")]]) {
      const child = spawnCli(args, { env: { HOME: dir }, cwd: dir });
      await child.stdout.cancel(); // the reader is gone before the first line
      const [status, err] = await Promise.all([
        child.status,
        new Response(child.stderr).text(),
      ]);
      assert.equal(status.code, 0, `${args[0]}: ${err}`);
      assert.doesNotMatch(err, /Broken pipe|Unexpected failure|error:/i);
    }
    const files = await listFiles(join(dir, "demo"));
    assert.ok(files.some((f) => f.endsWith("copilot_metrics.json")), files.join("\n"));
  });
});

Deno.test("auth login checks the token with one request; a refused one is not saved (exit 3)", async () => {
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false });
  await withTempDir(async (home) => {
    const env = { HOME: home, AUGMENT_API_BASE_URL: sim.url };
    const path = join(home, ".augment", "credentials");

    const bad = await runCli(["--now", NOW, "auth", "login", "--token-stdin"], {
      env,
      cwd: home,
      stdin: WRONG_TOKEN + "\n",
    });
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(oneLine(bad.stderr), /refused \(401.*not saved/);
    assert.equal(sim.stats.requests, 1);
    await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound);
    assert.ok(!bad.stderr.includes(WRONG_TOKEN));

    const good = await runCli(["--now", NOW, "auth", "login", "--token-stdin"], {
      env,
      cwd: home,
      stdin: SIMULATOR_TOKEN + "\n",
    });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /Checked the token with .*accepted.*saved it to/);
    assert.equal(sim.stats.requests, 2);
    assert.equal(JSON.parse(await Deno.readTextFile(path)).token, SIMULATOR_TOKEN);

    const unchecked = await runCli(["auth", "login", "--token-stdin", "--no-verify"], {
      env,
      cwd: home,
      stdin: WRONG_TOKEN + "\n",
    });
    assert.equal(unchecked.code, 0, unchecked.stderr);
    assert.match(unchecked.stdout, /without checking it/);
    assert.equal(sim.stats.requests, 2, "--no-verify makes no request");
    assert.equal(JSON.parse(await Deno.readTextFile(path)).token, WRONG_TOKEN);
  });
});

Deno.test("auth login says so when the service cannot be reached, and saves nothing (exit 4)", async () => {
  await withTempDir(async (home) => {
    // A port nothing listens on: bind one, note it, close it.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const r = await runCli(["--now", NOW, "auth", "login", "--token-stdin"], {
      env: {
        HOME: home,
        AUGMENT_API_BASE_URL: `http://127.0.0.1:${port}`,
        AUGMENT_MAX_RETRIES: "0",
      },
      cwd: home,
      stdin: SIMULATOR_TOKEN + "\n",
    });
    assert.equal(r.code, 4, r.stderr);
    assert.match(oneLine(r.stderr), /not saved.*--no-verify/);
    await assert.rejects(() => Deno.stat(join(home, ".augment", "credentials")));
  });
});

Deno.test("the 401 hint names where the token came from: environment, .env or credentials file", async () => {
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false });
  await withTempDir(async (home) => {
    const out = ["-o", join(home, "out")];
    const base = { HOME: home, AUGMENT_API_BASE_URL: sim.url, AUGMENT_MAX_RETRIES: "0" };

    const fromEnv = await runCli(["--now", NOW, ...SHORT, ...out], {
      env: { ...base, AUGMENT_API_TOKEN: WRONG_TOKEN },
      cwd: home,
    });
    assert.equal(fromEnv.code, 3, fromEnv.stderr);
    assert.match(oneLine(fromEnv.stderr), /AUGMENT_API_TOKEN environment variable/);

    const project = join(home, "project");
    await Deno.mkdir(project);
    await Deno.writeTextFile(join(project, ".env"), `AUGMENT_API_TOKEN=${WRONG_TOKEN}\n`, {
      mode: 0o600,
    });
    const fromDotenv = await runCli(["--now", NOW, ...SHORT, ...out], { env: base, cwd: project });
    assert.equal(fromDotenv.code, 3, fromDotenv.stderr);
    assert.match(oneLine(fromDotenv.stderr), new RegExp(`${join(project, ".env")}`));
    assert.doesNotMatch(fromDotenv.stderr, /environment variable|auth login/);

    const saved = await runCli(["auth", "login", "--token-stdin", "--no-verify"], {
      env: base,
      cwd: home,
      stdin: WRONG_TOKEN,
    });
    assert.equal(saved.code, 0, saved.stderr);
    const fromFile = await runCli(["--now", NOW, ...SHORT, ...out], { env: base, cwd: home });
    assert.equal(fromFile.code, 3, fromFile.stderr);
    const line = oneLine(fromFile.stderr);
    assert.ok(line.includes(join(home, ".augment", "credentials")), line);
    assert.match(line, /auth login/);
    assert.doesNotMatch(line, /environment variable/);
    for (const r of [fromEnv, fromDotenv, fromFile]) assert.ok(!r.stderr.includes(WRONG_TOKEN));
  });
});

Deno.test("-o pointing at a file: one line naming the path and the fix, exit 2", async () => {
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false, users: 3 });
  await withTempDir(async (dir) => {
    const file = join(dir, "not-a-folder");
    await Deno.writeTextFile(file, "mine\n");
    for (const target of [file, join(file, "sub")]) {
      const r = await runCli(["--now", NOW, ...SHORT, "-o", target], {
        env: envFor(sim.url, dir),
        cwd: dir,
      });
      assert.equal(r.code, 2, r.stderr);
      const line = oneLine(r.stderr);
      assert.ok(line.includes(file), line);
      assert.match(line, /not a folder|a file of that name/);
      assert.match(line, /--output-dir/);
      assertNoBugReport(r.stderr);
      assert.doesNotMatch(line, /connect|network|api\.augmentcode\.com/);
    }
    assert.equal(await Deno.readTextFile(file), "mine\n");
  });
});

Deno.test("a folder outside the permission set to write: says --allow-write, not network, exit 2", async () => {
  await ensureBundle();
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false, users: 3 });
  await withTempDir(async (dir) => {
    const allowed = join(dir, "allowed");
    await Deno.mkdir(allowed);
    const flags = runFlags().map((f) => f === "--allow-write" ? `--allow-write=${allowed}` : f);
    assert.ok(flags.includes(`--allow-write=${allowed}`));
    const target = join(dir, "elsewhere");
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, BUNDLE, "--now", NOW, ...SHORT, "-o", target],
      env: { NO_COLOR: "1", ...envFor(sim.url, dir) },
      clearEnv: true,
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 2, stderr);
    const line = oneLine(stderr);
    assert.match(line, /Not permitted to write ".*elsewhere/);
    assert.match(line, /--allow-write/);
    assert.doesNotMatch(line, /connect|loopback|api\.augmentcode\.com/);
    assertNoBugReport(stderr);
  });
});

/** Runs `sh -c script` in new namespaces (`unshare flags`), or says why it cannot. */
async function unshareWorks(flags: string[]): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("unshare", {
      args: [...flags, "sh", "-c", "true"],
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

async function runInNamespace(
  unshare: string[],
  setup: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; stderr: string }> {
  const cli = [Deno.execPath(), "run", ...runFlags(), BUNDLE, ...args].map(shellQuote)
    .join(" ");
  const out = await new Deno.Command("unshare", {
    args: [...unshare, "sh", "-c", `${setup} && exec ${cli}`],
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", ...env },
    clearEnv: true,
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

const canMount = Deno.build.os === "linux" && Deno.uid() === 0 &&
  await unshareWorks(["-m"]);
const canDropToNobody = Deno.build.os === "linux" && await unshareWorks(["-U"]);

Deno.test({
  name: "a read-only file system: one line naming the path and the fix, exit 2",
  ignore: !canMount,
  fn: async () => {
    await ensureBundle();
    await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false, users: 3 });
    await withTempDir(async (dir) => {
      const ro = join(dir, "ro");
      await Deno.mkdir(ro);
      const r = await runInNamespace(
        ["-m"],
        `mount -t tmpfs -o ro tmpfs ${shellQuote(ro)}`,
        ["--now", NOW, ...SHORT, "-o", join(ro, "out")],
        envFor(sim.url, dir),
        dir,
      );
      assert.equal(r.code, 2, r.stderr);
      const line = oneLine(r.stderr);
      assert.ok(line.includes(join(ro, "out")), line);
      assert.match(line, /read-only/);
      assert.match(line, /--output-dir/);
      assertNoBugReport(r.stderr);
    });
  },
});

Deno.test({
  name: "a folder the operating system does not let us write: names it and the fix, exit 2",
  ignore: !canDropToNobody,
  fn: async () => {
    await ensureBundle();
    await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false, users: 3 });
    await withTempDir(async (dir) => {
      await Deno.chmod(dir, 0o755);
      const locked = join(dir, "locked");
      await Deno.mkdir(locked, { mode: 0o555 });
      await Deno.chmod(locked, 0o555);
      // As an unprivileged user (uid "nobody" in a new user namespace).
      const r = await runInNamespace(
        ["-U"],
        "true",
        ["--now", NOW, ...SHORT, "-o", join(locked, "out")],
        envFor(sim.url, dir),
        dir,
      );
      assert.equal(r.code, 2, r.stderr);
      const line = oneLine(r.stderr);
      assert.ok(line.includes(join(locked, "out")), line);
      assert.match(line, /operating system denied it.*chmod/);
      assert.doesNotMatch(line, /connect|loopback|--allow-write/);
      assertNoBugReport(r.stderr);
    });
  },
});

/** A service that answers every request with `status` and a hostile error body. */
function hostileService(status: number) {
  const body = JSON.stringify({
    error: {
      code: "Bad\x1b[31mRequest",
      message: "evil \x1b]0;owned title\x07text\x1b[2J\r\nsecond line\x00\x9b1A end",
    },
  });
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(body, { status, headers: { "content-type": "application/json" } }),
  );
}

Deno.test("text from the service reaches stderr without control characters, in one line", async () => {
  for (const status of [400, 401]) {
    await using server = hostileService(status);
    const url = `http://127.0.0.1:${server.addr.port}`;
    await withTempDir(async (dir) => {
      for (const format of ["text", "json"]) {
        const r = await runCli(
          ["--now", NOW, "--log-format", format, ...SHORT, "-o", join(dir, "out")],
          { env: envFor(url, dir), cwd: dir },
        );
        assert.equal(r.code, status === 401 ? 3 : 4, r.stderr);
        const line = oneLine(r.stderr);
        // deno-lint-ignore no-control-regex
        assert.doesNotMatch(r.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, JSON.stringify(r.stderr));
        assert.doesNotMatch(line, /\\u001b|\\u0007|\\r|\\n|\\u0000/);
        const msg = format === "json" ? JSON.parse(line).msg : line;
        assert.match(msg, /BadRequest/);
        assert.match(msg, /evil text second line/);
        assert.match(msg, /end/);
      }
    });
  }
});

Deno.test("a corrupted store file is exit 1 naming the file; a store of another URL is exit 2", async () => {
  await using sim = await startSimulator({ now: () => NOW_MS, rateLimit: false, users: 3 });
  await withTempDir(async (dir) => {
    const out = join(dir, "out");
    const store = join(out, ".store");
    await Deno.mkdir(store, { recursive: true });
    await Deno.writeTextFile(join(store, "store.json"), "{ not json");
    const corrupt = await runCli(["--now", NOW, ...SHORT, "-o", out], {
      env: envFor(sim.url, dir),
      cwd: dir,
    });
    assert.equal(corrupt.code, 1, corrupt.stderr);
    assert.ok(oneLine(corrupt.stderr).includes(join(store, "store.json")), corrupt.stderr);
    assertNoBugReport(corrupt.stderr);

    await Deno.remove(store, { recursive: true });
    const first = await runCli(["--now", NOW, ...SHORT, "-o", out], {
      env: envFor(sim.url, dir),
      cwd: dir,
    });
    assert.equal(first.code, 0, first.stderr);
    const other = sim.url.replace("127.0.0.1", "localhost");
    const moved = await runCli(["--now", NOW, ...SHORT, "-o", out], {
      env: envFor(other, dir),
      cwd: dir,
    });
    assert.equal(moved.code, 2, moved.stderr);
    assert.match(oneLine(moved.stderr), /--output-dir or --store-dir/);
  });
});
