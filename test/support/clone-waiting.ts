// One race as a user meets it, shared by clones.test.ts (SeaBIOS, every
// QEMU leg) and uefi.test.ts (OVMF): a snapshot, then a clone restored but
// paused (-S) with a request already in its UART, so COM1 and the SCI are
// both pending when it runs. The premise is asserted (the whole request is
// in the stopped clone's UART, tools/qmp/uart.ts) and the answer must come
// from a key reseeded once, before the draw, whichever interrupt came first.
// Owns: nothing but the test body; its QEMUs and folder go with the test.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, onTestFinished } from "vitest";
import { CLONE_NOTIFY } from "../../tools/clone/clones.js";
import { launchQemu } from "../../tools/qemu/launcher.js";
import { sendIntoStoppedUart } from "../../tools/qmp/uart.js";
import { bootKernel, IMAGE, type BootOptions } from "./qemu.js";

const RAND32 = /^rand: epoch=(\d+) ([0-9a-f]{64})$/;

/** Boots with `options`, snapshots, and checks a paused clone of it asked for bytes as it resumes. */
export async function expectWaitingRequestFresh(options: BootOptions & Required<Pick<BootOptions, "machine">>): Promise<void> {
  const parent = await bootKernel({ ...options, snapshots: true });
  await parent.qmp!.hmp("savevm s1");
  const answer = await parent.command("rand 32");
  expect(answer, parent.lines.join("\n")).toMatch(RAND32);
  const continuation = RAND32.exec(answer)![2];
  await parent.qmp!.execute("stop");
  const dir = mkdtempSync(join(tmpdir(), "clonesafe-waiting-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const state = join(dir, "state.qcow2");
  copyFileSync(join(parent.workDir, "state.qcow2"), state);
  // The SCI is served first, and a draw that came first would serve the raised GPE itself (restore-fence.test.ts).
  const clone = await launchQemu({
    image: IMAGE, ...options, workDir: dir, stateDrive: state, loadvm: "s1", lifetimeSec: 300, extra: ["-S"],
  });
  onTestFinished(async () => { await clone.kill(); });
  // The premise, asserted: the whole request is in the stopped clone's UART, or the test fails naming it.
  await sendIntoStoppedUart(clone, clone.qmp!, "rand 32\r");
  await clone.qmp!.execute("cont");
  const drawn = await clone.waitForLine(RAND32);
  const notify = await clone.waitForLine(CLONE_NOTIFY);
  expect(notify.index).toBeLessThan(drawn.index);     // the generation change was handled first
  expect(notify.match.slice(3)).toEqual(["1", "2"]);  // changed=1, reseeded once: epoch 2
  expect(drawn.match[1]).toBe("2");                   // the draw used that key
  expect(drawn.match[2]).not.toBe(continuation);
  expect(clone.lines.filter((l) => CLONE_NOTIFY.test(l))).toHaveLength(1);
}
