// The resource-template decoder (kernel/acpi/resources.ts) on the host
// build: templates iasl compiles from ASL (each evaluated through the host
// AML interpreter to get its Buffer's bytes) with every field checked
// against the ASL, then hostile bytes — truncated, overrunning, lying
// counts, and thousands of random and mutated buffers, none of which may
// trap the wasm.
import { beforeAll, describe, expect, it } from "vitest";
import { compileAsl, hostKernel, uint8ArrayId, type HostKernel } from "../support/host.js";

interface Irq {
  gsi: number; edge: boolean; activeLow: boolean; shared: boolean; wake: boolean; consumer: boolean;
  isaIrq: boolean; source: string; offset: number;
}
interface Memory {
  kind: string; base: string; length: string; cache: number; writable: boolean; maximum: string;
  granularity: string; translation: string; fixed: boolean; consumer: boolean; offset: number;
}
interface Io { kind: string; minimum: number; maximum: number; length: number; consumer: boolean; offset: number }
interface ResourceList { irqs: Irq[]; memory: Memory[]; io: Io[]; skipped: number; error: string }

/** kernel/host/resources.ts */
type ResourcesKernel = HostKernel & { resourcesJson(bytes: number): number };

const CACHE_NONCACHEABLE = 0, CACHE_CACHEABLE = 1, CACHE_WRITE_COMBINING = 2, CACHE_PREFETCHABLE = 3;

const ASL = `DefinitionBlock ("", "SSDT", 2, "CLSAFE", "RESTEST", 1)
{
    // QEMU microvm's Generic Event Device
    Name (RT01, ResourceTemplate () { Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) {9} })
    // A Firecracker-style GED: two interrupts in one descriptor
    Name (RT02, ResourceTemplate () { Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) {5, 6} })
    // QEMU 10's vmclock
    Name (RT03, ResourceTemplate () {
        QWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadOnly,
            0, 0xFEFFB000, 0xFEFFBFFF, 0, 0x1000)
    })
    Name (RT04, ResourceTemplate () {
        DWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
            0, 0xFED00000, 0xFED003FF, 0, 0x400)
    })
    Name (RT05, ResourceTemplate () { IRQNoFlags () {4} })
    Name (RT06, ResourceTemplate () { IRQ (Level, ActiveLow, Shared) {5, 7} })
    Name (RT07, ResourceTemplate () {
        IO (Decode16, 0x03F8, 0x03F8, 0x08, 0x08)
        IO (Decode10, 0x0100, 0x01F0, 0x10, 0x04)
        FixedIO (0x0060, 0x01)
    })
    // Descriptors this decoder steps over, between ones it decodes
    Name (RT08, ResourceTemplate () {
        GpioInt (Edge, ActiveHigh, Exclusive, PullDefault, 0, "\\\\_SB.GPO0") {2}
        IRQNoFlags () {1}
        VendorLong () { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 }
        DMA (Compatibility, NotBusMaster, Transfer8) {2}
        VendorShort () { 0xAA, 0xBB }
        Memory32Fixed (ReadOnly, 0xFEC00000, 0x1000)
    })
    Name (RT09, ResourceTemplate () {
        Interrupt (ResourceProducer, Level, ActiveLow, SharedAndWake, ,, ) {0x20}
        Interrupt (ResourceConsumer, Level, ActiveHigh, ExclusiveAndWake, 0, "\\\\_SB.GPO0") {40, 41}
    })
    Name (RT10, ResourceTemplate () {
        Memory32Fixed (ReadWrite, 0xFED40000, 0x5000)
        Memory32 (ReadOnly, 0x00100000, 0x00200000, 0x1000, 0x10000)
        ExtendedMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed, WriteCombining, ReadWrite,
            0, 0x100000000, 0x1FFFFFFFF, 0, 0x100000000, )
        QWordMemory (ResourceProducer, PosDecode, MinNotFixed, MaxNotFixed, Prefetchable, ReadWrite,
            0xFFFFF, 0x800000000, 0xFFFFFFFFF, 0x10, 0x100000)
        WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, 0, 0xFF, 0, 0x100)
        WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0, 0x0000, 0x0CF7, 0, 0x0CF8)
        DWordIO (ResourceConsumer, MinFixed, MaxFixed, PosDecode, EntireRange, 0, 0x0D00, 0xFFFF, 0, 0xF300)
        QWordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0, 0x1000, 0xFFFF, 0, 0xF000)
        ExtendedIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0, 0x2000, 0x20FF, 0, 0x100, )
    })
}`;

