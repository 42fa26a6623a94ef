/**
 * One export into a folder, in-process, against the built-in simulator: what the teams and
 * privacy tests render and then read back.
 */
import { join } from "node:path";
import type { IdentityFilter } from "../../src/privacy/pseudonym.ts";
import { roster } from "../../src/simulator/data.ts";
import type { startSimulator } from "../../src/simulator/mod.ts";
import type { Format } from "../../src/views/formats.ts";
import { viewsFor } from "../../src/views/registry.ts";
import type { TeamsViewOptions } from "../../src/views/teams.ts";
import { exportFromSimulator } from "../_simulator_export.ts";

export const NOW = Date.parse("2026-11-20T12:00:00Z");
export const USERS = 24;

/** The simulator's identities (seed 1, the default). */
export function identities(): { name: string; kind: "user" | "service_account" }[] {
  return roster(1, USERS).map((i) => ({ name: i.name, kind: i.kind }));
}

/** Renders the last 28 days into `dir` (store in `storeDir`). */
export async function exportInto(
  sim: Awaited<ReturnType<typeof startSimulator>>,
  dir: string,
  storeDir: string,
  o: { formats: Format[]; teams?: TeamsViewOptions; identities?: IdentityFilter },
): Promise<void> {
  await exportFromSimulator({
    url: sim.url,
    dir,
    now: NOW,
    credits: true, // as the CLI connects: credits beside the activity
    storeDir,
    views: viewsFor(o.formats, { enterpriseId: "e1", teams: o.teams }),
    identities: o.identities,
  });
}

/** Every file under `dir` (relative, `/`), `.store` and dot-files left out. */
export async function outputFiles(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(dir, rel))) {
    if (e.name.startsWith(".")) continue;
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await outputFiles(dir, path));
    else out.push(path);
  }
  return out.sort();
}

/** A CSV file's rows as objects (no quoted commas in these files). */
export async function readCsv(path: string): Promise<Record<string, string>[]> {
  const lines = (await Deno.readTextFile(path)).trim().split("\r\n");
  const header = lines[0].split(",");
  return lines.slice(1).map((l) => {
    const cells = l.split(",");
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
}
