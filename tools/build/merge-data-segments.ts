// Build step between asc and wasm2c: rewrites a Wasm module so that all its
// active data segments become one. asc emits a segment per static string or
// array (about 1,400 for the kernel) and wasm2c turns each into a call in
// init_memories; under TCG every such call is a translation block, and that
// straight-line function alone cost ~30 ms of boot. One segment is one copy.
// Owns: the data, data-count and name sections of the module it is given.
// Never: changes code; merges passive segments or those of another memory
// (refused with a message saying which). Code that names segments by index
// (memory.init/data.drop) would break: the Makefile refuses such a module
// with wasm-objdump before calling this.

import { readFileSync, writeFileSync } from "node:fs";

const SECTION_CUSTOM = 0, SECTION_DATA = 11, SECTION_DATA_COUNT = 12;
const OP_I32_CONST = 0x41, OP_END = 0x0b;
const NAME_SUBSECTION_DATA = 9;

class Reader {
  constructor(readonly bytes: Uint8Array, public pos = 0) {}
  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error(`unexpected end of module at byte ${this.pos}`);
    return this.bytes[this.pos++];
  }
  u32(): number {
    let result = 0, shift = 0, b: number;
    do {
      b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return result;
  }
  s32(): number {
    let result = 0, shift = 0, b: number;
    do {
      b = this.byte();
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return shift < 32 && b & 0x40 ? result | (-1 << shift) : result;
  }
  take(n: number): Uint8Array {
    if (this.pos + n > this.bytes.length) throw new Error(`section runs past the end of the module at byte ${this.pos}`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function u32Bytes(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

function s32Bytes(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function section(id: number, body: readonly number[] | Uint8Array): Uint8Array {
  return Uint8Array.from([id, ...u32Bytes(body.length), ...body]);
}

interface Segment { offset: number; data: Uint8Array }

function readSegments(body: Uint8Array): Segment[] {
  const r = new Reader(body);
  const count = r.u32();
  const segments: Segment[] = [];
  for (let i = 0; i < count; i++) {
    const flags = r.u32();
    if (flags === 1) throw new Error(`data segment ${i} is passive; only active segments can be merged`);
    if (flags === 2 && r.u32() !== 0) throw new Error(`data segment ${i} targets a memory other than 0`);
    if (flags > 2) throw new Error(`data segment ${i} has unknown flags ${flags}`);
    if (r.byte() !== OP_I32_CONST) throw new Error(`data segment ${i}'s offset is not an i32.const`);
    const offset = r.s32() >>> 0;
    if (r.byte() !== OP_END) throw new Error(`data segment ${i}'s offset expression is longer than one i32.const`);
    segments.push({ offset, data: r.take(r.u32()) });
  }
  if (r.pos !== body.length) throw new Error("data section has bytes after its last segment");
  return segments;
}

function mergeSegments(segments: Segment[]): Segment {
  const sorted = [...segments].sort((a, b) => a.offset - b.offset);
  const start = sorted[0].offset;
  const end = Math.max(...sorted.map((s) => s.offset + s.data.length));
  const merged = new Uint8Array(end - start); // gaps stay zero, as in fresh linear memory
  let covered = start;
  for (const s of sorted) {
    if (s.offset < covered) throw new Error(`data segments overlap at ${s.offset}; the merge would depend on their order`);
    merged.set(s.data, s.offset - start);
    covered = s.offset + s.data.length;
  }
  return { offset: start, data: merged };
}

/** The name section without its data-segment names (their indices no longer exist). */
function withoutDataNames(body: Uint8Array): Uint8Array {
  const r = new Reader(body);
  const name = r.take(r.u32());
  if (new TextDecoder().decode(name) !== "name") return body;
  const out: number[] = [...body.subarray(0, r.pos)];
  while (r.pos < body.length) {
    const start = r.pos;
    const id = r.byte();
    r.take(r.u32());
    if (id !== NAME_SUBSECTION_DATA) out.push(...body.subarray(start, r.pos));
  }
  return Uint8Array.from(out);
}

export function mergeDataSegments(module: Uint8Array): { module: Uint8Array; before: number } {
  const r = new Reader(module);
  const header = r.take(8);
  const parts: Uint8Array[] = [header];
  let before = 0;
  while (r.pos < module.length) {
    const id = r.byte();
    const body = r.take(r.u32());
    if (id === SECTION_DATA) {
      const segments = readSegments(body);
      before = segments.length;
      if (segments.length === 0) { parts.push(section(id, body)); continue; }
      const one = mergeSegments(segments);
      parts.push(section(id, [1, 0, OP_I32_CONST, ...s32Bytes(one.offset | 0), OP_END, ...u32Bytes(one.data.length), ...one.data]));
    } else if (id === SECTION_DATA_COUNT) {
      parts.push(section(id, [1]));
    } else if (id === SECTION_CUSTOM) {
      parts.push(section(id, withoutDataNames(body)));
    } else {
      parts.push(section(id, body));
    }
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return { module: out, before };
}

function main(): void {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error("usage: merge-data-segments <in.wasm> <out.wasm>");
    process.exit(2);
  }
  try {
    const { module, before } = mergeDataSegments(readFileSync(input));
    writeFileSync(output, module);
    console.log(`merge-data-segments: ${before} data segments → 1 (${output})`);
  } catch (e) {
    console.error(`merge-data-segments: ${input}: ${(e as Error).message}`);
    process.exit(1);
  }
}

if (process.argv[1]?.endsWith("merge-data-segments.mjs")) main();