const NAMES = ["RT01", "RT02", "RT03", "RT04", "RT05", "RT06", "RT07", "RT08", "RT09", "RT10"] as const;
type Name = (typeof NAMES)[number];

let k: ResourcesKernel;
const templates = new Map<Name, Uint8Array>();

beforeAll(() => {
  const table = compileAsl(ASL);
  k = hostKernel().kernel as ResourcesKernel;
  k.amlReset();
  expect(k.__getString(k.amlLoadTable(k.__pin(k.__newArray(uint8ArrayId(k), table))))).toBe("");
  for (const name of NAMES) {
    const outcome = JSON.parse(k.__getString(k.amlEvaluateJson(k.__newString(`\\${name}`)))) as
      { result?: { type: string; value: string }; error?: string };
    expect(outcome.error, name).toBeUndefined();
    expect(outcome.result!.type, name).toBe("Buffer");
    templates.set(name, new Uint8Array(Buffer.from(outcome.result!.value, "hex")));
  }
});

function decode(bytes: Uint8Array | number[]): ResourceList {
  const array = k.__pin(k.__newArray(uint8ArrayId(k), bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)));
  try {
    return JSON.parse(k.__getString(k.resourcesJson(array))) as ResourceList;
  } finally {
    k.__unpin(array);
  }
}

function template(name: Name): ResourceList {
  const list = decode(templates.get(name)!);
  expect(list.error, name).toBe("");
  return list;
}

/** An Irq with the IRQNoFlags defaults, overridden by `fields`. */
function irq(fields: Partial<Irq>): Irq {
  return {
    gsi: 0, edge: true, activeLow: false, shared: false, wake: false, consumer: true,
    isaIrq: false, source: "", offset: 0, ...fields,
  };
}

function memory(fields: Partial<Memory>): Memory {
  return {
    kind: "", base: "0x0", length: "0x0", cache: CACHE_NONCACHEABLE, writable: false, maximum: "0x0",
    granularity: "0x0", translation: "0x0", fixed: false, consumer: true, offset: 0, ...fields,
  };
}

const END_TAG = [0x79, 0x00];

