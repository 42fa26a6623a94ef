/**
 * The simulator's synthetic data: a roster of identities and, for any day, their
 * editor-language records. Pure and deterministic: the same (seed, users, day) always gives
 * the same records.
 *
 * @module
 */
import { KNOWN_COUNTERS } from "../model/metrics.ts";
import { dayToEpochMs } from "../model/dates.ts";
import { type Rng, rngFor } from "./prng.ts";
import type { SimMetrics, SimRecord } from "./types.ts";

/** Editor names as the docs write them. */
export const EDITORS = ["VSCode", "JetBrains", "Vim/Neovim", "CLI", "Unknown"] as const;
type Editor = typeof EDITORS[number];

/** Language names as the docs write them. */
export const LANGUAGES = [
  "Python",
  "TypeScript",
  "JavaScript",
  "Go",
  "Java",
  "Rust",
  "C++",
  "C#",
] as const;

/** One identity of the roster and how it tends to work. */
export interface SimIdentity {
  readonly index: number;
  readonly kind: "user" | "service_account";
  readonly name: string;
  readonly editor: Editor;
  readonly secondEditor?: Editor;
  readonly languages: readonly string[];
  readonly weekdayActivity: number;
  readonly weekendActivity: number;
}

function pickLanguages(rng: Rng, count: number): string[] {
  const pool = [...LANGUAGES];
  const out: string[] = [];
  while (out.length < count && pool.length) {
    out.push(pool.splice(rng.int(0, pool.length - 1), 1)[0]);
  }
  return out;
}

/** The number of service accounts among `users` identities: about 10%, at least one from 3. */
export function serviceAccountCount(users: number): number {
  return users < 3 ? 0 : Math.max(1, Math.round(users / 10));
}

/** The identities of a (seed, users) simulator: users first, then service accounts. */
export function roster(seed: number, users: number): SimIdentity[] {
  const sa = serviceAccountCount(users);
  const humans = users - sa;
  const out: SimIdentity[] = [];
  for (let index = 0; index < users; index++) {
    const rng = rngFor("identity", seed, index);
    if (index < humans) {
      const editor = rng.weighted<Editor>([
        ["VSCode", 50],
        ["JetBrains", 28],
        ["Vim/Neovim", 8],
        ["CLI", 10],
        ["Unknown", 4],
      ]);
      const second = rng.chance(0.35)
        ? rng.weighted<Editor>([["CLI", 5], ["Unknown", 3], ["VSCode", 1], ["JetBrains", 1]])
        : undefined;
      const dormant = rng.chance(0.1);
      out.push({
        index,
        kind: "user",
        name: `dev${String(index + 1).padStart(3, "0")}@example.com`,
        editor,
        secondEditor: second === editor ? undefined : second,
        languages: pickLanguages(rng, rng.int(1, 3)),
        weekdayActivity: dormant ? 0.1 : 0.55 + rng.next() * 0.4,
        weekendActivity: dormant ? 0.02 : 0.03 + rng.next() * 0.17,
      });
    } else {
      const n = index - humans + 1;
      out.push({
        index,
        kind: "service_account",
        name: `ci-bot-${n}`,
        editor: rng.chance(0.8) ? "CLI" : "Unknown",
        languages: pickLanguages(rng, rng.int(1, 2)),
        weekdayActivity: 0.9,
        weekendActivity: 0.6,
      });
    }
  }
  return out;
}

function zeroMetrics(): SimMetrics {
  const m: SimMetrics = {};
  for (const k of KNOWN_COUNTERS) m[k] = 0;
  return m;
}

/** Scales an integer drawn in [min, max] by `scale`, never below `floor`. */
function draw(rng: Rng, min: number, max: number, scale: number, floor = 0): number {
  return Math.max(floor, Math.round(rng.int(min, max) * scale));
}

