/**
 * Writes the README's generated blocks from their one definition:
 *
 * - `<!-- permissions:start -->` … `<!-- permissions:end -->`: the `deno run` line, from
 *   `src/permissions.ts` (whose `--allow-env` list is `src/config/variables.ts`);
 * - `<!-- settings-table:start -->` … `<!-- settings-table:end -->`: the settings table, from
 *   `src/config/variables.ts`.
 *
 *   deno task readme            rewrite README.md
 *   deno task readme --check    exit 1 when README.md differs (what the test checks too)
 *
 * Tables are formatted by `deno fmt`, so the README stays `deno fmt --check` clean.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { SETTINGS_VARIABLES } from "../src/config/variables.ts";
import { runFlags } from "../src/permissions.ts";

/** The README this script maintains. */
export const README = fileURLToPath(new URL("../README.md", import.meta.url));

/** The `deno run` command a user runs from a clone, with the binary's permissions. */
export function denoRunBlock(indent = "  "): string {
  const flags = runFlags();
  const net = flags.filter((f) => f.startsWith("--allow-net"));
  const env = flags.filter((f) => f.startsWith("--allow-env"));
  const rest = flags.filter((f) => !net.includes(f) && !env.includes(f));
  const lines = [
    "```sh",
    `deno run ${net.join(" ")} \\`,
    `  ${env.join(" ")} \\`,
    `  ${rest.join(" ")} main.ts --help`,
    "```",
  ];
  return lines.map((l) => indent + l).join("\n");
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** The settings table, unformatted (one row per variable of `SETTINGS_VARIABLES`). */
export function settingsTableRaw(): string {
  const rows = SETTINGS_VARIABLES.map((v) => {
    const def = v.default.startsWith("(") ? v.default : `\`${v.default}\``;
    return `| \`${v.name}\` | ${cell(def)} | ${cell(v.description)} |`;
  });
  return ["| variable | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

/** Markdown formatted as `deno fmt` formats it. */
export async function formatMarkdown(markdown: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(markdown + "\n"));
  await writer.close();
  const out = await child.output();
  if (!out.success) {
    throw new Error(`deno fmt failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trimEnd();
}

/** `text` with the block between `<!-- name:start -->` and `<!-- name:end -->` replaced. */
export function replaceBlock(text: string, name: string, body: string): string {
  const start = new RegExp(`^([ \\t]*)<!-- ${name}:start -->[ \\t]*$`, "m");
  const m = start.exec(text);
  if (!m) throw new Error(`README.md has no "<!-- ${name}:start -->" line`);
  const endMarker = `<!-- ${name}:end -->`;
  const from = m.index + m[0].length;
  const to = text.indexOf(endMarker, from);
  if (to < 0) throw new Error(`README.md has no "${endMarker}" after its start`);
  const lineStart = text.lastIndexOf("\n", to) + 1;
  return text.slice(0, from) + "\n" + body + "\n" + text.slice(lineStart);
}

/** The README `text` with every generated block written from the code. */
export async function renderReadme(text: string): Promise<string> {
  let out = replaceBlock(text, "permissions", denoRunBlock());
  out = replaceBlock(out, "settings-table", `\n${await formatMarkdown(settingsTableRaw())}\n`);
  return out;
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  const text = await Deno.readTextFile(README);
  const rendered = await renderReadme(text);
  if (rendered === text) {
    console.error("README.md is up to date");
  } else if (check) {
    console.error(
      "README.md differs from src/permissions.ts and src/config/variables.ts: run `deno task readme`",
    );
    Deno.exit(1);
  } else {
    await Deno.writeTextFile(README, rendered);
    console.error("README.md: rewrote the permissions line and the settings table");
  }
}
