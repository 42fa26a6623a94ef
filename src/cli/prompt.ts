/**
 * Reading a secret: typed at a terminal without echo (`auth login`), or piped on stdin
 * (`auth login --token-stdin`).
 *
 * The key handling is a pure state machine (`feedSecretKeys`) so it is tested without a
 * terminal; `readSecret` only moves bytes between the terminal and it.
 *
 * @module
 */
import { InterruptedError, UsageError } from "../errors.ts";

/** The state of a secret being typed. */
export interface SecretInput {
  /** The bytes typed so far (UTF-8). */
  readonly bytes: readonly number[];
  /** `reading` until Enter or ^D (`done`) or ^C (`interrupted`). */
  readonly status: "reading" | "done" | "interrupted";
  /** Inside an escape sequence (arrow keys, bracketed-paste markers), which is ignored. */
  readonly escape: "none" | "esc" | "csi";
}

/** The state before the first key. */
export const EMPTY_SECRET_INPUT: SecretInput = { bytes: [], status: "reading", escape: "none" };

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = 0x08;
const LF = 0x0a;
const CR = 0x0d;
const CTRL_U = 0x15;
const ESC = 0x1b;
const DEL = 0x7f;

/**
 * The state after the bytes `chunk` from a terminal in raw mode. Enter (CR or LF) and ^D end
 * the input, ^C interrupts it, Backspace/Delete erase the last character, ^U erases all;
 * escape sequences and other control characters are ignored. Bytes after the end are ignored.
 * Pure.
 */
export function feedSecretKeys(state: SecretInput, chunk: Uint8Array): SecretInput {
  let bytes = [...state.bytes];
  let status = state.status;
  let escape = state.escape;
  for (const byte of chunk) {
    if (status !== "reading") break;
    if (escape === "esc") {
      escape = byte === 0x5b /* [ */ || byte === 0x4f /* O */ ? "csi" : "none";
    } else if (escape === "csi") {
      if (byte >= 0x40 && byte <= 0x7e) escape = "none";
    } else if (byte === CR || byte === LF || byte === CTRL_D) {
      status = "done";
    } else if (byte === CTRL_C) {
      status = "interrupted";
    } else if (byte === BACKSPACE || byte === DEL) {
      bytes = eraseLastCharacter(bytes);
    } else if (byte === CTRL_U) {
      bytes = [];
    } else if (byte === ESC) {
      escape = "esc";
    } else if (byte >= 0x20) {
      bytes.push(byte);
    }
  }
  return { bytes, status, escape };
}

/** The text typed so far. */
export function secretText(state: SecretInput): string {
  return new TextDecoder().decode(new Uint8Array(state.bytes));
}

/** `bytes` without its last UTF-8 character (continuation bytes are 0b10xxxxxx). */
function eraseLastCharacter(bytes: number[]): number[] {
  let end = bytes.length - 1;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.slice(0, Math.max(end, 0));
}

/**
 * Writes `prompt` to stderr and reads one line from the terminal without echoing it.
 *
 * @throws {UsageError} when stdin is not a terminal (use `--token-stdin` then)
 * @throws {InterruptedError} on ^C
 */
export async function readSecret(prompt: string): Promise<string> {
  if (!Deno.stdin.isTerminal()) {
    throw new UsageError(
      "Cannot prompt for the token: stdin is not a terminal; pipe it with --token-stdin",
    );
  }
  const encoder = new TextEncoder();
  await Deno.stderr.write(encoder.encode(prompt));
  let state = EMPTY_SECRET_INPUT;
  const buffer = new Uint8Array(1024);
  Deno.stdin.setRaw(true);
  try {
    while (state.status === "reading") {
      const n = await Deno.stdin.read(buffer);
      if (n === null) break;
      state = feedSecretKeys(state, buffer.subarray(0, n));
    }
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(encoder.encode("\n"));
  }
  if (state.status === "interrupted") throw new InterruptedError();
  return secretText(state);
}

/** Reads all of stdin as text, without its trailing newline(s) (`--token-stdin`). */
export async function readAllStdin(): Promise<string> {
  const text = await new Response(Deno.stdin.readable).text();
  return text.replace(/[\r\n]+$/, "");
}
