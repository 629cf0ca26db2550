// ACPI table and AML byte builders, for crafting tables iasl will not emit
// (bad AML for the interpreter's error paths) and small helper tables.
//
// Contract:
// - buildTable(spec) returns header (36 bytes: signature, length, revision,
//   checksum, OEM ID, OEM table ID, OEM revision, creator ID and revision) +
//   aml, with Length = 36 + aml.length and a checksum making all bytes sum to
//   0 mod 256. IDs are space-padded to their field width; too long → throws.
// - corruptChecksum(table) returns a copy whose checksum byte is off by one.
// - tableChecksumOk(table) says whether the bytes sum to 0 mod 256.
// - aml.* encode AML terms exactly as ACPI 6.x §20 defines them (PkgLength
//   counts its own bytes; NameStrings take `\`, `^` prefixes and dotted
//   segments, each padded with `_`). They do not validate semantics: callers
//   concatenate raw bytes for deliberately broken AML.

export interface TableSpec {
  signature: string;
  revision: number;
  oemId?: string;
  oemTableId?: string;
  oemRevision?: number;
  creatorId?: string;
  creatorRevision?: number;
  aml: Uint8Array;
}

export const HEADER_LENGTH = 36;

function ascii(field: string, width: number, what: string): number[] {
  if (field.length > width || !/^[\x20-\x7e]*$/.test(field)) throw new Error(`${what} "${field}" must be at most ${width} printable ASCII characters`);
  return [...field.padEnd(width, " ")].map((c) => c.charCodeAt(0));
}

export function buildTable(spec: TableSpec): Uint8Array {
  if (spec.signature.length !== 4) throw new Error(`signature "${spec.signature}" must be 4 characters`);
  const table = new Uint8Array(HEADER_LENGTH + spec.aml.length);
  const view = new DataView(table.buffer);
  table.set(ascii(spec.signature, 4, "signature"), 0);
  view.setUint32(4, table.length, true);
  table[8] = spec.revision & 0xff;
  table.set(ascii(spec.oemId ?? "CLNSF", 6, "OEM ID"), 10);
  table.set(ascii(spec.oemTableId ?? "TEST", 8, "OEM table ID"), 16);
  view.setUint32(24, spec.oemRevision ?? 1, true);
  table.set(ascii(spec.creatorId ?? "CLSF", 4, "creator ID"), 28);
  view.setUint32(32, spec.creatorRevision ?? 1, true);
  table.set(spec.aml, HEADER_LENGTH);
  table[9] = (256 - byteSum(table)) & 0xff;
  return table;
}

function byteSum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return sum;
}

export function tableChecksumOk(table: Uint8Array): boolean {
  return byteSum(table) === 0;
}

export function corruptChecksum(table: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(table);
  copy[9] = (copy[9] + 1) & 0xff;
  return copy;
}

type Bytes = Uint8Array | readonly number[];

