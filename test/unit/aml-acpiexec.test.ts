// Differential tests of `clonesafe aml` against acpiexec (ACPICA 20200925),
// the oracle: for every QEMU 7.2 fixture configuration (dsdt.dat, then
// ssdt.dat where vmgenid is configured: tools/fixtures.ts lists them; a
// missing one fails the file) and every hand-written ASL case (test/aml/cases),
//   - `namespace` must list exactly acpiexec's namespace;
//   - `eval` of every data object (Integer, String, Buffer, Package,
//     BufferField) and every zero-argument Method — data first, then
//     methods, each group sorted, all in one process as acpiexec does them —
//     must give acpiexec's results.
// Agreement figures are printed per table set and in total.
//
// Comparison rules (tools/aml/acpiexec.ts compareEval), and the ONLY
// exclusion:
//   - Strings under _HID and _CID compare case-insensitively (ACPICA
//     upper-cases them when it repairs predefined names; acpiexec runs with
//     -dr, so this is belt and braces).
//   - An error compares equal to an error; messages are not compared.
//   - Notify lists compare as multisets (acpiexec delivers them on threads,
//     in no fixed order); acpiexec names only the last segment of the
//     notified object, resolved to a path when the namespace has one
//     Device/Processor/ThermalZone of that name.
//   - Hardware read-back: both simulations start zero-filled, and both keep
//     what AML wrote to I/O ports and PCI configuration space (the CLI's
//     simulated machine runs with rememberIo) and read it back, so these
//     evaluations must agree too. Which evaluations read back a nonzero
//     value is decided by acpiexec's own trace and pinned below
//     (HARDWARE_READBACK), so the set that exercises this cannot shrink
//     unnoticed. On the fixtures it is exactly \_SB_.LNKx._STA (it reads
//     PRQx, which LNKx._DIS, evaluated just before in path order, set to
//     0x80) and, on pc-smp2-hotplug, \_SB_.MHPC.MP01._CRS (a port that is a
//     selector when written and a base address when read).

import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compareEval, evaluablePaths, namespaceLines, nonzeroHardwareReads, runAcpiexec, type AcpiexecRun,
} from "../../tools/aml/acpiexec.js";
import { buildCases, caseSources } from "../../tools/aml/build-cases.js";
import { qemuAmlFiles, QEMU_CONFIGS } from "../../tools/fixtures.js";
import { amlEval, amlNamespace, REPO } from "../aml/cli.js";
import { FIXTURES } from "../support/host.js";

interface TableSet { name: string; files: string[]; fixture: boolean }

const sets: TableSet[] = [
  ...[...QEMU_CONFIGS].sort().map((config) => ({
    name: `qemu-7.2/${config}`,
    files: qemuAmlFiles(FIXTURES, config),
    fixture: true,
  })),
  ...caseSources(REPO).map((asl) => ({
    name: `case/${basename(asl, ".asl")}`,
    files: [join(REPO, "build/aml/cases", `${basename(asl, ".asl")}.aml`)],
    fixture: false,
  })),
];

const lnk = (letters: string) => [...letters].map((l) => `\\_SB_.LNK${l}._STA`);
/** Per table set: the evaluations in which acpiexec reads back a nonzero I/O or PCI value. */
const HARDWARE_READBACK: Record<string, string[]> = {
  "qemu-7.2/pc": lnk("ABCD"),
  "qemu-7.2/pc-novmgenid": lnk("ABCD"),
  // MP01._CRS: the memory hotplug block's MSEL (slot selector, written) and
  // MRBL (base address low, read) are the same port, 0xA00: acpiexec reads
  // back the slot number 1 as the base address.
  "qemu-7.2/pc-smp2-hotplug": [...lnk("ABCD"), "\\_SB_.MHPC.MP01._CRS"],
  "qemu-7.2/q35": lnk("ABCDEFGH"),
  "qemu-7.2/q35-smp4": lnk("ABCDEFGH"),
  // microvm and every ASL case: none (the cases never read back I/O writes).
};

