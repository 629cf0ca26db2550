// ACPI events: ACPI mode, the PM1 fixed events (the power button is the one
// served) and the GPE blocks, and the
// dispatch of an SCI to the `\_GPE._Exx` / `_Lxx` methods.
// Owns: every PM1 and GPE status/enable register, the counters of SCIs,
// GPE dispatches and delivered notifies. May call: hw register access, the
// AML subsystem (evaluation, notify delivery), mm/phys.ts, the console.
// Never: enables a GPE without a method to run for it, leaves a fired
// GPE's status set (a level SCI would storm), or uses a register block the
// kernel cannot reach (memory outside its direct map, ports past 0xFFFF,
// another address space): such a block is logged by name and ignored.
//
// Dispatch order per GPE, as ACPI 6.5 §5.6.4 requires: disable it; for an
// edge GPE clear its status first (an edge arriving during the method is
// then kept, not lost); run its method and deliver the notifies it queued;
// for a level GPE clear its status after (the device has deasserted by
// then); re-enable it.

import { outb } from "../hw";
import { Registers, registersOf } from "./registers";
import { log } from "../console/log";
import { hex } from "../lib/fmt";
import { Fadt, RegisterBlock } from "./fadt";
import { NamespaceNode } from "../aml/namespace";
import { AmlMethod } from "../aml/objects";
import { amlEvaluateQueuingNotifies, amlInterpreter, deliverPendingNotifies } from "../aml/index";

const SCI_EN: u32 = 1;
/** PM1 status and enable bit 8: the fixed-feature power button (ACPI 6.5 §4.8.3.1). */
const PWRBTN: u32 = 1 << 8;
const ACPI_ENABLE_POLLS: i32 = 100000;

/** One GPE block: `registers` status bytes, then as many enable bytes. */
export class GpeBlock {
  /** Per status register, the bits of GPEs that have a method. */
  readonly handledMask: Array<u32>;
  constructor(public regs: Registers, public registers: u32, public firstGpe: u32) {
    this.handledMask = new Array<u32>(<i32>registers);
  }

  contains(gpe: u32): bool {
    return gpe >= this.firstGpe && gpe < this.firstGpe + this.registers * 8;
  }

  enableMask(register: u32): u32 { return this.regs.read8(this.registers + register); }
  setEnableMask(register: u32, mask: u32): void { this.regs.write8(this.registers + register, mask); }
  status(register: u32): u32 { return this.regs.read8(register); }
  clearStatus(register: u32, bits: u32): void { this.regs.write8(register, bits); } // write-1-to-clear
}

export class GpeHandler {
  constructor(public gpe: u32, public method: NamespaceNode, public edge: bool, public block: GpeBlock) {}
}

/** The register blocks events need, as the FADT gives them (tests build their own). */
export class EventRegisters {
  pm1aEvt: RegisterBlock | null = null;
  pm1bEvt: RegisterBlock | null = null;
  pm1EvtLen: u32 = 0;
  pm1aCnt: RegisterBlock | null = null;
  gpe0: RegisterBlock | null = null;
  gpe0Len: u32 = 0;
  gpe1: RegisterBlock | null = null;
  gpe1Len: u32 = 0;
  gpe1Base: u32 = 0;
  smiCmd: u32 = 0;
  acpiEnable: u32 = 0;
  hardwareReduced: bool = false;
  /** The power button is the fixed event PWRBTN_STS (FADT flags PWR_BUTTON clear). */
  fixedPowerButton: bool = false;

  static fromFadt(f: Fadt): EventRegisters {
    const r = new EventRegisters();
    r.pm1aEvt = f.pm1aEvtBlk; r.pm1bEvt = f.pm1bEvtBlk; r.pm1EvtLen = f.pm1EvtLen;
    r.pm1aCnt = f.pm1aCntBlk;
    r.gpe0 = f.gpe0Blk; r.gpe0Len = f.gpe0BlkLen;
    r.gpe1 = f.gpe1Blk; r.gpe1Len = f.gpe1BlkLen; r.gpe1Base = f.gpe1Base;
    r.smiCmd = f.smiCmd; r.acpiEnable = f.acpiEnable;
    r.hardwareReduced = f.hardwareReduced;
    r.fixedPowerButton = f.fixedPowerButton;
    return r;
  }
}

function hexDigitValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