describe("resource templates iasl compiles", () => {
  it("QEMU microvm's GED: one edge, active-high, exclusive GSI 9", () => {
    expect(template("RT01")).toEqual({ irqs: [irq({ gsi: 9 })], memory: [], io: [], skipped: 0, error: "" });
  });

  it("a Firecracker-style GED: two interrupts from one descriptor", () => {
    expect(template("RT02").irqs).toEqual([irq({ gsi: 5 }), irq({ gsi: 6 })]);
  });

  it("QEMU 10's vmclock: a cacheable, read-only, fixed QWordMemory page", () => {
    expect(template("RT03")).toEqual({
      irqs: [], io: [], skipped: 0, error: "",
      memory: [memory({
        kind: "QWordMemory", base: "0xfeffb000", length: "0x1000", maximum: "0xfeffbfff",
        cache: CACHE_CACHEABLE, writable: false, fixed: true, consumer: true,
      })],
    });
  });

  it("a non-cacheable, read-write DWordMemory window", () => {
    expect(template("RT04").memory).toEqual([memory({
      kind: "DWordMemory", base: "0xfed00000", length: "0x400", maximum: "0xfed003ff",
      cache: CACHE_NONCACHEABLE, writable: true, fixed: true,
    })]);
  });

  it("IRQNoFlags {4}: an edge, active-high, exclusive ISA IRQ", () => {
    expect(template("RT05").irqs).toEqual([irq({ gsi: 4, isaIrq: true })]);
  });

  it("IRQ (Level, ActiveLow, Shared) {5, 7}: one resource per mask bit", () => {
    const flags = { edge: false, activeLow: true, shared: true, isaIrq: true };
    expect(template("RT06").irqs).toEqual([irq({ gsi: 5, ...flags }), irq({ gsi: 7, ...flags })]);
  });

  it("IO and FixedIO ranges", () => {
    expect(template("RT07").io).toEqual([
      { kind: "IO", minimum: 0x3f8, maximum: 0x3f8, length: 8, consumer: true, offset: 0 },
      { kind: "IO", minimum: 0x100, maximum: 0x1f0, length: 4, consumer: true, offset: 8 },
      { kind: "FixedIO", minimum: 0x60, maximum: 0x60, length: 1, consumer: true, offset: 16 },
    ]);
  });

  it("steps over GPIO, vendor and DMA descriptors by their length", () => {
    const bytes = templates.get("RT08")!;
    const list = template("RT08");
    expect(list.skipped).toBe(4);
    expect(list.irqs).toEqual([irq({ gsi: 1, isaIrq: true, offset: list.irqs[0]!.offset })]);
    expect(bytes[list.irqs[0]!.offset]).toBe(0x22); // the IRQNoFlags tag, after the GpioInt
    expect(list.memory).toEqual([memory({
      kind: "Memory32Fixed", base: "0xfec00000", length: "0x1000", maximum: "0xfec00000",
      writable: false, fixed: true, offset: list.memory[0]!.offset,
    })]);
    expect(bytes[list.memory[0]!.offset]).toBe(0x86);
    expect(list.memory[0]!.offset).toBe(bytes.length - 2 - 12); // last before the End Tag
  });

  it("Extended Interrupt flags: producer, level, active-low, shared, wake, and a resource source", () => {
    const list = template("RT09");
    const second = list.irqs[1]!.offset;
    expect(second).toBe(3 + 6);
    expect(list.irqs).toEqual([
      irq({ gsi: 0x20, consumer: false, edge: false, activeLow: true, shared: true, wake: true }),
      irq({ gsi: 40, edge: false, wake: true, source: "\\_SB.GPO0", offset: second }),
      irq({ gsi: 41, edge: false, wake: true, source: "\\_SB.GPO0", offset: second }),
    ]);
  });

  it("Memory32, Memory32Fixed, ExtendedMemory, address-space I/O; bus numbers skipped", () => {
    const bytes = templates.get("RT10")!;
    const list = template("RT10");
    const at = list.memory.map((m) => m.offset);
    expect(at.map((o) => bytes[o])).toEqual([0x86, 0x85, 0x8b, 0x8a]);
    expect(list.memory).toEqual([
      memory({ kind: "Memory32Fixed", base: "0xfed40000", length: "0x5000", maximum: "0xfed40000",
        writable: true, fixed: true, offset: at[0] }),
      memory({ kind: "Memory32", base: "0x100000", length: "0x10000", maximum: "0x200000",
        granularity: "0x1000", writable: false, fixed: false, offset: at[1] }),
      memory({ kind: "ExtendedMemory", base: "0x100000000", length: "0x100000000", maximum: "0x1ffffffff",
        cache: CACHE_WRITE_COMBINING, writable: true, fixed: true, offset: at[2] }),
      memory({ kind: "QWordMemory", base: "0x800000000", length: "0x100000", maximum: "0xfffffffff",
        granularity: "0xfffff", translation: "0x10", cache: CACHE_PREFETCHABLE, writable: true,
        fixed: false, consumer: false, offset: at[3] }),
    ]);
    expect(list.skipped).toBe(1); // WordBusNumber
    expect(list.io.map(({ offset: _o, ...rest }) => rest)).toEqual([
      { kind: "WordIO", minimum: 0, maximum: 0xcf7, length: 0xcf8, consumer: false },
      { kind: "DWordIO", minimum: 0xd00, maximum: 0xffff, length: 0xf300, consumer: true },
      { kind: "QWordIO", minimum: 0x1000, maximum: 0xffff, length: 0xf000, consumer: false },
      { kind: "ExtendedIO", minimum: 0x2000, maximum: 0x20ff, length: 0x100, consumer: false },
    ]);
    expect(list.io.map((r) => bytes[r.offset])).toEqual([0x88, 0x87, 0x8a, 0x8b]);
  });
});