const oracle = new Map<string, AcpiexecRun>();
const summary: Array<{ set: string; agree: number; readBack: number; total: number; nsMissing: number; nsExtra: number; nsTotal: number }> = [];

async function inPool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}

beforeAll(async () => {
  buildCases(REPO);
  await inPool(sets, 2, async (set) => {
    const { namespace } = await runAcpiexec(set.files);
    oracle.set(set.name, await runAcpiexec(set.files, evaluablePaths(namespace)));
  });
}, 300_000);

afterAll(() => {
  if (summary.length === 0) return;
  const sum = (k: "agree" | "readBack" | "total" | "nsMissing" | "nsExtra" | "nsTotal") => summary.reduce((n, s) => n + s[k], 0);
  const nsSets = summary.filter((s) => s.nsMissing === 0 && s.nsExtra === 0).length;
  console.log(
    `aml differential vs acpiexec: evaluations ${sum("agree")} of ${sum("total")} paths agree` +
    ` (${sum("readBack")} of them read back I/O or PCI writes); namespace lines ` +
    `${sum("nsTotal") - sum("nsMissing")} of ${sum("nsTotal")} present, ${sum("nsExtra")} extra; ` +
    `${nsSets} of ${summary.length} table sets with identical namespaces`,
  );
});

describe("the acpiexec oracle", () => {
  it("reads the QEMU pc fixture as QEMU 7.2 builds it (VGIA, ADDR, _E05)", () => {
    const run = oracle.get("qemu-7.2/pc")!;
    const byPath = new Map(run.evals.map((e) => [e.path, e]));
    expect(byPath.get("\\_SB_.VGEN.ADDR")?.result).toEqual({
      type: "Package", value: [{ type: "Integer", value: "0x7fff028" }, { type: "Integer", value: "0x0" }],
    });
    expect(byPath.get("\\_SB_.VGEN._HID")?.result).toEqual({ type: "String", value: "QEMUVGID" });
    expect(byPath.get("\\_SB_.VGEN._CID")?.result).toEqual({ type: "String", value: "VM_Gen_Counter" });
    expect(byPath.get("\\_SB_.VGEN._STA")?.result).toEqual({ type: "Integer", value: "0xf" });
    expect(byPath.get("\\_GPE._E05")?.notify).toEqual([["\\_SB_.VGEN", "0x80"]]);
    expect(namespaceLines(run.namespace)).toEqual(expect.arrayContaining([
      "\\_GPE Scope", "\\_PR_ Scope", "\\_SB_ Device", "\\_SI_ Scope", "\\_TZ_ Device", "\\_REV Integer",
      "\\_OS_ String", "\\_GL_ Mutex", "\\_OSI Method", "\\_SB_.PCI0.S08_._ADR Integer", "\\VGIA Integer",
    ]));
    expect(run.namespace.some((n) => n.path.startsWith("\\_TI_"))).toBe(false);
    // The 128-entry _PRT exceeds the debugger's 16 KiB result buffer; it is
    // fetched element by element and must look like QEMU's routing table.
    const prt = byPath.get("\\_SB_.PCI0._PRT");
    expect(prt?.reassembled).toBe(true);
    expect(prt?.result).toMatchObject({ type: "Package" });
    expect((prt?.result?.value as unknown[]).length).toBe(128);
  });

  it("does not depend on acpiexec running _INI/_STA at initialization (-di)", async () => {
    // acpiexec runs \_SB_.PCI0.PRES._INI (CSEL = Zero, an I/O write) unless
    // told not to; our CLI runs no _INI. Same results either way.
    const differ: string[] = [];
    await inPool(sets.filter((s) => s.fixture), 2, async (set) => {
      const base = oracle.get(set.name)!;
      const withInit = await runAcpiexec(set.files, base.evals.map((e) => e.path), { runInit: true });
      base.evals.forEach((e, i) => { if (compareEval(withInit.evals[i], e) !== null) differ.push(`${set.name} ${e.path}`); });
    });
    expect(differ).toEqual([]);
  }, 120_000);

  it("reads back nonzero hardware values exactly where the exclusion list says", () => {
    for (const set of sets) {
      const readback = oracle.get(set.name)!.evals.filter((e) => nonzeroHardwareReads(e).length > 0).map((e) => e.path);
      expect(readback, set.name).toEqual(HARDWARE_READBACK[set.name] ?? []);
    }
  });

  it("evaluates every method of the ASL cases without an error, except the ones meant to fail", () => {
    // The cases exist to exercise opcodes; an acpiexec error there is a bug
    // in the case, not something to compare. Deliberate errors are listed.
    const deliberate = new Set(["case/mutex \\T006"]);
    const errors = sets.filter((s) => !s.fixture).flatMap((s) =>
      oracle.get(s.name)!.evals.filter((e) => e.error !== undefined && !deliberate.has(`${s.name} ${e.path}`))
        .map((e) => `${s.name} ${e.path}: ${e.error}`));
    expect(errors).toEqual([]);
  });
});