export class AcpiEvents {
  readonly blocks: Array<GpeBlock> = new Array<GpeBlock>();
  readonly handlers: Array<GpeHandler> = new Array<GpeHandler>();
  private pm1: Array<Registers> = new Array<Registers>();
  private pm1Half: u32 = 0;
  sciCount: u32 = 0;
  gpeCount: u32 = 0;
  fixedEventCount: u32 = 0;
  /** Set by an SCI that found PWRBTN_STS; taken (and cleared) by takePowerButton. */
  private powerButtonPressed: bool = false;

  constructor(public config: EventRegisters) {}

  /** Enters ACPI mode, quiets the fixed events, and enables every GPE that has a method. */
  init(): void {
    const c = this.config;
    this.enterAcpiMode();
    this.pm1Half = c.pm1EvtLen / 2;
    const a = registersOf(c.pm1aEvt, c.pm1EvtLen, "PM1a_EVT_BLK"), b = registersOf(c.pm1bEvt, c.pm1EvtLen, "PM1b_EVT_BLK");
    if (a != null) this.pm1.push(a);
    if (b != null) this.pm1.push(b);
    for (let i = 0; i < this.pm1.length; i++) {
      // The power button is the one fixed event handled: disable the rest,
      // clear what is latched.
      this.pm1[i].write16(this.pm1Half, 0);
      this.pm1[i].write16(0, this.pm1[i].read16(0));
      if (c.fixedPowerButton) this.pm1[i].write16(this.pm1Half, PWRBTN);
    }
    if (this.pm1.length > 0) {
      log("acpi", c.fixedPowerButton ? "fixed power button enabled (PM1 PWRBTN_EN)" :
        "the power button is a control-method device (FADT PWR_BUTTON): PWRBTN_EN left clear");
    }
    const g0 = registersOf(c.gpe0, c.gpe0Len, "GPE0_BLK"), g1 = registersOf(c.gpe1, c.gpe1Len, "GPE1_BLK");
    if (g0 != null && c.gpe0Len >= 2) this.blocks.push(new GpeBlock(g0, c.gpe0Len / 2, 0));
    if (g1 != null && c.gpe1Len >= 2) this.blocks.push(new GpeBlock(g1, c.gpe1Len / 2, c.gpe1Base));
    for (let i = 0; i < this.blocks.length; i++) {
      const block = this.blocks[i];
      for (let r: u32 = 0; r < block.registers; r++) {
        block.setEnableMask(r, 0);
        block.clearStatus(r, 0xff);
      }
    }
    this.bindGpeMethods();
    const enabled = new Array<string>();
    for (let i = 0; i < this.handlers.length; i++) {
      this.enable(this.handlers[i]);
      enabled.push((this.handlers[i].edge ? "_E" : "_L") + hex(<u64>this.handlers[i].gpe, 2).toUpperCase());
    }
    log("acpi", "GPE blocks: " + this.blocks.length.toString() + ", enabled " +
      (enabled.length == 0 ? "none" : enabled.join(" ")));
  }

  private enterAcpiMode(): void {
    const c = this.config;
    if (c.hardwareReduced) { log("acpi", "hardware-reduced ACPI: no SCI_EN, no GPE blocks from the FADT"); return; }
    const cnt = registersOf(c.pm1aCnt, 2, "PM1a_CNT_BLK");
    if (cnt == null) { log("acpi", "no PM1a control block; cannot check ACPI mode"); return; }
    if ((cnt.read16(0) & SCI_EN) != 0) { log("acpi", "already in ACPI mode (SCI_EN set)"); return; }
    if (c.smiCmd == 0 || c.acpiEnable == 0) {
      log("acpi", "SCI_EN clear but the FADT gives no SMI_CMD/ACPI_ENABLE; continuing");
      return;
    }
    outb(c.smiCmd, c.acpiEnable);
    for (let i = 0; i < ACPI_ENABLE_POLLS; i++) {
      if ((cnt.read16(0) & SCI_EN) != 0) {
        log("acpi", "entered ACPI mode: wrote 0x" + hex(<u64>c.acpiEnable) + " to SMI_CMD 0x" + hex(<u64>c.smiCmd));
        return;
      }
    }
    log("acpi", "SCI_EN still clear after writing ACPI_ENABLE to SMI_CMD; continuing");
  }

