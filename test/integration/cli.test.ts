// The `clonesafe` CLI as a user runs it, with everyday mistakes (issue 13):
// black-box, spawning the bundled CLI. Each test gets its own copy of the
// bundle and image in a fresh folder (its "build/": build/qmp.sock and
// build/state.qcow2 are that folder's), and its own TMPDIR inside it; at the
// end no process whose command line names that folder may be left, and the
// folder is removed, pass or fail.

import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { QmpClient } from "../../tools/qmp/client.js";

const REPO = resolve(import.meta.dirname, "../..");

interface Run { code: number | null; signal: string | null; stdout: string; stderr: string }

/** A fresh fake build folder: tools/clonesafe.mjs, clonesafe.elf and tmp/ (the CLI's TMPDIR). */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), "clonesafe-cli-"));
  mkdirSync(join(dir, "tools"));
  mkdirSync(join(dir, "tmp"));
  copyFileSync(resolve(REPO, "build/tools/clonesafe.mjs"), join(dir, "tools/clonesafe.mjs"));
  copyFileSync(resolve(REPO, "build/clonesafe.elf"), join(dir, "clonesafe.elf"));
  return dir;
}

/** Processes whose command line names `dir` (QEMU names its image and sockets there). */
function leftovers(dir: string): number[] {
  const r = spawnSync("pgrep", ["-f", dir], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l.trim() !== "").map(Number).filter((p) => p !== process.pid);
}

/**
 * Processes still naming `dir` once those being torn down have had up to
 * 5 s to go (a process killed by the CLI may still be exiting as the CLI
 * returns): each with its command line, so a real leftover names itself.
 */
async function lastingLeftovers(dir: string): Promise<string[]> {
  const deadline = Date.now() + 5000;
  let left = leftovers(dir);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50); // poll interval of a condition wait
    left = leftovers(dir);
  }
  return left.map((pid) => `${pid} ${spawnSync("ps", ["-o", "stat=,args=", "-p", String(pid)], { encoding: "utf8" }).stdout.trim()}`);
}

function cleanUp(dir: string, children: ChildProcess[]): void {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
      try { process.kill(-c.pid, "SIGKILL"); } catch { /* gone */ }
    }
  }
  for (const pid of leftovers(dir)) {
    try { process.kill(pid, "SIGKILL"); } catch { /* gone */ }
  }
  rmSync(dir, { recursive: true, force: true });
}

/** A fake build folder for this test, cleaned up when it ends. */
function testBuild(): { dir: string; children: ChildProcess[] } {
  const dir = fakeBuild();
  const children: ChildProcess[] = [];
  onTestFinished(() => cleanUp(dir, children));
  return { dir, children };
}

function env(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, TMPDIR: join(dir, "tmp") };
}

/** Runs the CLI to completion (60 s at most: nothing it does here should wait longer). */
function cli(dir: string, args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [join(dir, "tools/clonesafe.mjs"), ...args], { env: env(dir), timeout: 60_000, encoding: "utf8" },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: unknown; signal?: string | null; killed?: boolean }) | null;
        if (e?.killed) done({ code: null, signal: "timeout", stdout, stderr: stderr + "\n[still running after 60 s]" });
        else done({ code: e ? (typeof e.code === "number" ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
      });
  });
}

interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<Run>;
  waitFor(stream: "stdout" | "stderr", pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Starts the CLI in the background, in its own process group (so cleanup can take it and its QEMU). */
function start(dir: string, children: ChildProcess[], args: string[]): Running {
  const child = spawn(process.execPath, [join(dir, "tools/clonesafe.mjs"), ...args], {
    env: env(dir), stdio: ["pipe", "pipe", "pipe"], detached: true,
  });
  children.push(child);
  let out = "", err = "";
  child.stdout!.setEncoding("latin1").on("data", (d: string) => { out += d; });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => { err += d; });
  const exited = new Promise<Run>((res) => {
    child.once("close", (code, signal) => res({ code, signal, stdout: out, stderr: err }));
  });
  let done = false;
  void exited.then(() => { done = true; });
  return {
    child, out: () => out, err: () => err, exited,
    async waitFor(stream, pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(stream === "stdout" ? out : err)) {
        if (done) throw new Error(`clonesafe ${args.join(" ")} exited before ${pattern}:\n${out}\n${err}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} from clonesafe ${args.join(" ")} within ${timeoutMs} ms:\n${out}\n${err}`);
        await sleep(50);
      }
    },
  };
}

