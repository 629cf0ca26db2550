// The line shell of the serial protocol.
// Owns: line editing (echo, backspace, ^C, length limit), the command
// registry, and the answer rule: every command line gets exactly one line
// that starts with `<command>:`, or `error: <what was wrong>`.
// May call: the console. Never: knows what any command does; subsystems
// register their own commands.

import { uartPutByte, uartWrite } from "./uart";
import { writeLine } from "./log";

export const MAX_LINE: i32 = 240;

export class Answer {
  constructor(public ok: bool, public text: string, public printed: bool = false) {}
}

export function ok(text: string): Answer {
  return new Answer(true, text);
}

export function fail(text: string): Answer {
  return new Answer(false, text);
}

/**
 * The command wrote its own `<command>: ...` line (output that must go out
 * piece by piece, like random bytes behind the restore fence).
 */
export function printed(): Answer {
  return new Answer(true, "", true);
}

export type Handler = (args: Array<string>) => Answer;

class Command {
  constructor(
    public name: string,
    public usage: string,
    public handler: Handler,
  ) {}
}

const commands = new Array<Command>();

/** `usage` is the name plus its arguments, as `help` shows it. */
export function registerCommand(name: string, usage: string, handler: Handler): void {
  commands.push(new Command(name, usage, handler));
}

function findCommand(name: string): Command | null {
  for (let i = 0; i < commands.length; i++) {
    if (commands[i].name == name) return commands[i];
  }
  return null;
}

export function commandUsages(): string {
  const usages = new Array<string>();
  for (let i = 0; i < commands.length; i++) usages.push(commands[i].usage);
  usages.sort();
  return usages.join(", ");
}

/** Splits on runs of spaces; no quoting (no command needs it). */
export function tokenize(line: string): Array<string> {
  const tokens = new Array<string>();
  let start = -1;
  for (let i = 0; i <= line.length; i++) {
    const blank = i == line.length || line.charCodeAt(i) == 0x20;
    if (blank && start >= 0) {
      tokens.push(line.substring(start, i));
      start = -1;
    } else if (!blank && start < 0) {
      start = i;
    }
  }
  return tokens;
}

/** The answer line for one command line, or "" for a blank line or a command that printed its own. */
export function execute(line: string): string {
  const tokens = tokenize(line);
  if (tokens.length == 0) return "";
  const name = tokens[0];
  const command = findCommand(name);
  if (command == null) return "error: unknown command \"" + name + "\" (try help)";
  const answer = command.handler(tokens.slice(1));
  if (answer.printed) return "";
  return answer.ok ? name + ": " + answer.text : "error: " + name + ": " + answer.text;
}

// ---- line editor -----------------------------------------------------------

const BACKSPACE: u32 = 0x08;
const DELETE: u32 = 0x7f;
const CTRL_C: u32 = 0x03;
const TAB: u32 = 0x09;
const CR: u32 = 0x0d;
const LF: u32 = 0x0a;

const lineBuffer = new Array<i32>();
let lineProblem = ""; // set when the line can no longer be executed as typed
let lastWasCR = false;

function finishLine(): void {
  uartWrite("\r\n");
  let answer: string;
  if (lineProblem.length > 0) {
    answer = "error: " + lineProblem;
  } else {
    answer = execute(String.fromCharCodes(lineBuffer));
  }
  lineBuffer.length = 0;
  lineProblem = "";
  if (answer.length > 0) writeLine(answer);
}

/** Feeds one received byte; echoes it and runs the line at CR or LF. */
/** Feeds one received byte; true when it ended a line (and so ran a command). */
export function shellFeedByte(byte: u32): bool {
  const afterCR = lastWasCR;
  lastWasCR = byte == CR;
  if (byte == LF && afterCR) return false; // CR LF is one line end
  if (byte == CR || byte == LF) {
    finishLine();
    return true;
  } else if (byte == BACKSPACE || byte == DELETE) {
    if (lineBuffer.length > 0) {
      lineBuffer.length = lineBuffer.length - 1;
      uartWrite("\b \b");
    }
  } else if (byte == CTRL_C) {
    lineBuffer.length = 0;
    lineProblem = "";
    uartWrite("^C\r\n");
  } else if (lineProblem.length > 0) {
    // Discard the rest of a line that is already rejected.
  } else if (byte < 0x20 && byte != TAB || byte > 0x7e) {
    lineProblem = "line contains the control or non-ASCII byte 0x" + (<u32>byte).toString(16) + "; ignored";
  } else if (lineBuffer.length >= MAX_LINE) {
    lineProblem = "line longer than " + MAX_LINE.toString() + " characters; ignored";
  } else {
    const c = byte == TAB ? 0x20 : <i32>byte;
    lineBuffer.push(c);
    uartPutByte(<u32>c); // echo without allocating: keystrokes leave no garbage
  }
  return false;
}

function helpCommand(args: Array<string>): Answer {
  if (args.length != 0) return fail("takes no arguments");
  return ok(commandUsages());
}

registerCommand("help", "help", helpCommand);
