// tools/qemu/process.ts, the one spawn of QEMU (the CLI's `run` and the
// launcher): what it keeps of stderr, QEMU's own lines in it, and the
// wording of a failure users see (`error: QEMU failed (status 1): "…"`,
// test/integration/cli.test.ts). A shell stands in for QEMU.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { exitHow, qemuFailed, qemuSaid, spawnQemu, type ExitInfo, type QemuProcess } from "../../tools/qemu/process.js";

function exited(p: QemuProcess): Promise<ExitInfo> {
  return new Promise((res) => { p.child.once("close", (code, signal) => res({ code, signal })); });
}

const FAILING = [
  "echo 'qemu-system-x86_64: warning: TCG does not support requested feature' >&2",
  "echo 'cat: /nonexistent: No such file or directory' >&2",
  "echo \"qemu-system-x86_64: unable to find CPU model 'bogus'\" >&2",
  "exit 1",
].join("; ");

describe("QEMU's process", () => {
  it("words a failure by status or signal, quoting what QEMU said", () => {
    expect(exitHow({ code: 1, signal: null })).toBe("status 1");
    expect(exitHow({ code: null, signal: "SIGKILL" })).toBe("signal SIGKILL");
    expect(exitHow({ code: null, signal: null })).toBe("signal ?");
    expect(qemuFailed({ code: 1, signal: null }, "unable to find CPU model 'bogus'"))
      .toBe(`QEMU failed (status 1): "unable to find CPU model 'bogus'"`);
    expect(qemuFailed({ code: null, signal: "SIGSEGV" }, "a; b", "QEMU failed to start"))
      .toBe(`QEMU failed to start (signal SIGSEGV): "a; b"`);
  });

  it("takes QEMU's own error lines: prefix removed, no warnings, no children's lines", () => {
    const stderr = [
      "qemu-system-x86_64: warning: TCG doesn't support requested feature",
      "sh: 1: cat: not found",
      "  qemu-system-x86_64: Not a migration stream  ",
      "qemu-system-x86_64: terminating on signal 15 from pid 4",
      "qemu-system-i386: load of migration failed: Invalid argument",
    ].join("\n");
    expect(qemuSaid(stderr)).toBe("Not a migration stream; load of migration failed: Invalid argument");
    expect(qemuSaid("qemu-system-x86_64: warning: only a warning\n")).toBe("");
    // A failed -loadvm of a server=on,wait=on socket: QEMU's "info:" line comes first, the reason after.
    expect(qemuSaid([
      "qemu-system-x86_64: -chardev socket,id=serial0,path=/t/serial.sock,server=on,wait=on: info: QEMU waiting for connection on: disconnected:unix:/t/serial.sock,server=on",
      "qemu-system-x86_64: Could not open 'junk.qcow2': Image is not in qcow2 format",
    ].join("\n"))).toBe("Could not open 'junk.qcow2': Image is not in qcow2 format");
  });

  it("stderrEnded waits for what was written after the exit", async () => {
    // The shell exits at once; a child it leaves holding stderr writes later.
    const p = spawnQemu("sh", ["-c", "(sleep 0.5; echo 'qemu-system-x86_64: the late reason' >&2) & exit 1"],
      { stdin: "ignore", stdout: "ignore", stderrLimit: 1000 });
    await new Promise((res) => { p.child.once("exit", res); });
    expect(p.stderr).toBe(""); // the premise: at "exit" the message had not arrived
    await p.stderrEnded;
    expect(qemuSaid(p.stderr)).toBe("the late reason");
  });

  it("captures stderr, passes it on, and reports what came since the mark", async () => {
    const echoed: string[] = [];
    const echo = new Writable({ write(chunk, _enc, done) { echoed.push(String(chunk)); done(); } });
    const p = spawnQemu("sh", ["-c", FAILING], { stdin: "ignore", stdout: "ignore", stderrLimit: 8000, echoStderr: echo });
    expect(p.commandLine).toBe(`sh -c '${FAILING.replace(/'/g, "'\\''")}'`);
    expect(p.stderrSinceMark()).toBe("");
    const end = await exited(p);
    expect(end).toEqual({ code: 1, signal: null });
    expect(echoed.join("")).toBe(p.stderr);
    expect(p.stderr).toMatch(/^qemu-system-x86_64: warning: .*\ncat: .*\nqemu-system-x86_64: unable .*'bogus'\n$/);
    expect(p.stderrSinceMark()).toBe(p.stderr);
    expect(qemuFailed(end, qemuSaid(p.stderrSinceMark()))).toBe(`QEMU failed (status 1): "unable to find CPU model 'bogus'"`);
    p.markStderr();
    expect(p.stderrSinceMark()).toBe("");
  });

  it("keeps only the last stderrLimit characters, since the mark too", async () => {
    const p = spawnQemu("sh", ["-c", "printf 'early %.0s' 1 2 3 4 5 >&2; sleep 1; printf 'late!' >&2"], { stdin: "ignore", stdout: "ignore", stderrLimit: 8 });
    const end = exited(p);
    while (!p.stderr.endsWith("early ")) await new Promise((r) => setTimeout(r, 10));
    expect(p.stderr).toBe("y early "); // of "early early early early early "
    expect(p.stderrSinceMark()).toBe("y early ");
    p.markStderr();
    await end;
    expect(p.stderr).toBe("ly late!");
    expect(p.stderrSinceMark()).toBe("late!");
  });

  it("runs under a timeout guard in its own process group when given a lifetime", async () => {
    const p = spawnQemu("sh", ["-c", "echo started >&2; sleep 30"], { stdin: "ignore", stdout: "ignore", stderrLimit: 100, lifetimeSec: 1 });
    expect(p.commandLine).toBe("sh -c 'echo started >&2; sleep 30'"); // QEMU's line, not the guard's
    expect(p.child.spawnargs.slice(0, 3)).toEqual(["timeout", "--signal=KILL", "1"]);
    const end = await exited(p);
    expect(end).toEqual({ code: null, signal: "SIGKILL" }); // the guard signals its whole group, itself too
    expect(exitHow(end)).toBe("signal SIGKILL");
    expect(p.stderr).toBe("started\n");
    const plain = spawnQemu("sh", ["-c", "kill -TERM $$"], { stdin: "ignore", stdout: "ignore", stderrLimit: 100 });
    const killed = await exited(plain);
    expect(exitHow(killed)).toBe("signal SIGTERM");
  });
});
