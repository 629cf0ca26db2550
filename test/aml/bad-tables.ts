// Deliberately broken AML that iasl will not emit, for the interpreter's
// error paths, built byte by byte with tools/aml/table.ts.
//
// Contract: badTables() returns one DSDT (revision 2, valid header and
// checksum) per kind of damage. Every table also holds a Name GOOD = "good"
// and a Method OK00 returning 0x1234 ahead of the damage, and, where the
// damage is not the table's last bytes, a Method OK01 returning 0x5678 after
// it: those must still evaluate. `bad` is the damaged method's path;
// `problem` a pattern the error message must match (naming the problem and,
// where there is one, the opcode); `offsets` the table offsets the message
// may give for the failing term (any one of them, or the same minus 36, an
// offset into the AML; empty when no single byte is to blame).

import { aml, buildTable, concat, HEADER_LENGTH } from "../../tools/aml/table.js";
import type { AmlValue } from "../../tools/aml/acpiexec.js";

export interface BadTable {
  name: string;
  table: Uint8Array;
  bad: string;
  problem: RegExp[];
  offsets: number[];
  /** Paths that must evaluate normally, with their values (by construction). */
  good: Array<{ path: string; result: AmlValue }>;
}

type Bytes = Uint8Array | readonly number[];

const GOOD = aml.name("GOOD", aml.string("good"));
const OK00 = aml.method("OK00", 0, aml.return(aml.integer(0x1234)));
const OK01 = aml.method("OK01", 0, aml.return(aml.integer(0x5678)));
const GOOD_BEFORE: BadTable["good"] = [
  { path: "\\GOOD", result: { type: "String", value: "good" } },
  { path: "\\OK00", result: { type: "Integer", value: "0x1234" } },
];
const GOOD_AFTER: BadTable["good"] = [...GOOD_BEFORE, { path: "\\OK01", result: { type: "Integer", value: "0x5678" } }];