/** A little-endian field of `width` bytes. */
function le(value: bigint, width: number): number[] {
  return Array.from({ length: width }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));
}

describe("templates built from raw bytes", () => {
  it("WordMemory, which ASL has no macro for", () => {
    // resource type 0, consumer + MinFixed + MaxFixed, cacheable read-write
    const word = [0x88, 13, 0, 0, 0x0d, 0x03, ...le(0n, 2), ...le(0xa000n, 2), ...le(0xafffn, 2), ...le(0n, 2), ...le(0x1000n, 2)];
    expect(decode([...word, ...END_TAG])).toEqual({
      irqs: [], io: [], skipped: 0, error: "",
      memory: [memory({ kind: "WordMemory", base: "0xa000", length: "0x1000", maximum: "0xafff",
        cache: CACHE_CACHEABLE, writable: true, fixed: true })],
    });
  });

  it("Memory32 with _MIN == _MAX is fixed (iasl refuses to compile it with a _LEN above 1)", () => {
    const memory32 = [0x85, 17, 0, 0x01, ...le(0xe0000n, 4), ...le(0xe0000n, 4), ...le(0n, 4), ...le(0x20000n, 4)];
    expect(decode([...memory32, ...END_TAG]).memory).toEqual([memory({
      kind: "Memory32", base: "0xe0000", length: "0x20000", maximum: "0xe0000", writable: true, fixed: true,
    })]);
  });

  it("a QWord I/O range beyond 32 bits is skipped, not truncated", () => {
    const qword = [0x8a, 43, 0, 1, 0x0c, 0, ...le(0n, 8), ...le(0x1_0000_0000n, 8), ...le(0x1_0000_ffffn, 8),
      ...le(0n, 8), ...le(0x10000n, 8)];
    expect(decode([...qword, ...END_TAG])).toEqual({ irqs: [], memory: [], io: [], skipped: 1, error: "" });
  });

  it("an address-space descriptor with a vendor resource type is skipped", () => {
    const dword = [0x87, 23, 0, 0xc0, 0, 0, ...Array<number>(20).fill(0)];
    expect(decode([...dword, ...END_TAG])).toMatchObject({ memory: [], io: [], skipped: 1, error: "" });
  });

  it("IRQ with mask 0 yields no interrupts; a longer IRQ decodes its fixed part", () => {
    expect(decode([0x22, 0, 0, ...END_TAG])).toEqual({ irqs: [], memory: [], io: [], skipped: 0, error: "" });
    // length 4: a byte past the flags is ignored
    expect(decode([0x24, 0x01, 0x00, 0x18, 0xff, ...END_TAG]).irqs)
      .toEqual([irq({ gsi: 0, edge: false, activeLow: true, shared: true, isaIrq: true })]);
  });

  it("FixedIO decodes 10 address bits", () => {
    expect(decode([0x4b, 0x60, 0xfc, 0x01, ...END_TAG]).io).toEqual([
      { kind: "FixedIO", minimum: 0x60, maximum: 0x60, length: 1, consumer: true, offset: 0 },
    ]);
  });

  it("the End Tag ends the list: its checksum is not checked, bytes after it are ignored", () => {
    expect(decode([0x22, 0x10, 0x00, 0x79, 0x5a, 0xff, 0x86, 0x7f])).toEqual({
      irqs: [irq({ gsi: 4, isaIrq: true })], memory: [], io: [], skipped: 0, error: "",
    });
    expect(decode([0x79]).error).toBe(""); // no room for its checksum byte: still the end
    expect(decode([0x78]).error).toBe(""); // length 0
  });

  it("an empty buffer has no End Tag", () => {
    expect(decode([])).toEqual({
      irqs: [], memory: [], io: [], skipped: 0, error: "no End Tag before the template's end at offset 0x0",
    });
  });

  it("no End Tag: the items before the end are kept", () => {
    const vmclock = templates.get("RT03")!;
    const list = decode([0x22, 0x10, 0x00, ...vmclock.subarray(0, vmclock.length - 2)]);
    expect(list.error).toBe("no End Tag before the template's end at offset 0x31");
    expect(list.irqs).toEqual([irq({ gsi: 4, isaIrq: true })]);
    expect(list.memory).toHaveLength(1);
    expect(list.memory[0]).toMatchObject({ kind: "QWordMemory", base: "0xfeffb000", offset: 3 });
  });

  it("a large item whose length runs past the end", () => {
    expect(decode([0x22, 0x10, 0x00, 0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0xc0, 0xfe])).toMatchObject({
      irqs: [irq({ gsi: 4, isaIrq: true })],
      error: "Memory32Fixed item at offset 0x3 (length 9) runs past the template's end at 11 bytes",
    });
    expect(decode([0x86, 0xff, 0xff, ...END_TAG]).error)
      .toBe("Memory32Fixed item at offset 0x0 (length 65535) runs past the template's end at 5 bytes");
  });

  it("a large item whose length field is cut off", () => {
    expect(decode([0x22, 0x10, 0x00, 0x8a, 0x2b]).error)
      .toBe("QWordAddressSpace item at offset 0x3 has no room for its 2-byte length before the template's end at 5 bytes");
    expect(decode([0xff]).error)
      .toBe("large type 0x7f item at offset 0x0 has no room for its 2-byte length before the template's end at 1 bytes");
  });

  it("a small item whose length runs past the end", () => {
    expect(decode([0x47, 0x01, 0xf8, 0x03]).error)
      .toBe("IO item at offset 0x0 (length 7) runs past the template's end at 4 bytes");
  });

  it("a truncated QWord descriptor: shorter than its fixed part, or cut off by the buffer's end", () => {
    const vmclock = templates.get("RT03")!;
    const short = [0x8a, 20, 0, ...vmclock.subarray(3, 23), ...END_TAG];
    expect(decode(short)).toEqual({
      irqs: [], memory: [], io: [], skipped: 0,
      error: "QWordAddressSpace descriptor at offset 0x0 has length 20, shorter than its 43-byte fixed part",
    });
    expect(decode(vmclock.subarray(0, 30)).error)
      .toBe("QWordAddressSpace item at offset 0x0 (length 43) runs past the template's end at 30 bytes");
  });

  it("fixed parts of every decoded descriptor are enforced", () => {
    const cases: [number[], string][] = [
      [[0x21, 0x10], "IRQ descriptor at offset 0x0 has length 1, shorter than its 2-byte fixed part"],
      [[0x46, 1, 2, 3, 4, 5, 6], "IO descriptor at offset 0x0 has length 6, shorter than its 7-byte fixed part"],
      [[0x4a, 1, 2], "FixedIO descriptor at offset 0x0 has length 2, shorter than its 3-byte fixed part"],
      [[0x85, 16, 0, ...Array<number>(16).fill(0)], "Memory32 descriptor at offset 0x0 has length 16, shorter than its 17-byte fixed part"],
      [[0x86, 8, 0, ...Array<number>(8).fill(0)], "Memory32Fixed descriptor at offset 0x0 has length 8, shorter than its 9-byte fixed part"],
      [[0x87, 22, 0, ...Array<number>(22).fill(0)], "DWordAddressSpace descriptor at offset 0x0 has length 22, shorter than its 23-byte fixed part"],
      [[0x88, 12, 0, ...Array<number>(12).fill(0)], "WordAddressSpace descriptor at offset 0x0 has length 12, shorter than its 13-byte fixed part"],
      [[0x8b, 52, 0, ...Array<number>(52).fill(0)], "ExtendedAddressSpace descriptor at offset 0x0 has length 52, shorter than its 53-byte fixed part"],
      [[0x89, 1, 0, 0x01], "ExtendedInterrupt descriptor at offset 0x0 has length 1, shorter than its 6-byte fixed part"],
    ];
    for (const [bytes, error] of cases) expect(decode([...bytes, ...END_TAG]).error).toBe(error);
  });

  it("an Extended Interrupt with count 0", () => {
    expect(decode([0x22, 0x10, 0x00, 0x89, 0x06, 0x00, 0x03, 0x00, 9, 0, 0, 0, ...END_TAG])).toMatchObject({
      irqs: [irq({ gsi: 4, isaIrq: true })],
      error: "ExtendedInterrupt descriptor at offset 0x3 lists no interrupts (count 0)",
    });
  });

  it("an Extended Interrupt with count 200 in a 6-byte item", () => {
    expect(decode([0x89, 0x06, 0x00, 0x03, 200, 9, 0, 0, 0, ...END_TAG])).toEqual({
      irqs: [], memory: [], io: [], skipped: 0,
      error: "ExtendedInterrupt descriptor at offset 0x0 lists 200 interrupts (802 bytes with flags and count) but has length 6",
    });
  });

  it("an Extended Interrupt resource source without its NUL ends at the item's end", () => {
    // flags, count, one GSI, ResourceSourceIndex, then "AB" up to the item's end
    expect(decode([0x89, 0x09, 0x00, 0x01, 1, 9, 0, 0, 0, 0, 0x41, 0x42, ...END_TAG]).irqs)
      .toEqual([irq({ gsi: 9, edge: false, source: "AB" })]);
  });
});

