/**
 * `completions bash|zsh|fish`, run as users run it (the bundle under the binary's permissions),
 * checked against the program's own commands and options, and executed by real shells.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { buildProgram } from "../../src/cli/main.ts";
import { runCli } from "../e2e/helpers.ts";

/** Every command path and every visible option flag, walked from commander directly. */
function programNames(): { commands: string[]; flags: string[] } {
  const program = buildProgram(
    { stdout: () => {}, stderr: () => {}, stderrIsTerminal: false, color: false },
    () => {
      throw new Error("no command runs here");
    },
  ) as unknown as CommandUnknownOpts;
  const commands: string[] = [];
  const flags = new Set<string>(["--help", "-h"]);
  const walk = (cmd: CommandUnknownOpts) => {
    for (const o of cmd.options) {
      if (o.hidden) continue;
      if (o.long) flags.add(o.long);
      if (o.short) flags.add(o.short);
    }
    for (const sub of cmd.commands) {
      commands.push(sub.name());
      walk(sub);
    }
  };
  walk(program);
  return { commands, flags: [...flags] };
}

async function has(cmd: string): Promise<boolean> {
  try {
    const { code } = await new Deno.Command("sh", {
      args: ["-c", `command -v ${cmd}`],
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

async function sh(
  shell: string,
  args: string[],
  cwd?: string,
): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(shell, { args, cwd }).output();
  const d = new TextDecoder();
  return { code, out: d.decode(stdout), err: d.decode(stderr) };
}

async function script(shell: string): Promise<string> {
  const r = await runCli(["completions", shell]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "");
  return r.stdout;
}

Deno.test("completions bash names every command and every visible option, and bash -n accepts it", async () => {
  const text = await script("bash");
  const { commands, flags } = programNames();
  assert.ok(commands.includes("export") && commands.includes("login"));
  assert.ok(commands.includes("completions"));
  for (const c of commands) assert.match(text, new RegExp(`cmds='[^']*\\b${c}\\b`), c);
  for (const f of flags) {
    assert.ok(new RegExp(`opts='([^']* )?${f}( [^']*)?'`).test(text), `option ${f} missing`);
  }
  assert.ok(!/--now\b/.test(text), "hidden options stay hidden");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "c.bash"), text);
    const r = await sh("bash", ["-n", join(dir, "c.bash")]);
    assert.equal(r.code, 0, r.err);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the bash script completes commands, options, option values and directories", async () => {
  const text = await script("bash");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "c.bash"), text);
    await Deno.mkdir(join(dir, "outdir"));
    const complete = async (...words: string[]) => {
      const arr = words.map((w) => `'${w}'`).join(" ");
      const r = await sh("bash", [
        "-c",
        `source ./c.bash; COMP_WORDS=(augment-metrics ${arr}); COMP_CWORD=${words.length}; ` +
        `_augment_metrics; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ], dir);
      assert.equal(r.code, 0, r.err);
      return r.out.split("\n").filter(Boolean).sort();
    };
    assert.deepEqual(await complete("auth", "l"), ["login", "logout"]);
    assert.deepEqual(await complete("export", "--since"), ["--since-last"]);
    assert.deepEqual(await complete("--log-format", ""), ["json", "text"]);
    assert.deepEqual(await complete("--log-format", "json", "export", "--dry"), ["--dry-run"]);
    assert.deepEqual(await complete("completions", ""), ["bash", "fish", "zsh"]);
    assert.deepEqual(await complete("export", "-o", "out"), ["outdir"]);
    assert.ok((await complete("")).includes("export"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("completions zsh and fish: parsed by zsh -n and fish -n; fish completes subcommands", async (t) => {
  const zsh = await script("zsh");
  const fish = await script("fish");
  assert.match(zsh, /^#compdef augment-metrics\n/);
  assert.match(zsh, /'export:Fetch Augment usage/);
  assert.match(fish, /complete -c augment-metrics .* -l 'since-last'/);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "c.zsh"), zsh);
    await Deno.writeTextFile(join(dir, "c.fish"), fish);
    await t.step("zsh -n", async () => {
      if (!await has("zsh")) return console.log("zsh is not installed here: zsh -n not run");
      const r = await sh("zsh", ["-n", join(dir, "c.zsh")]);
      assert.equal(r.code, 0, r.err);
    });
    await t.step("fish", async () => {
      if (!await has("fish")) return console.log("fish is not installed here: fish checks not run");
      const n = await sh("fish", ["-n", join(dir, "c.fish")]);
      assert.equal(n.code, 0, n.err);
      const r = await sh("fish", [
        "--no-config",
        "-c",
        `source ${join(dir, "c.fish")}; complete -C 'augment-metrics auth l'; ` +
        `complete -C 'augment-metrics export --since'; complete -C 'augment-metrics --log-format '`,
      ], dir);
      assert.equal(r.code, 0, r.err);
      const names = r.out.split("\n").map((l) => l.split("\t")[0]).filter(Boolean).sort();
      assert.deepEqual(names, ["--since-last", "json", "login", "logout", "text"]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("completions with an unknown shell is a usage error (exit 2)", async () => {
  const r = await runCli(["completions", "tcsh"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /tcsh/);
  assert.match(r.stderr, /bash, zsh, fish/);
});
