// Entering ACPI S5 (soft off): the one way the kernel powers the machine
// off, for the power button and for `exit` without isa-debug-exit.
// ACPI 6.5 §7.4.2 and §16.1.7: `\_S5` is a Package whose first two
// Integers are SLP_TYPa and SLP_TYPb. With fixed hardware the kernel writes
// SLP_TYPx into bits 10-12 of PM1a_CNT (and PM1b_CNT) together with SLP_EN
// (bit 13), one 16-bit write each; on a hardware-reduced platform it writes
// SLP_TYPa into bits 2-4 of the FADT's sleep control register with
// SLP_EN (bit 5). `\_PTS(5)` runs first when the firmware has one.
// Owns: the SLP_TYP/SLP_EN writes and the reading of `\_S5`. May call: the
// AML subsystem (evaluation), acpi/registers.ts, the console. Never: writes
// a sleep register it could not reach or a SLP_TYP that `\_S5` did not give.

import { log } from "../console/log";
import { rdtsc } from "../hw";
import { Fadt } from "./fadt";
import { registersOf } from "./registers";
import { amlCallWithIntegers, amlFind, amlEvaluate } from "../aml/index";
import { AmlInteger, AmlMethod, AmlPackage, typeName } from "../aml/objects";

const SLP_TYP_SHIFT: u32 = 10;
const SLP_TYP_MASK: u32 = 7 << 10;
const SLP_EN: u32 = 1 << 13;
const HW_REDUCED_SLP_TYP_SHIFT: u32 = 2;
const HW_REDUCED_SLP_EN: u32 = 1 << 5;

/** TSC ticks to wait for the platform to act on SLP_EN: about a second on a 2-3 GHz TSC. */
const S5_GRACE_TSC: u64 = 1 << 31;

let fadt: Fadt | null = null;

export function sleepInit(f: Fadt | null): void {
  fadt = f;
}

/** SLP_TYPa and SLP_TYPb from `\_S5`, or an error naming what is wrong. */
export class SleepType {
  a: u32 = 0;
  b: u32 = 0;
  error: string = "";
}

export function readS5(): SleepType {
  const t = new SleepType();
  const outcome = amlEvaluate("\\_S5");
  if (outcome.error.length > 0) { t.error = "\\_S5: " + outcome.error; return t; }
  const result = outcome.result;
  if (!(result instanceof AmlPackage)) {
    t.error = "\\_S5 is a " + (result == null ? "nothing" : typeName(result.type)) + ", not a Package";
    return t;
  }
  const e = (result as AmlPackage).elements;
  if (e.length < 1 || !(e[0] instanceof AmlInteger)) { t.error = "\\_S5 does not begin with an Integer SLP_TYPa"; return t; }
  const a = (e[0] as AmlInteger).value;
  if (e.length >= 2 && !(e[1] instanceof AmlInteger)) { t.error = "\\_S5's second element (SLP_TYPb) is not an Integer"; return t; }
  const b = e.length >= 2 ? (e[1] as AmlInteger).value : a;
  if (a > 7 || b > 7) { t.error = "\\_S5 gives SLP_TYP 0x" + a.toString(16) + "/0x" + b.toString(16) + ", beyond the 3-bit field"; return t; }
  t.a = <u32>a;
  t.b = <u32>b;
  return t;
}

/**
 * Enters S5. Returns only if the machine is still running: then the reason
 * (the write was refused, or made and ignored) has been logged.
 */
export function enterS5(): void {
  const f = fadt;
  if (f == null) { log("power", "no FADT: no way to enter S5"); return; }
  const t = readS5();
  if (t.error.length > 0) { log("power", "cannot enter S5: " + t.error); return; }
  const pts = amlFind("\\_PTS");
  if (pts != null && pts.object instanceof AmlMethod) {
    const outcome = amlCallWithIntegers(pts, [5]);
    if (outcome.error.length > 0) log("power", "\\_PTS(5) failed: " + outcome.error + "; entering S5 all the same");
  }
  if (f.hardwareReduced) {
    const ctl = registersOf(f.sleepControl, 1, "SLEEP_CONTROL_REG");
    if (ctl == null) { log("power", "hardware-reduced FADT without a usable sleep control register: cannot enter S5"); return; }
    log("power", "entering S5: SLP_TYP " + t.a.toString() + " to the sleep control register");
    ctl.write8(0, ((t.a << HW_REDUCED_SLP_TYP_SHIFT) & 0x1c) | HW_REDUCED_SLP_EN);
  } else {
    const a = registersOf(f.pm1aCntBlk, 2, "PM1a_CNT_BLK");
    if (a == null) { log("power", "no usable PM1a control block: cannot enter S5"); return; }
    const b = registersOf(f.pm1bCntBlk, 2, "PM1b_CNT_BLK");
    log("power", "entering S5: SLP_TYP " + t.a.toString() + (b != null ? "/" + t.b.toString() : "") + " to PM1 control");
    const va = (a.read16(0) & ~(SLP_TYP_MASK | SLP_EN)) | (t.a << SLP_TYP_SHIFT);
    if (b != null) {
      const vb = (b.read16(0) & ~(SLP_TYP_MASK | SLP_EN)) | (t.b << SLP_TYP_SHIFT);
      a.write16(0, va);
      b.write16(0, vb);
      a.write16(0, va | SLP_EN);
      b.write16(0, vb | SLP_EN);
    } else {
      a.write16(0, va);
      a.write16(0, va | SLP_EN);
    }
  }
  // The hypervisor powers off after the write, not at it (QEMU's main loop
  // takes the request): give it a moment before saying it did not.
  const start = rdtsc();
  while (rdtsc() - start < S5_GRACE_TSC) {}
  log("power", "still running after the S5 write: the platform ignored it");
}