/** A method `name` whose body is before + damage + after; returns the bytes and the damage's offset in them. */
function damaged(name: string, before: Bytes, damage: Bytes, after: Bytes = []): { bytes: Uint8Array; at: number } {
  const body = concat(before, damage, after);
  const bytes = aml.method(name, 0, body);
  return { bytes, at: bytes.length - body.length + before.length };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function dsdt(name: string, terms: Bytes[]): Uint8Array {
  return buildTable({ signature: "DSDT", revision: 2, oemTableId: name.slice(0, 8).toUpperCase(), aml: concat(...terms) });
}

/** Damage in the middle of the table, OK01 after it. */
function middle(name: string, m: { bytes: Uint8Array; at: number }, offsets: (at: number) => number[], problem: RegExp[]): BadTable {
  const prefix = concat(GOOD, OK00);
  const at = HEADER_LENGTH + prefix.length + m.at;
  return { name, table: dsdt(name, [prefix, m.bytes, OK01]), bad: "\\BAD0", problem, offsets: offsets(at), good: GOOD_AFTER };
}

/** Damage at the very end of the table. */
function last(name: string, bytes: Uint8Array, at: number | null, offsets: (at: number) => number[], problem: RegExp[]): BadTable {
  const prefix = concat(GOOD, OK00);
  const abs = HEADER_LENGTH + prefix.length + (at ?? 0);
  return { name, table: dsdt(name, [prefix, bytes]), bad: "\\BAD0", problem, offsets: at === null ? [] : offsets(abs), good: GOOD_BEFORE };
}

export function badTables(): BadTable[] {
  const tables: BadTable[] = [];

  // 0x02 is no opcode in ACPI 6.x (0x00 Zero, 0x01 One, 0x06 Alias, 0x08 Name, …).
  tables.push(middle("unknown-opcode",
    damaged("BAD0", aml.store(aml.integer(1), aml.local(0)), [0x02], aml.return(aml.local(0))),
    (at) => [at], [/opcode/i, /0x0?2\b/i]));

  // ExtOpPrefix 0x5B followed by 0x00: no extended opcode 0x5B 0x00.
  tables.push(middle("unknown-extended-opcode",
    damaged("BAD0", [], [0x5b, 0x00], aml.return(aml.integer(1))),
    (at) => [at, at + 1], [/opcode/i, /0x5b/i]));

  {
    // If whose PkgLength (0x200) runs past the end of the method and the table.
    const ifOp = concat([0xa0], [0x42, 0x20] /* 2-byte PkgLength 0x202 */, aml.integer(1), aml.return(aml.integer(1)));
    const m = damaged("BAD0", [], ifOp);
    tables.push(last("pkglength-past-end", m.bytes, m.at, (at) => [at, at + 1], [/length|end|past|beyond|exceed|truncat/i]));
  }

  {
    // A Method whose own PkgLength runs past the end of the table: the loader
    // cannot know where it ends. The table still loads up to there; the
    // method either errs when called or does not exist — an error either way.
    const inner = concat(aml.nameSeg("BAD0"), [0x00], aml.return(aml.integer(1)));
    const bytes = concat([0x14], [0x43, 0x30] /* PkgLength 0x303 */, inner);
    tables.push(last("method-pkglength-past-end", bytes, null, () => [], []));
  }

  {
    // The method ends (and the table with it) in the middle of a term:
    // Store (DWordConst 0x0201…  — two of the DWord's bytes and the target missing.
    const m = damaged("BAD0", [], [0x70, 0x0c, 0x01, 0x02]);
    tables.push(last("term-truncated", m.bytes, m.at, (at) => range(at, at + 4), [/end|truncat|past|beyond|short|exceed/i]));
  }

  // Return (Abcd): a NameSeg with lowercase characters (not NameChars).
  tables.push(middle("bad-nameseg",
    damaged("BAD0", [0xa4], [0x41, 0x62, 0x63, 0x64]),
    (at) => range(at - 1, at + 4), [/name/i]));

  {
    // Return (MultiNamePrefix, SegCount 16, …): 64 bytes of segments, 8 there.
    const m = damaged("BAD0", [0xa4], concat([0x2f, 0x10], aml.nameSeg("ABCD"), aml.nameSeg("EFGH")));
    tables.push(last("multiname-past-end", m.bytes, m.at, (at) => range(at - 1, at + 3), [/name|segment/i]));
  }

  // Divide (10, Local0) with Local0 = 0 (a literal zero divisor iasl refuses:
  // error 6014, "Could not evaluate constant expression (AE_AML_DIVIDE_BY_ZERO)").
  tables.push(middle("divide-by-zero",
    damaged("BAD0", aml.store(aml.integer(0), aml.local(0)), aml.divide(aml.integer(10), aml.local(0)), aml.return(aml.integer(1))),
    (at) => [at], [/divi|zero/i]));

  // While (One) {}: must stop at the interpreter's iteration cap.
  tables.push(middle("runaway-while",
    damaged("BAD0", [], aml.while(aml.integer(1)), aml.return(aml.integer(1))),
    (at) => [at], [/loop|iteration|while|limit|timeout/i]));

  {
    // Method (RECU) { Return (RECU ()) }: unbounded recursion.
    const prefix = concat(GOOD, OK00);
    const recu = aml.method("RECU", 0, aml.return(aml.nameString("RECU")));
    const start = HEADER_LENGTH + prefix.length;
    tables.push({
      name: "unbounded-recursion", table: dsdt("recursion", [prefix, recu, OK01]), bad: "\\RECU",
      problem: [/recurs|depth|nest|stack|deep|call/i], offsets: range(start, start + recu.length), good: GOOD_AFTER,
    });
  }

  // Add (Package, Integer): a Package is no Integer operand.
  tables.push(middle("add-package",
    damaged("BAD0", aml.store(aml.package([aml.integer(1)]), aml.local(0)), aml.return(aml.binary(0x72, aml.local(0), aml.integer(1)))),
    (at) => [at, at + 1, at + 2], [/type|operand/i]));

  // DerefOf (5): an Integer is no reference.
  tables.push(middle("derefof-integer",
    damaged("BAD0", [], aml.return(aml.derefOf(aml.integer(5)))),
    (at) => [at, at + 1, at + 2], [/type|operand|reference|deref/i]));

  return tables;
}

/** A small valid DSDT, for the bad-input tests (corrupt checksum, truncation). */
export function validTable(): Uint8Array {
  return dsdt("valid", [GOOD, OK00, OK01]);
}