/** xorshift32: reproducible without a dependency. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

describe("hostile input never traps", () => {
  it("thousands of random and mutated buffers decode to a list or a named error", () => {
    const next = rng(0x5eed_cafe);
    const seeds = [...templates.values()];
    // Tags worth hitting often: every decoded type, End, and a few skipped.
    const tags = [0x22, 0x23, 0x47, 0x4b, 0x79, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x84, 0x2a];
    let errors = 0;
    for (let round = 0; round < 4000; round++) {
      let bytes: Uint8Array;
      const mode = round % 4;
      if (mode === 0) {
        bytes = new Uint8Array(next() % 80);
        for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff;
      } else if (mode === 1) {
        // tag-shaped noise: plausible headers with random lengths and bodies
        const parts: number[] = [];
        while (parts.length < 120 && next() % 8 !== 0) {
          const tag = tags[next() % tags.length]!;
          parts.push(tag);
          if (tag & 0x80) parts.push(next() & 0x3f, next() % 4 === 0 ? next() & 0xff : 0);
          const body = next() % 64;
          for (let i = 0; i < body; i++) parts.push(next() & 0xff);
        }
        bytes = new Uint8Array(parts);
      } else {
        const seed = seeds[next() % seeds.length]!;
        bytes = seed.slice(0, mode === 2 ? seed.length : next() % (seed.length + 1));
        const flips = 1 + (next() % 6);
        for (let i = 0; i < flips && bytes.length > 0; i++) {
          const at = next() % bytes.length;
          bytes[at] = next() % 2 === 0 ? next() & 0xff : bytes[at]! ^ (1 << (next() % 8));
        }
      }
      const list = decode(bytes);
      for (const r of [...list.irqs, ...list.memory, ...list.io]) expect(r.offset).toBeLessThan(bytes.length);
      for (const r of list.irqs) expect(r.gsi).toBeLessThanOrEqual(0xffffffff);
      if (list.error !== "") {
        errors++;
        expect(list.error).toMatch(/ at offset 0x[0-9a-f]+/);
      }
    }
    expect(errors).toBeGreaterThan(100); // the corpus did reach the error paths
    expect(errors).toBeLessThan(4000);   // and the decoding ones
  });
});