export function concat(...parts: Bytes[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** PkgLength encoding of a package whose contents (after the PkgLength) are `bodyLength` bytes. */
export function pkgLength(bodyLength: number): Uint8Array {
  for (let k = 1; k <= 4; k++) {
    const total = bodyLength + k;
    if (k === 1 && total <= 0x3f) return Uint8Array.of(total);
    if (k > 1 && total < 1 << (4 + 8 * (k - 1))) {
      const out = [((k - 1) << 6) | (total & 0x0f)];
      for (let i = 1; i < k; i++) out.push((total >> (4 + 8 * (i - 1))) & 0xff);
      return Uint8Array.from(out);
    }
  }
  throw new Error(`package of ${bodyLength} bytes is too long for a PkgLength`);
}

export const aml = {
  nameSeg(seg: string): Uint8Array {
    if (!/^[A-Z_][A-Z0-9_]{0,3}$/.test(seg)) throw new Error(`bad name segment "${seg}"`);
    return Uint8Array.from([...seg.padEnd(4, "_")].map((c) => c.charCodeAt(0)));
  },

  /** `\A.B`, `^X`, `FOO`, `` (NullName). */
  nameString(path: string): Uint8Array {
    let prefix: number[] = [];
    let rest = path;
    if (rest.startsWith("\\")) { prefix = [0x5c]; rest = rest.slice(1); }
    else while (rest.startsWith("^")) { prefix.push(0x5e); rest = rest.slice(1); }
    const segs = rest === "" ? [] : rest.split(".").map((s) => aml.nameSeg(s));
    if (segs.length === 0) return Uint8Array.from([...prefix, 0x00]);
    if (segs.length === 1) return concat(prefix, segs[0]);
    if (segs.length === 2) return concat(prefix, [0x2e], segs[0], segs[1]);
    return concat(prefix, [0x2f, segs.length], ...segs);
  },

  integer(value: number | bigint): Uint8Array {
    const v = BigInt(value);
    if (v < 0n || v > 0xffffffffffffffffn) throw new Error(`integer ${v} out of range`);
    if (v === 0n) return Uint8Array.of(0x00);
    if (v === 1n) return Uint8Array.of(0x01);
    const le = (n: number) => Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
    if (v <= 0xffn) return Uint8Array.from([0x0a, ...le(1)]);
    if (v <= 0xffffn) return Uint8Array.from([0x0b, ...le(2)]);
    if (v <= 0xffffffffn) return Uint8Array.from([0x0c, ...le(4)]);
    return Uint8Array.from([0x0e, ...le(8)]);
  },

  string(s: string): Uint8Array {
    if (!/^[\x01-\x7f]*$/.test(s)) throw new Error("AML strings are ASCII without NUL");
    return concat([0x0d], [...s].map((c) => c.charCodeAt(0)), [0x00]);
  },

  buffer(bytes: Bytes): Uint8Array {
    const size = aml.integer(bytes.length);
    return concat([0x11], pkgLength(size.length + bytes.length), size, bytes);
  },

  /** Package of already-encoded elements (constants or NameStrings); `count` ≥ elements.length leaves the rest uninitialized. */
  package(elements: Bytes[], count = elements.length): Uint8Array {
    if (count > 255 || count < elements.length) throw new Error("Package has at most 255 elements (use VarPackage) and at least its initializers");
    const body = concat([count], ...elements);
    return concat([0x12], pkgLength(body.length), body);
  },

  name(path: string, value: Bytes): Uint8Array {
    return concat([0x08], aml.nameString(path), value);
  },

  scope(path: string, ...terms: Bytes[]): Uint8Array {
    const body = concat(aml.nameString(path), ...terms);
    return concat([0x10], pkgLength(body.length), body);
  },

  device(path: string, ...terms: Bytes[]): Uint8Array {
    const body = concat(aml.nameString(path), ...terms);
    return concat([0x5b, 0x82], pkgLength(body.length), body);
  },

  method(path: string, argCount: number, body: Bytes, serialized = false): Uint8Array {
    if (argCount < 0 || argCount > 7) throw new Error("a method takes 0..7 arguments");
    const inner = concat(aml.nameString(path), [argCount | (serialized ? 0x08 : 0)], body);
    return concat([0x14], pkgLength(inner.length), inner);
  },

  return(value: Bytes): Uint8Array {
    return concat([0xa4], value);
  },

  /** Store (value, target) */
  store(value: Bytes, target: Bytes): Uint8Array {
    return concat([0x70], value, target);
  },

  local(n: number): Uint8Array {
    if (n < 0 || n > 7) throw new Error("Local0..Local7");
    return Uint8Array.of(0x60 + n);
  },

  arg(n: number): Uint8Array {
    if (n < 0 || n > 6) throw new Error("Arg0..Arg6");
    return Uint8Array.of(0x68 + n);
  },

  /** Two-operand arithmetic with a NullName target: Add 0x72, Subtract 0x74, … */
  binary(opcode: number, a: Bytes, b: Bytes): Uint8Array {
    return concat([opcode], a, b, [0x00]);
  },

  /** Divide (a, b, NullName remainder, NullName quotient) */
  divide(a: Bytes, b: Bytes): Uint8Array {
    return concat([0x78], a, b, [0x00, 0x00]);
  },

  derefOf(x: Bytes): Uint8Array {
    return concat([0x83], x);
  },

  /** Index (source, index, NullName) */
  index(source: Bytes, index: Bytes): Uint8Array {
    return concat([0x88], source, index, [0x00]);
  },

  sizeOf(x: Bytes): Uint8Array {
    return concat([0x87], x);
  },

  while(predicate: Bytes, ...body: Bytes[]): Uint8Array {
    const inner = concat(predicate, ...body);
    return concat([0xa2], pkgLength(inner.length), inner);
  },

  if(predicate: Bytes, ...body: Bytes[]): Uint8Array {
    const inner = concat(predicate, ...body);
    return concat([0xa0], pkgLength(inner.length), inner);
  },

  /** A DefinitionBlock's term list is just its terms, one after another. */
  terms(...terms: Bytes[]): Uint8Array {
    return concat(...terms);
  },
};
