// Runs the bundled CLI's `aml` subcommand for the AML tests.
//
// Contract: runCli(args) spawns `node build/tools/clonesafe.mjs …` and
// resolves with its exit status, stdout and stderr whatever the status.
// amlNamespace / amlEval run one process per table set (all paths in one
// `eval`) and parse the output per the `clonesafe aml` contract; they throw
// with the CLI's stderr when it fails, and with a plain "not built yet"
// message when the bundle has no `aml` subcommand.

import { execFile } from "node:child_process";
import { resolve } from "node:path";
import type { EvalResult } from "../../tools/aml/acpiexec.js";

export const REPO = resolve(import.meta.dirname, "../..");
export const CLI = resolve(REPO, "build/tools/clonesafe.mjs");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [CLI, ...args], { encoding: "utf8", maxBuffer: 256 << 20, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code: unknown = (error as { code?: unknown } | null)?.code;
      if (error?.killed) fail(new Error(`clonesafe ${args.join(" ")} did not finish within ${timeoutMs} ms`));
      else if (error && typeof code !== "number") fail(error); // could not start, or killed by a signal
      else done({ code: error ? (code as number) : 0, stdout, stderr });
    });
  });
}

export function tableArgs(files: readonly string[]): string[] {
  return ["aml", ...files.flatMap((f) => ["--table", f])];
}

function checkRun(run: CliRun, what: string): void {
  if (/unknown command "aml"/.test(run.stderr)) {
    throw new Error(`the CLI has no \`aml\` subcommand yet (build/tools/clonesafe.mjs): ${run.stderr.trim().split("\n")[0]}`);
  }
  if (run.code !== 0) throw new Error(`clonesafe ${what} exited with status ${run.code}: ${run.stderr.trim()}`);
  if (run.stdout !== "" && !run.stdout.endsWith("\n")) {
    throw new Error(`clonesafe ${what}: stdout ends in the middle of a line (${run.stdout.length} bytes, last: ` +
      `${JSON.stringify(run.stdout.slice(-60))}): output lost at exit? process.exit() does not wait for a piped stdout`);
  }
}

/** `clonesafe aml --table … namespace`: the output lines. */
export async function amlNamespace(files: readonly string[]): Promise<string[]> {
  const run = await runCli([...tableArgs(files), "namespace"]);
  checkRun(run, "aml namespace");
  return run.stdout.split("\n").filter((l) => l !== "");
}

/** `clonesafe aml --table … eval P…`: one parsed JSON object per output line. */
export async function amlEval(files: readonly string[], paths: readonly string[]): Promise<{ run: CliRun; lines: EvalResult[] }> {
  const run = await runCli([...tableArgs(files), "eval", ...paths]);
  checkRun(run, "aml eval");
  return { run, lines: parseEvalLines(run.stdout) };
}

export function parseEvalLines(stdout: string): EvalResult[] {
  return stdout.split("\n").filter((l) => l !== "").map((l) => {
    try {
      return JSON.parse(l) as EvalResult;
    } catch {
      throw new Error(`clonesafe aml eval printed a line that is not JSON: ${l}`);
    }
  });
}