describe.each(sets)("clonesafe aml on $name", (set) => {
  let nsMissing = 0;
  let nsExtra = 0;
  let nsTotal = 0;

  it("lists the namespace acpiexec lists", async () => {
    const theirs = namespaceLines(oracle.get(set.name)!.namespace);
    const ours = await amlNamespace(set.files);
    const oursSet = new Set(ours);
    const theirsSet = new Set(theirs);
    const missing = theirs.filter((l) => !oursSet.has(l));
    const extra = ours.filter((l) => !theirsSet.has(l));
    nsMissing = missing.length; nsExtra = extra.length; nsTotal = theirs.length;
    console.log(`${set.name}: namespace ${theirs.length - missing.length} of ${theirs.length} acpiexec lines present, ${extra.length} extra`);
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    expect(ours, "sorted, without duplicates").toEqual([...oursSet].sort());
  }, 120_000);

  it("evaluates every data object and zero-argument method as acpiexec does", async () => {
    const run = oracle.get(set.name)!;
    const paths = run.evals.map((e) => e.path);
    const { lines } = await amlEval(set.files, paths);
    expect(lines.map((l) => l.path), "one line per path, in order, paths canonical").toEqual(paths);
    let agree = 0;
    let readBack = 0;
    const disagree: string[] = [];
    run.evals.forEach((theirs, i) => {
      const reason = compareEval(lines[i], theirs);
      if (reason === null) {
        agree++;
        if (nonzeroHardwareReads(theirs).length > 0) readBack++;
      } else {
        disagree.push(`${theirs.path}: ${reason}`);
      }
    });
    summary.push({ set: set.name, agree, readBack, total: paths.length, nsMissing, nsExtra, nsTotal });
    console.log(`${set.name}: evaluations ${agree} of ${paths.length} agree` +
      (readBack ? ` (${readBack} of them read back what AML wrote to a port or PCI configuration space)` : ""));
    expect(disagree).toEqual([]);
  }, 120_000);
});

describe("clonesafe aml eval contract on the pc fixture", () => {
  const files = sets.find((s) => s.name === "qemu-7.2/pc")!.files;

  it("accepts unpadded paths, echoes them canonical, and returns objects for non-methods", async () => {
    const { lines } = await amlEval(files, ["\\_SB.VGEN.ADDR", "\\_SB.PCI0", "\\_SB.PCI0.S08._ADR", "\\NOPE.NADA"]);
    expect(lines.map((l) => l.path)).toEqual(["\\_SB_.VGEN.ADDR", "\\_SB_.PCI0", "\\_SB_.PCI0.S08_._ADR", "\\NOPE.NADA"]);
    const oracleByPath = new Map(oracle.get("qemu-7.2/pc")!.evals.map((e) => [e.path, e]));
    expect(compareEval(lines[0], oracleByPath.get("\\_SB_.VGEN.ADDR")!)).toBeNull();
    // acpiexec refuses to evaluate a Device (AE_TYPE); the CLI returns the object.
    expect(lines[1]).toMatchObject({ result: { type: "Device" } });
    expect(compareEval(lines[2], oracleByPath.get("\\_SB_.PCI0.S08_._ADR")!)).toBeNull();
    expect(typeof lines[3].error).toBe("string");
  }, 120_000);
});
