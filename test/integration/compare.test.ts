// `make compare`'s harness, kept from rotting: the CLI runs one restore-race
// scenario on both kernels (clonesafe and the Linux peer of
// bench/peers/linux, fetched by `make peer-linux`) on -machine pc, a couple
// of trials each, and must report both in one table and in its JSON. What
// is asserted is what the harness observed, never a timing: every trial of
// both kernels got an answer and a verdict, clonesafe's were all fresh (its
// promise), and the run left no process or folder behind. The full run is
// `make compare` (minutes; not part of the tests). On every QEMU leg
// (tools/qemu/versions.ts; the CLI gets the leg's QEMU through
// CLONESAFE_QEMU and names it in its JSON), each title naming its version.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { CompareResults } from "../../tools/compare/report.js";
import { qemuLegs, type QemuBinaries } from "../../tools/qemu/versions.js";

const REPO = resolve(import.meta.dirname, "../..");
const CLI = resolve(REPO, "build/tools/clonesafe.mjs");
const TRIALS = 2;

interface Run { code: number | null; stdout: string; stderr: string }

/** Processes whose command line names `dir` (the CLI's scratch folder, and so its QEMUs' sockets, is inside it). */
function leftovers(dir: string): number[] {
  const r = spawnSync("pgrep", ["-f", dir], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l.trim() !== "").map(Number).filter((p) => p !== process.pid);
}

function runCli(args: string[], dir: string, qemu: QemuBinaries): Promise<Run> {
  let child: ChildProcess | null = null;
  onTestFinished(() => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
    }
    for (const pid of leftovers(dir)) {
      try { process.kill(pid, "SIGKILL"); } catch { /* gone */ }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return new Promise((done) => {
    child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, TMPDIR: join(dir, "tmp"), CLONESAFE_QEMU: qemu.binary, CLONESAFE_QEMU_IMG: qemu.imgBinary }, stdio: ["ignore", "pipe", "pipe"], detached: true,
    });
    let stdout = "", stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    child.once("close", (code) => done({ code, stdout, stderr }));
  });
}

const LEGS = qemuLegs().map((qemu) => ({ qemu, version: qemu.name }));

describe.each(LEGS)("QEMU $version: make compare's harness (smoke run: one scenario, both kernels, -machine pc)", ({ qemu, version }) => {
  it("reports clonesafe and the Linux peer side by side on the same restores", async () => {
    expect(existsSync(resolve(REPO, "build/peers/linux/vmlinuz")), "make peer-linux fetches the peer").toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "clonesafe-compare-test-"));
    mkdirSync(join(dir, "tmp"));
    const json = join(dir, "compare.json");
    const r = await runCli(["compare", "--machine", "pc", "--trials", String(TRIALS), "--only", "loadvm-stopped", "--json", json], dir, qemu);
    expect(r.code, r.stderr).toBe(0);

    const results = JSON.parse(readFileSync(json, "utf8")) as CompareResults;
    expect(results.machine.qemu).toMatch(new RegExp(`^QEMU emulator version ${version.replace(".", "\\.")}\\.`)); // the leg it ran on
    expect(results.peer?.package).toMatch(/^linux-image-6\.1\.0-\d+-amd64$/);
    expect(results.rows.map((row) => [row.id, row.machine])).toEqual([["race:loadvm-stopped", "pc"]]);
    const { clonesafe, linux } = results.rows[0].cells;
    expect(clonesafe, JSON.stringify(results.rows[0])).toMatchObject({ fresh: TRIALS, total: TRIALS, text: `${TRIALS}/${TRIALS} fresh` });
    // The peer's verdicts are whatever they were; each trial was answered and judged.
    expect(linux?.error, JSON.stringify(linux)).toBeUndefined();
    expect(linux?.total).toBe(TRIALS);
    expect(linux?.text).toMatch(new RegExp(`^\\d/${TRIALS} fresh$`));
    expect(typeof linux?.parentUptimeSec).toBe("number"); // the peer's /init answered `uptime` before the snapshot

    // One table on stdout naming both kernels; progress on stderr.
    expect(r.stdout).toMatch(/^measurement +machine +clonesafe +Linux 6\.1\.0-\d+-amd64 +better$/m);
    expect(r.stdout).toMatch(/Restore race: same process, same GUID.* pc +2\/2 fresh +\d\/2 fresh +(same|clonesafe|LINUX)$/m);
    expect(r.stderr).toMatch(/^compare: race loadvm-stopped, linux -machine pc: 2 trials/m);

    // Nothing left behind: no process naming the run's folder, an empty TMPDIR.
    expect(leftovers(dir)).toEqual([]);
    expect(readdirSync(join(dir, "tmp"))).toEqual([]);
  }, 240_000);
});
