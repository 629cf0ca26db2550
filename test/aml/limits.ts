// The limit cases in test/aml/limits/*.asl and their expected outcomes.
//
// Contract: an ASL file's header carries one `// expect <path>: <outcome>`
// line per evaluation, in order, where <outcome> is `error <substring of the
// error message>` or `result <the result's JSON, exactly>`, and any number
// of `// expect boot: <substring of a serial line>` lines that only a real
// boot can show (QEMU). limitCases() lists the files that have such lines
// (uACPI's test cases carry their expectations the same way); compileLimit()
// compiles one with iasl into a directory the caller owns and removes.
// Used twice per file: on the host build (test/unit/aml-limits.test.ts) and
// in QEMU on the real image (test/integration/aml-limits.test.ts).

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";

export const LIMITS_DIR = resolve(import.meta.dirname, "limits");

export interface EvalExpectation {
  path: string;
  kind: "error" | "result";
  /** error: a substring of the message; result: the exact JSON of the result. */
  text: string;
}

export interface LimitCase {
  name: string;
  asl: string;
  evals: EvalExpectation[];
  boot: string[];
}

const EXPECT = /^\/\/ expect (\S+): (error|result) (.+)$/;
const EXPECT_BOOT = /^\/\/ expect boot: (.+)$/;

export function parseLimitCase(asl: string): LimitCase {
  const evals: EvalExpectation[] = [];
  const boot: string[] = [];
  for (const line of readFileSync(asl, "utf8").split("\n")) {
    const b = EXPECT_BOOT.exec(line);
    if (b) { boot.push(b[1]); continue; }
    const m = EXPECT.exec(line);
    if (m) evals.push({ path: m[1], kind: m[2] as "error" | "result", text: m[3] });
    else if (line.startsWith("// expect")) throw new Error(`${asl}: malformed expectation line: ${line}`);
  }
  return { name: basename(asl, ".asl"), asl, evals, boot };
}

/** Every limits file whose header states expected outcomes, sorted by name. */
export function limitCases(): LimitCase[] {
  return readdirSync(LIMITS_DIR).filter((f) => f.endsWith(".asl")).sort()
    .map((f) => parseLimitCase(join(LIMITS_DIR, f)))
    .filter((c) => c.evals.length > 0 || c.boot.length > 0);
}

/** Compiles `c` with iasl into `dir`; returns the .aml path. */
export function compileLimit(c: LimitCase, dir: string): string {
  const out = join(dir, c.name);
  execFileSync("iasl", ["-p", out, c.asl], { stdio: "ignore" });
  return `${out}.aml`;
}

/** What one evaluation gave: the `aml` shell command's JSON or the host CLI's line. */
export interface EvalLine { path?: string; result?: unknown; error?: string }

/** "" when `line` meets `e`, else what is wrong. */
export function checkEval(e: EvalExpectation, line: EvalLine | undefined): string {
  if (line === undefined) return `${e.path}: no answer`;
  if (e.kind === "error") {
    if (typeof line.error !== "string") return `${e.path}: expected an error containing "${e.text}", got ${JSON.stringify(line)}`;
    if (!line.error.includes(e.text)) return `${e.path}: expected an error containing "${e.text}", got "${line.error}"`;
    return "";
  }
  if (line.error !== undefined) return `${e.path}: expected result ${e.text}, got error "${line.error}"`;
  if (JSON.stringify(line.result) !== JSON.stringify(JSON.parse(e.text))) {
    return `${e.path}: expected result ${e.text}, got ${JSON.stringify(line.result)}`;
  }
  return "";
}