function tmpEntries(dir: string): string[] {
  return readdirSync(join(dir, "tmp"));
}

describe("the clonesafe CLI, used as the README shows and with everyday mistakes", () => {
  it("--help works for every command; usage errors exit 2 with a hint and make nothing", async () => {
    const { dir } = testBuild();
    for (const command of ["run", "snapshot", "clone", "migrate-file", "aml", "compare"]) {
      for (const flag of ["--help", "-h"]) {
        const r = await cli(dir, [command, flag]);
        expect(r.code, `${command} ${flag}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^usage: clonesafe ${command} `));
        expect(r.stderr).toBe("");
      }
    }
    for (const args of [
      ["clone", "--state", "x.qcow2", "--tag", "s1", "--count", "0"],
      ["clone", "--tag", "s1"],
      ["clone", "--state", "x.qcow2", "--tag", "s1", "--machine", "isapc"],
      ["clone", "--bogus"],
      ["snapshot", "--qmp", "x.sock"],
      ["migrate-file", "--qmp", "x.sock", "--bogus"],
      ["run", "--machine", "isapc"],
      ["run", "--firmware", "coreboot"],
      ["run", "--firmware", "uefi", "--machine", "microvm"],
      ["run", "--firmware", "uefi", "--boot", "pvh"],
      ["clone", "--state", "x.qcow2", "--tag", "s1", "--firmware", "coreboot"],
      ["aml", "--bogus"],
      ["compare", "--peer", "freebsd"],
      ["compare", "--trials", "0"],
      ["compare", "--machine", "isapc"],
      ["compare", "--only", "everything"],
      ["compare", "--from-json", "saved.json", "--trials", "3"],
    ]) {
      const r = await cli(dir, args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines, r.stderr).toHaveLength(2);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).not.toMatch(/To specify a positional argument/);
      expect(lines[1]).toBe(`(clonesafe ${args[0]} --help shows its usage)`);
      expect(tmpEntries(dir), args.join(" ")).toEqual([]);
    }
    const missing = await cli(dir, ["clone", "--state", join(dir, "missing.qcow2"), "--tag", "s1"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: cannot read the state file .*missing\.qcow2: ENOENT\n$/);
    expect(tmpEntries(dir)).toEqual([]);
    // compare renders saved results without running anything; a file that is not its JSON is a failure.
    const saved = join(dir, "saved.json");
    writeFileSync(saved, JSON.stringify({
      date: "2026-12-03T00:00:00Z", command: "make compare", trials: 1, peer: null,
      machine: { cpu: "c", cores: 2, memoryGiB: 1, os: "o", kernel: "k", node: "n", qemu: "q", gcc: "g", wasm2c: "w", accelerator: "tcg" },
      rows: [{ id: "boot", what: "Boot: QEMU start → ready line", machine: "pc", how: "boot", better: null, cells: { clonesafe: { text: "400 ms", score: 400 } } }],
    }));
    const rendered = await cli(dir, ["compare", "--from-json", saved]);
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(rendered.stdout).toMatch(/^Boot: QEMU start → ready line +pc +400 ms$/m);
    writeFileSync(saved, "{}");
    const notOurs = await cli(dir, ["compare", "--from-json", saved]);
    expect(notOurs.code).toBe(1);
    expect(notOurs.stderr).toMatch(/^error: .*saved\.json is not the JSON clonesafe compare writes\n$/);
  });

  it("run: a QEMU that fails to start is a failure with QEMU's message; --incoming is checked and quoted", async () => {
    const { dir } = testBuild();
    const bogus = await cli(dir, ["run", "--cpu", "bogus"]);
    expect(bogus.code, bogus.stderr).toBe(1);
    expect(bogus.stderr).toMatch(/^error: QEMU failed \(status 1\): "unable to find CPU model 'bogus'"$/m);
    expect(bogus.stderr).not.toMatch(/kernel exit/);
    expect(existsSync(join(dir, "qmp.sock"))).toBe(false);

    mkdirSync(join(dir, "with space"));
    const junk = join(dir, "with space", "not-a-migration");
    writeFileSync(junk, "this is not a migration stream\n");
    const notMigration = await cli(dir, ["run", "--incoming", junk]);
    expect(notMigration.code, notMigration.stderr).toBe(1);
    expect(notMigration.stderr).toMatch(/^error: QEMU failed \(status 1\): "Not a migration stream; load of migration failed: Invalid argument"$/m);
    expect(notMigration.stderr).not.toMatch(/cat: /);

    const missing = await cli(dir, ["run", "--incoming", join(dir, "missing", "file")]);
    expect(missing.code, missing.stderr).toBe(1);
    expect(missing.stderr).toMatch(/^error: cannot read the --incoming file .*missing\/file: ENOENT$/m);
    expect(leftovers(dir)).toEqual([]);
  });

  describe("against a running instance", () => {
    let shared: string; // a build folder whose state.qcow2 holds snapshot s1 (pc), for the clone tests
    beforeAll(() => { shared = fakeBuild(); });
    afterAll(() => cleanUp(shared, []));

    it("run owns build/qmp.sock; snapshot and migrate-file report QEMU's errors; exit 0 removes the socket", async () => {
      const { dir, children } = testBuild();
      const sock = join(dir, "qmp.sock");
      const a = start(dir, children, ["run"]);
      await a.waitFor("stdout", /clonesafe ready/m);

      const second = await cli(dir, ["run", "--cpu", "bogus"]);
      expect(second.code, second.stderr).toBe(1);
      expect(second.stderr).toMatch(/^error: another instance is running: its QMP socket .*qmp\.sock answers/m);

      const holder = await QmpClient.connect(sock); // the first instance is still reachable
      try {
        const busy = await cli(dir, ["snapshot", "--qmp", sock, "--tag", "s0"]);
        expect(busy.code, busy.stderr).toBe(1);
        expect(busy.stderr).toMatch(/^error: no QMP greeting on .* QEMU serves one QMP client at a time/m);
      } finally {
        holder.close();
      }

      const spaced = await cli(dir, ["snapshot", "--qmp", sock, "--tag", "has space"]);
      expect(spaced.code, spaced.stderr).toBe(1);
      expect(spaced.stdout).toBe("");
      expect(spaced.stderr).toBe('error: snapshot "has space" not saved: QEMU answered "savevm: extraneous characters at the end of line"\n');

      const saved = await cli(dir, ["snapshot", "--qmp", sock, "--tag", "s1"]);
      expect(saved.code, saved.stderr).toBe(0);
      expect(saved.stdout).toBe("snapshot: s1 saved\n");

      const badFile = await cli(dir, ["migrate-file", "--qmp", sock, "--file", join(dir, "no", "such", "dir", "vm.state")]);
      expect(badFile.code, badFile.stderr).toBe(1);
      expect(badFile.stderr).toMatch(/^error: migration to .*vm\.state failed/m);
      expect(badFile.stderr).not.toMatch(/usage/);

      a.child.stdin!.write("exit 0\r");
      const end = await a.exited;
      expect(end.code, end.stderr).toBe(0); // the failed migration above left a shell message on stderr: not a QEMU failure
      expect(end.stderr).toMatch(/clonesafe: kernel exit 0 \(status 1\)/);
      expect(existsSync(sock)).toBe(false);
      const after = await cli(dir, ["snapshot", "--qmp", sock, "--tag", "s2"]);
      expect(after.code).toBe(1);
      expect(after.stderr).toBe(`error: no QMP socket at ${sock} (is the instance running?)\n`);

      // A socket nobody listens on (its owner died without removing it).
      const stale = join(dir, "stale.sock");
      spawnSync(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(stale)}, () => process.exit(0))`]);
      expect(existsSync(stale)).toBe(true);
      const refused = await cli(dir, ["snapshot", "--qmp", stale, "--tag", "s2"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`error: nothing listens on ${stale} (a socket left by an instance that has stopped?)\n`);
      expect(leftovers(dir)).toEqual([]);
      copyFileSync(join(dir, "state.qcow2"), join(shared, "state.qcow2"));
    });

    it("Ctrl-C under run is an interrupt (status 130), after migrate-file says the source is paused", async () => {
      const { dir, children } = testBuild();
      const a = start(dir, children, ["run"]);
      await a.waitFor("stdout", /clonesafe ready/m);
      const file = join(dir, "vm state");
      const migrated = await cli(dir, ["migrate-file", "--qmp", join(dir, "qmp.sock"), "--file", file]);
      expect(migrated.code, migrated.stderr).toBe(0);
      expect(migrated.stdout).toBe(`migrate-file: state saved to ${file}\n`);
      expect(migrated.stderr).toMatch(/the source VM is paused \(QMP status postmigrate\)/);
      expect(existsSync(file)).toBe(true);
      a.child.kill("SIGINT"); // the CLI alone, as when not at a terminal: it passes Ctrl-C on to QEMU
      const end = await a.exited;
      expect(end.code, end.stderr).toBe(130);
      expect(end.stderr).toMatch(/clonesafe: interrupted \(Ctrl-C\); QEMU stopped/);
      expect(end.stderr).not.toMatch(/exited on its own/);
      expect(existsSync(join(dir, "qmp.sock"))).toBe(false);
      expect(leftovers(dir)).toEqual([]);
    });

    it("clone names QEMU's reason for a failed restore and leaves nothing behind", async () => {
      const state = join(shared, "state.qcow2");
      expect(existsSync(state), "the snapshot test did not save s1").toBe(true);
      const { dir } = testBuild();
      const junk = join(dir, "junk.qcow2");
      writeFileSync(junk, "not a qcow2 image\n".repeat(100));
      for (const [args, said] of [
        [["--state", state, "--tag", "nope"], /Snapshot 'nope' does not exist/],
        [["--state", state, "--tag", "s1", "--machine", "q35"], /./],
        [["--state", junk, "--tag", "s1"], /qcow2/],
      ] as const) {
        const r = await cli(dir, ["clone", ...args, "--count", "2"]);
        expect(r.code, r.stderr).toBe(1);
        const first = r.stderr.split("\n").find((l) => l.startsWith("error: ")) ?? "";
        expect(first, r.stderr).toMatch(/^error: QEMU failed to start \(status 1\): "/);
        expect(first, r.stderr).toMatch(said);
        expect(r.stderr).toMatch(/^command: qemu-system-x86_64 /m);
        expect(r.stderr).not.toMatch(/ECONNRESET|no QMP greeting/);
        expect(tmpEntries(dir), args.join(" ")).toEqual([]);
        expect(leftovers(dir)).toEqual([]);
      }
    });

    it("Ctrl-C during clone stops every clone and removes their folder", async () => {
      const state = join(shared, "state.qcow2");
      expect(existsSync(state), "the snapshot test did not save s1").toBe(true);
      const { dir, children } = testBuild();
      const c = start(dir, children, ["clone", "--state", state, "--tag", "s1", "--count", "4"]);
      await c.waitFor("stderr", /clone \d: restoring/);
      c.child.kill("SIGINT");
      const end = await c.exited;
      expect(end.code, end.stderr).toBe(130);
      expect(end.stderr).toMatch(/clonesafe clone: interrupted; stopping the clones/);
      expect(tmpEntries(dir)).toEqual([]);
      expect(await lastingLeftovers(dir)).toEqual([]);
    });
  });
});