function recordMetrics(rng: Rng, editor: Editor, isBot: boolean, scale: number): SimMetrics {
  const m = zeroMetrics();
  const ide = editor === "VSCode" || editor === "JetBrains" || editor === "Vim/Neovim";
  if (ide) {
    const count = draw(rng, 4, 160, scale, 1);
    const accepted = Math.round(count * (0.12 + rng.next() * 0.33));
    const lines = accepted + Math.round(accepted * rng.next() * 2);
    m.completions_count = count;
    m.completions_accepted = accepted;
    m.completions_lines_of_code = lines;
    m.completions_suggested_lines_of_code = lines + Math.round(count * (0.5 + rng.next() * 2));
    if (rng.chance(0.6)) m.chat_messages = draw(rng, 1, 14, scale, 1);
    if (editor !== "Vim/Neovim" && rng.chance(0.55)) {
      m.ide_agent_messages = draw(rng, 1, 18, scale, 1);
      m.ide_agent_lines_of_code = m.ide_agent_messages * rng.int(0, 25);
    }
    if (editor !== "Vim/Neovim" && rng.chance(0.08)) {
      m.remote_agent_messages = draw(rng, 1, 6, scale, 1);
      m.remote_agent_lines_of_code = m.remote_agent_messages * rng.int(5, 40);
    }
  } else if (editor === "CLI") {
    if (isBot || rng.chance(0.15)) {
      m.cli_agent_non_interactive_messages = draw(rng, 2, 40, scale, 1);
      m.cli_agent_non_interactive_lines_of_code = m.cli_agent_non_interactive_messages *
        rng.int(0, 12);
    }
    if (!isBot || rng.chance(0.1)) {
      m.cli_agent_interactive_messages = draw(rng, 1, 22, scale, 1);
      m.cli_agent_interactive_lines_of_code = m.cli_agent_interactive_messages * rng.int(0, 18);
    }
  } else {
    m.remote_agent_messages = draw(rng, 1, 12, scale, 1);
    m.remote_agent_lines_of_code = m.remote_agent_messages * rng.int(3, 45);
  }
  const agentMessages = m.remote_agent_messages + m.ide_agent_messages +
    m.cli_agent_interactive_messages + m.cli_agent_non_interactive_messages;
  m.total_tool_calls = agentMessages * rng.int(1, 5);
  m.total_messages = m.chat_messages + agentMessages;
  m.total_modified_lines_of_code = m.completions_lines_of_code + m.remote_agent_lines_of_code +
    m.ide_agent_lines_of_code + m.cli_agent_interactive_lines_of_code +
    m.cli_agent_non_interactive_lines_of_code;
  return m;
}

function isWeekend(day: string): boolean {
  const wd = new Date(dayToEpochMs(day)).getUTCDay();
  return wd === 0 || wd === 6;
}

/**
 * The editor-language records of one day, in the wire shape (documented casing, all sixteen
 * counters), in roster order (users, then service accounts), each identity's records by
 * editor and language. Throws `RangeError` for an invalid day.
 */
export function generateDayRecords(seed: number, users: number, day: string): SimRecord[] {
  const weekend = isWeekend(day);
  const out: SimRecord[] = [];
  for (const id of roster(seed, users)) {
    const rng = rngFor("day", seed, id.index, day);
    if (!rng.chance(weekend ? id.weekendActivity : id.weekdayActivity)) continue;
    const isBot = id.kind === "service_account";
    const editors: Editor[] = [id.editor];
    if (id.secondEditor && rng.chance(0.3)) editors.push(id.secondEditor);
    const intensity = (weekend ? 0.5 : 1) * (0.5 + rng.next());
    for (const editor of editors) {
      const offset = rng.int(0, id.languages.length - 1);
      const count = rng.int(1, id.languages.length);
      const langs = Array.from(
        { length: count },
        (_, i) => id.languages[(offset + i) % id.languages.length],
      );
      if (editor === "Unknown" || rng.chance(0.05)) langs.push("Unknown");
      const unique = [...new Set(langs)].sort();
      unique.forEach((language, i) => {
        const scale = intensity * (i === 0 ? 1 : 0.25 + rng.next() * 0.5);
        out.push({
          ...(isBot ? { service_account_name: id.name } : { user_email: id.name }),
          editor,
          language,
          metrics: recordMetrics(rng, editor, isBot, scale),
        });
      });
    }
  }
  return out;
}