  /** Binds `\_GPE._Exx` and `_Lxx` methods to the GPEs they name. */
  private bindGpeMethods(): void {
    const gpeScope = amlInterpreter().ns.root.child("_GPE");
    if (gpeScope == null) return;
    for (let node: NamespaceNode | null = gpeScope.firstChild; node != null; node = node!.nextSibling) {
      const name = node.name;
      if (name.charCodeAt(0) != 0x5f || (name.charAt(1) != "E" && name.charAt(1) != "L")) continue;
      const hi = hexDigitValue(name.charCodeAt(2)), lo = hexDigitValue(name.charCodeAt(3));
      if (hi < 0 || lo < 0 || !(node.object instanceof AmlMethod)) continue;
      const gpe = <u32>(hi * 16 + lo);
      let block: GpeBlock | null = null;
      for (let b = 0; b < this.blocks.length; b++) if (this.blocks[b].contains(gpe)) block = this.blocks[b];
      if (block == null) {
        log("acpi", "\\_GPE." + name + " names GPE 0x" + hex(<u64>gpe) + ", outside every GPE block; ignored");
        continue;
      }
      this.handlers.push(new GpeHandler(gpe, node, name.charAt(1) == "E", block));
      const bit = gpe - block.firstGpe;
      block.handledMask[bit >> 3] |= <u32>1 << (bit & 7);
    }
  }

  private handlerFor(gpe: u32): GpeHandler | null {
    for (let i = 0; i < this.handlers.length; i++) if (this.handlers[i].gpe == gpe) return this.handlers[i];
    return null;
  }

  private enable(h: GpeHandler): void {
    const bit = h.gpe - h.block.firstGpe;
    h.block.setEnableMask(bit >> 3, h.block.enableMask(bit >> 3) | (<u32>1 << (bit & 7)));
  }

  private disable(block: GpeBlock, bit: u32): void {
    block.setEnableMask(bit >> 3, block.enableMask(bit >> 3) & ~(<u32>1 << (bit & 7)));
  }

  /**
   * Calls `watch(isIo, address, mask)` for every GPE status register that
   * holds a GPE with a method: the registers whose bits a restore raises
   * (vmgenid's GPE among them) and a draw must read first (random/fence.ts).
   */
  forEachHandledStatus(watch: (isIo: bool, address: u64, mask: u32) => bool): i32 {
    let watched = 0;
    for (let b = 0; b < this.blocks.length; b++) {
      const block = this.blocks[b];
      for (let r: u32 = 0; r < block.registers; r++) {
        const mask = block.handledMask[r];
        if (mask != 0 && watch(block.regs.io, block.regs.base + <u64>r, mask)) watched++;
      }
    }
    return watched;
  }

  /** True once for each SCI batch that found the fixed power button pressed. */
  takePowerButton(): bool {
    const pressed = this.powerButtonPressed;
    this.powerButtonPressed = false;
    return pressed;
  }

  /**
   * Serves one SCI: fixed events (PWRBTN_STS is recorded for takePowerButton), then every GPE whose status is set and
   * that is enabled or has a method (a snapshot taken mid-dispatch restores
   * with the GPE disabled; its status must still be served).
   */
  handleSci(): void {
    this.sciCount++;
    for (let i = 0; i < this.pm1.length; i++) {
      const latched = this.pm1[i].read16(0);
      if (latched != 0) {
        this.pm1[i].write16(0, latched);
        this.fixedEventCount++;
        if ((latched & PWRBTN) != 0 && this.config.fixedPowerButton) this.powerButtonPressed = true;
      }
    }
    for (let b = 0; b < this.blocks.length; b++) {
      const block = this.blocks[b];
      for (let r: u32 = 0; r < block.registers; r++) {
        const status = block.status(r);
        if (status == 0) continue;
        const active = status & (block.enableMask(r) | block.handledMask[r]);
        for (let bit: u32 = 0; bit < 8; bit++) {
          if ((active & (<u32>1 << bit)) != 0) this.dispatch(block, r * 8 + bit);
        }
      }
    }
  }

  private dispatch(block: GpeBlock, bit: u32): void {
    const gpe = block.firstGpe + bit;
    const mask = <u32>1 << (bit & 7);
    const h = this.handlerFor(gpe);
    this.disable(block, bit);
    if (h == null) {
      // Enabled by someone else: leave it disabled rather than storm.
      block.clearStatus(bit >> 3, mask);
      log("acpi", "GPE 0x" + hex(<u64>gpe) + " fired with no method; disabled");
      return;
    }
    if (h.edge) block.clearStatus(bit >> 3, mask);
    const error = amlEvaluateQueuingNotifies(h.method);
    if (error.length > 0) log("acpi", h.method.path() + " failed: " + error);
    deliverPendingNotifies();
    if (!h.edge) block.clearStatus(bit >> 3, mask);
    this.enable(h);
    this.gpeCount++;
  }
}
