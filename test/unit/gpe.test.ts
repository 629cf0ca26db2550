// GPE dispatch order against a simulated GPE register block: an edge GPE is
// cleared before its method runs, a level GPE after; both are disabled while
// their method runs. A level source that is cleared too early re-latches,
// so the order is what keeps the SCI from storming.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { hostKernel, SimMachine, uint8ArrayId } from "../support/host.js";

const ASL = `DefinitionBlock ("", "SSDT", 2, "CLSAFE", "GPETEST", 1)
{
    OperationRegion (MREG, SystemIO, 0x80, 1)
    Field (MREG, ByteAcc, NoLock, Preserve) { MARK, 8 }
    Device (\\_SB.DEV0) { Name (_HID, "TEST0001") }
    Scope (\\_GPE)
    {
        Method (_E05, 0) { MARK = 0x05
            Notify (\\_SB.DEV0, 0x80) }
        Method (_L06, 0) { MARK = 0x06 }
        Method (_E0F, 0) { MARK = 0x0F }
        Method (_E1F, 0) { MARK = 0x1F } // GPE 31: beyond this 16-GPE block
    }
}`;


let table: Uint8Array;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "clonesafe-gpe-"));
  try {
    writeFileSync(join(dir, "gpe.asl"), ASL);
    execFileSync("iasl", ["-p", join(dir, "gpe"), join(dir, "gpe.asl")], { stdio: "ignore" });
    table = new Uint8Array(readFileSync(join(dir, "gpe.aml")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** GPE0 at 0xafe0 (2 status + 2 enable bytes), PM1 at 0x600, SMI_CMD at 0xb2. */
function chipset(m: SimMachine) {
  const s = { status: [0, 0], enable: [0, 0], levelSource6: false, sciEn: 0, pm1Status: 0, pm1Enable: 0 };
  m.devices.push({
    base: 0xafe0, length: 4,
    read: (port) => (port < 0xafe2 ? s.status[port - 0xafe0] : s.enable[port - 0xafe2]),
    write: (port, _w, v) => {
      if (port >= 0xafe2) { s.enable[port - 0xafe2] = v; return; }
      s.status[port - 0xafe0] &= ~v;                                   // write-1-to-clear
      if (port === 0xafe0 && s.levelSource6) s.status[0] |= 0x40;      // a level source re-latches
    },
  });
  m.devices.push({ base: 0x80, length: 1, read: () => 0, write: (_p, _w, v) => { if (v === 6) s.levelSource6 = false; } });
  m.devices.push({ base: 0xb2, length: 1, read: () => 0, write: (_p, _w, v) => { if (v === 0xf1) s.sciEn = 1; } });
  // PM1 as QEMU's ACPI PM device has it: word registers (status at 0x600,
  // write-1-to-clear; enable at 0x602); a byte written to a register's
  // upper half is ignored (QEMU's access adjustment lands at an odd offset).
  m.devices.push({
    base: 0x600, length: 6,
    read: (port, w) => {
      const words = [s.pm1Status, s.pm1Enable, s.sciEn];
      const v = words[(port - 0x600) >> 1] >> (8 * ((port - 0x600) & 1));
      return w >= 2 ? v & 0xffff : v & 0xff;
    },
    write: (port, w, v) => {
      if ((port & 1) !== 0) return;
      const value = w >= 2 ? v & 0xffff : v & 0xff;
      if (port === 0x600) s.pm1Status &= ~value;
      else if (port === 0x602) s.pm1Enable = value;
    },
  });
  return s;
}

function setup() {
  const m = new SimMachine();
  const s = chipset(m);
  const k = hostKernel(m).kernel;
  k.amlReset();
  expect(k.__getString(k.amlLoadTable(k.__pin(k.__newArray(uint8ArrayId(k), table))))).toBe("");
  k.eventsCreate(0xafe0, 4, 0x600, 4, 0x604, 0xb2, 0xf1);
  return { m, s, k };
}

/** Register writes and method marks after `from`, as readable steps. */
function steps(m: SimMachine, from: number): string[] {
  return m.portLog.slice(from).filter((a) => a.dir === "out" && a.port !== 0x3f8).map((a) => {
    if (a.port === 0x80) return `method ${a.value.toString(16)}`;
    if (a.port === 0xafe0 || a.port === 0xafe1) return `clear ${a.port === 0xafe0 ? "" : "hi "}0x${a.value.toString(16)}`;
    if (a.port === 0xafe2 || a.port === 0xafe3) return `enable ${a.port === 0xafe2 ? "" : "hi "}0x${a.value.toString(16)}`;
    return `out 0x${a.port.toString(16)} 0x${a.value.toString(16)}`;
  });
}

describe("GPE dispatch", () => {
  it("enters ACPI mode and enables exactly the GPEs that have methods", () => {
    const { m, s } = setup();
    expect(m.lines()).toContain("acpi: \\_GPE._E1F names GPE 0x1f, outside every GPE block; ignored");
    expect(s.sciEn).toBe(1);
    expect(s.enable).toEqual([0x60, 0x80]); // GPE 5, 6 and 0x0F; not 0x1F
    expect(s.pm1Enable).toBe(0x100); // the fixed power button, nothing else
    expect(m.lines()).toContain("acpi: fixed power button enabled (PM1 PWRBTN_EN)");
  });

  it("clears an edge GPE before its method and a level GPE after, each disabled meanwhile", () => {
    const { m, s, k } = setup();
    s.status[0] = 0x20 | 0x40;
    s.levelSource6 = true;
    const from = m.portLog.length;
    expect(k.__getString(k.eventsSci())).toBe("sci=1 gpe=2 fixed=0");
    expect(steps(m, from)).toEqual([
      "enable 0x40", "clear 0x20", "method 5", "enable 0x60",   // _E05: edge
      "enable 0x20", "method 6", "clear 0x40", "enable 0x60",   // _L06: level
    ]);
    expect(s.status).toEqual([0, 0]); // nothing left to raise another SCI
    expect(m.lines()).toContain("acpi: notify \\_SB_.DEV0 0x80");
  });

  it("dispatches GPEs in the second register and leaves disabled ones alone", () => {
    const { m, s, k } = setup();
    s.status = [0x01, 0x80]; // GPE 0 has no method and is not enabled; GPE 0x0F is
    const from = m.portLog.length;
    expect(k.__getString(k.eventsSci())).toBe("sci=1 gpe=1 fixed=0");
    expect(steps(m, from)).toEqual(["enable hi 0x0", "clear hi 0x80", "method f", "enable hi 0x80"]);
    expect(s.status).toEqual([0x01, 0]);
  });

  it("clears latched PM1 fixed events so they cannot storm, and records a power button press once", () => {
    const { s, k } = setup();
    s.pm1Status = 0x100; // power button
    expect(k.__getString(k.eventsSci())).toBe("sci=1 gpe=0 fixed=1");
    expect(s.pm1Status).toBe(0);
    expect(k.eventsTakePowerButton()).toBe(1);
    expect(k.eventsTakePowerButton()).toBe(0);
    s.pm1Status = 0x001; // the PM timer's carry: cleared, not a press
    expect(k.__getString(k.eventsSci())).toBe("sci=2 gpe=0 fixed=2");
    expect(s.pm1Status).toBe(0);
    expect(k.eventsTakePowerButton()).toBe(0);
  });
});
