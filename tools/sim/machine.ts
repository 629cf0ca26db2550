// A simulated machine behind the kernel's `hw` imports, for the host build
// (unit tests and the `aml` CLI): a COM1 UART (receive queue, transmit log),
// the 8259 mask registers, an 8254 channel 0 that ticks on IRQ 0 every
// `pitPollsPerTick` interrupt polls while it is periodic (and, while the
// loader samples IRQ 0, every `pitPollsPerTick` reads of the sample count,
// or with `pitTicksPerHwCall` set every that many hw calls of any kind:
// time passing while the kernel works with interrupts open; `tscPerHwCall`
// makes the TSC count the same calls, a clock in lockstep), the isa-debug-exit
// port, a zero-filled sparse physical memory, memory-mapped devices that
// the kernel's phys_read/phys_write reach before memory (`mmio`), and
// zero-reading I/O ports. With `mirrorWindows`, a page the kernel maps into
// linear memory (a device window: the page tables it edited, seen at its
// invlpg) shows that physical page's bytes there, and later writes to the
// page through writePhys reach the window too, as one physical page seen
// through two mappings would; off (the default, and what the simulated pc
// relies on), windows are plain linear memory that tests write themselves.
// The TSC advances by a fixed step per read unless a test says otherwise.
// With `rememberIo` (the `aml` CLI, like acpiexec's simulated regions), the
// ports no device claims keep what was written to them, byte by byte, and
// PCI configuration space (0xCF8/0xCFC) keeps what was written per address. Every port access is logged,
// so tests and `clonesafe aml --trace` can show what AML touched.
// Device pages (addDevicePage) are mirrored that way even with
// mirrorWindows off: the host build reads a window as plain linear memory,
// so when the kernel maps one into linear memory (its page-table edit, seen
// at the invlpg that follows) the page's bytes are copied there, and every later writePhys of
// the page (a hypervisor updating it) reaches the copy too. read_barrier
// runs `onReadBarrier`, where a test can play that hypervisor between two
// of the kernel's reads.

export class MachineHalted extends Error {
  constructor(readonly exitValue: number | null) {
    super(exitValue === null ? "machine halted" : `machine exited with value ${exitValue}`);
  }
}

const COM1 = 0x3f8;

/** A simulated port-I/O device occupying [base, base + length). */
export interface IoDevice {
  base: number;
  length: number;
  read(port: number, width: number): number;
  write(port: number, width: number, value: number): void;
}

/** A simulated memory-mapped device occupying physical [base, base + length). */
export interface MmioDevice {
  base: number;
  length: number;
  read(addr: number, width: number): bigint;
  write(addr: number, width: number, value: bigint): void;
}

/** The PAT MSR's power-on value: WB, WT, UC-, UC, WB, WT, UC-, UC. */
export const PAT_DEFAULT = 0x0007040600070406n;

export class SimMachine {
  /** Bytes the kernel transmitted on COM1. */
  tx = "";
  rx: number[] = [];
  picMask = [0xff, 0xff];
  pendingIrqs = 0;
  exitValue: number | null = null;
  readonly portLog: Array<{ dir: "in" | "out"; port: number; value: number; width: number }> = [];
  readonly memLog: Array<{ dir: "read" | "write"; addr: number; width: number; value: bigint }> = [];
  /** Physical memory, by 4 KiB page. */
  private readonly pages = new Map<number, Uint8Array>();
  memory: WebAssembly.Memory | null = null;
  tsc = 1_000_000n;
  /** hw.entry_tsc: the TSC when the loader entered the kernel (the simulated TSC's start). */
  readonly entryTsc = 1_000_000n;
  /** What one TSC read adds. */
  tscStep: () => bigint = () => 1000n;
  /** The TSC the loader's ISR recorded for the last IRQ (default: the TSC now, which moves only when read). */
  irqTsc: () => bigint = () => this.tsc;
  /** 8254 channel 0 in mode 2 (rate generator): ticks while polled. */
  pitPeriodic = false;
  pitPollsPerTick = 64;
  /** While IRQ 0 is sampled: a tick every this many hw calls instead of sample-count reads (0: off). */
  pitTicksPerHwCall = 0;
  /** What every hw call adds to the TSC (0: only reads move it). */
  tscPerHwCall = 0n;
  private polls = 0;
  private hwCalls = 0;
  /** The loader's sampled line (hw irq_sample_line; -1: none) and the TSCs it recorded. */
  sampleLine = -1;
  readonly samples: bigint[] = [];
  /** hw irq_open calls: interrupts enabled while the kernel works. */
  opened = 0;
  /** Ports and PCI configuration bytes remember writes (acpiexec's regions do); off: they read zero. */
  rememberIo = false;
  private readonly ioBytes = new Map<string, number>();
  private pciAddress = 0;
  readonly devices: IoDevice[] = [];
  readonly mmio: MmioDevice[] = [];
  /** hw.linear_base and hw.linear_limit: where the loader put Wasm linear memory, virtual = physical. */
  readonly linearBase = 0x1000000n;
  readonly linearLimit = 0x2000000n;
  /** Called with each byte the kernel writes to COM1's transmit register, after it is logged in `tx`. */
  onTransmit: ((byte: number) => void) | null = null;
  /** Device windows show the physical pages they map (the header); off by default. */
  mirrorWindows = false;
  /** Physical page number → linear-memory offsets of the windows showing it. */
  private readonly windowsOf = new Map<number, Set<number>>();
  readonly msrs = new Map<number, bigint>([[0x277, PAT_DEFAULT], [0xfe, 0n], [0x2ff, 0xc06n]]);
  /** CPUID results by "leaf:subleaf"; missing leaves read as zeros. */
  readonly cpuidLeaves = new Map<string, [number, number, number, number]>();
  cr3 = 0n;
  readonly invalidated: bigint[] = [];
  /** Runs at every hw.read_barrier (null: nothing happens there). */
  onReadBarrier: (() => void) | null = null;
  /** Physical page numbers that are device pages (addDevicePage): mirrored into a window even without mirrorWindows. */
  private readonly devicePages = new Set<number>();
  imageRange: [bigint, bigint] = [0x100000n, 0x200000n];
  /** RDRAND/RDSEED: the next values to deliver; an empty queue means the CPU fails (CF=0). */
  readonly rdrandValues: bigint[] = [];
  readonly rdseedValues: bigint[] = [];

  /** Queues bytes as if typed on the serial line and raises IRQ 4. */
  type(text: string): void {
    for (let i = 0; i < text.length; i++) this.rx.push(text.charCodeAt(i) & 0xff);
    this.pendingIrqs |= 1 << 4;
  }

  /** Complete transmitted lines, CR stripped. */
  lines(): string[] {
    return this.tx.split("\n").slice(0, -1).map((l) => l.replace(/\r/g, ""));
  }

  writePhys(addr: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.page(addr + i)[(addr + i) & 0xfff] = bytes[i];
    if (this.windowsOf.size > 0) this.refreshWindows(addr, bytes.length);
  }

  /** Copies the pages of [addr, addr + len) into every window that shows them. */
  private refreshWindows(addr: number, len: number): void {
    if (!this.memory) return;
    for (let page = Math.floor(addr / 4096); page * 4096 < addr + len; page++) {
      const shown = this.windowsOf.get(page);
      if (!shown) continue;
      for (const linear of shown) new Uint8Array(this.memory.buffer, linear, 4096).set(this.page(page * 4096));
    }
  }

  /** Makes the physical page holding `addr` a device page: a window mapping it shows its bytes (the header). */
  addDevicePage(addr: number): void {
    this.devicePages.add(Math.floor(addr / 4096));
  }

  /** The physical page `va` translates to through the page tables at cr3, or null when it is not present. */
  private translate(va: bigint): bigint | null {
    let table = this.cr3 & ~0xfffn;
    for (let level = 4; level >= 1; level--) {
      const shift = BigInt(12 + 9 * (level - 1));
      const index = Number((va >> shift) & 511n);
      const b = this.readPhys(Number(table) + index * 8, 8);
      const entry = new DataView(b.buffer).getBigUint64(0, true);
      if ((entry & 1n) === 0n) return null;
      const address = entry & 0x000ffffffffff000n;
      if (level === 1 || (level <= 3 && (entry & 0x80n) !== 0n)) {
        return (address & ~((1n << shift) - 1n)) + (va & ((1n << shift) - 1n) & ~0xfffn);
      }
      table = address;
    }
    return null;
  }

  /** At the kernel's invlpg: if `va` is a linear-memory page mapped elsewhere, that page is now a window. */
  private noteMapping(va: bigint): void {
    if (!this.memory || va < this.linearBase || va >= this.linearLimit) return;
    const linear = Number((va - this.linearBase) & ~0xfffn);
    for (const shown of this.windowsOf.values()) shown.delete(linear);
    const phys = this.translate(va & ~0xfffn);
    if (phys === null || phys === (va & ~0xfffn)) return; // unmapped, or linear memory's own page again
    const page = Number(phys / 4096n);
    if (!this.mirrorWindows && !this.devicePages.has(page)) return;
    let shown = this.windowsOf.get(page);
    if (!shown) { shown = new Set(); this.windowsOf.set(page, shown); }
    shown.add(linear);
    this.refreshWindows(page * 4096, 4096);
  }

  readPhys(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = this.page(addr + i)[(addr + i) & 0xfff];
    return out;
  }

  private page(addr: number): Uint8Array {
    const key = Math.floor(addr / 4096);
    let p = this.pages.get(key);
    if (!p) { p = new Uint8Array(4096); this.pages.set(key, p); }
    return p;
  }

  private mmioAt(addr: number): MmioDevice | undefined {
    return this.mmio.find((d) => addr >= d.base && addr < d.base + d.length);
  }

  private deviceAt(port: number): IoDevice | undefined {
    return this.devices.find((d) => port >= d.base && port < d.base + d.length);
  }

  private inPort(port: number, width: number): number {
    let value = 0;
    const device = this.deviceAt(port);
    if (device) value = device.read(port, width);
    else if (port === COM1 && width === 1) value = this.rx.shift() ?? 0;
    else if (port === COM1 + 5) value = 0x60 | (this.rx.length > 0 ? 1 : 0); // THR empty, data ready
    else if (port === 0x21) value = this.picMask[0];
    else if (port === 0xa1) value = this.picMask[1];
    else if (this.rememberIo) value = this.recall(port, width);
    this.portLog.push({ dir: "in", port, value, width });
    return value >>> 0;
  }

  private outPort(port: number, value: number, width: number): void {
    this.portLog.push({ dir: "out", port, value, width });
    const device = this.deviceAt(port);
    if (device) device.write(port, width, value);
    else if (port === COM1 && width === 1) {
      this.tx += String.fromCharCode(value & 0xff);
      this.onTransmit?.(value & 0xff);
    } else if (port === 0x21) this.picMask[0] = value & 0xff;
    else if (port === 0xa1) this.picMask[1] = value & 0xff;
    else if (port === 0x43) this.pitPeriodic = (value & 0x0e) === 0x04; // channel 0 mode 2
    else if (port === 0xf4) {
      // isa-debug-exit: the machine is gone the moment the value is written.
      this.exitValue = value;
      throw new MachineHalted(value);
    } else if (this.rememberIo) this.remember(port, value, width);
  }

  /** Where byte `i` of an access at `port` lives: a port, or a PCI configuration byte behind 0xCFC. */
  private ioKey(port: number, i: number): string {
    const p = port + i;
    return p >= 0xcfc && p <= 0xcff ? `pci:${(this.pciAddress & ~3) + (p - 0xcfc)}` : `io:${p}`;
  }

  private remember(port: number, value: number, width: number): void {
    if (port === 0xcf8 && width === 4) { this.pciAddress = value >>> 0; return; }
    for (let i = 0; i < width; i++) this.ioBytes.set(this.ioKey(port, i), (value >>> (8 * i)) & 0xff);
  }

  private recall(port: number, width: number): number {
    if (port === 0xcf8 && width === 4) return this.pciAddress;
    let value = 0;
    for (let i = 0; i < width; i++) value |= (this.ioBytes.get(this.ioKey(port, i)) ?? 0) << (8 * i);
    return value >>> 0;
  }

  /** The pending-IRQ mask, cleared; a periodic PIT with IRQ 0 unmasked ticks as it is polled. */
  private takeIrqs(): number {
    if (this.pitPeriodic && (this.picMask[0] & 1) === 0 && this.sampleLine !== 0 && ++this.polls % this.pitPollsPerTick === 0) this.pendingIrqs |= 1;
    const m = this.pendingIrqs;
    this.pendingIrqs = 0;
    return m;
  }

  private pitTicking(): boolean {
    return this.pitPeriodic && (this.picMask[0] & 1) === 0 && this.sampleLine === 0;
  }

  /** A tick of the sampled PIT: its TSC recorded, as the loader's stub would (at most 1024). */
  private sampleTick(): void {
    if (this.samples.length < 1024) this.samples.push(this.irqTsc());
  }

  /** Time passing with each hw call, when a test asks for it (the header). */
  private hwCall(): void {
    this.tsc += this.tscPerHwCall;
    if (this.pitTicksPerHwCall > 0 && this.pitTicking() && ++this.hwCalls % this.pitTicksPerHwCall === 0) this.sampleTick();
  }

  private sampleCount(): number {
    if (this.pitTicksPerHwCall === 0 && this.pitTicking() && ++this.polls % this.pitPollsPerTick === 0) this.sampleTick();
    return this.samples.length;
  }

  private deliverRandom(queue: bigint[], dst: number): number {
    const v = queue.shift();
    if (v === undefined) return 0;
    if (!this.memory) throw new Error("memory not attached");
    new DataView(this.memory.buffer).setBigUint64(dst >>> 0, v, true);
    return 1;
  }

  /** Set when the kernel chose the local APIC (hw irq_use_apic). */
  apicMode: { lapic: number } | null = null;
  /** Per line, the IOAPIC pin the loader would mask on entry (hw irq_mask_on_entry). */
  readonly maskOnEntry = new Map<number, { ioapic: number; pin: number }>();

  /** The `hw` import object. */
  imports(): Record<string, (...args: never[]) => unknown> {
    const calls = this.callImports();
    const timed: Record<string, (...args: never[]) => unknown> = {};
    for (const [name, f] of Object.entries(calls)) timed[name] = (...args: never[]) => { this.hwCall(); return f(...args); };
    return timed;
  }

  private callImports(): Record<string, (...args: never[]) => unknown> {
    return {
      inb: (p: number) => this.inPort(p, 1),
      inw: (p: number) => this.inPort(p, 2),
      inl: (p: number) => this.inPort(p, 4),
      outb: (p: number, v: number) => this.outPort(p, v, 1),
      outw: (p: number, v: number) => this.outPort(p, v, 2),
      outl: (p: number, v: number) => this.outPort(p, v, 4),
      wait_irq: () => this.takeIrqs(),
      poll_irq: () => this.takeIrqs(),
      halt: () => { throw new MachineHalted(this.exitValue); },
      irq_use_apic: (lapic: bigint) => { this.apicMode = { lapic: Number(lapic) }; },
      irq_mask_on_entry: (line: number, ioapic: bigint, pin: number) => {
        this.maskOnEntry.set(line >>> 0, { ioapic: Number(ioapic), pin: pin >>> 0 });
      },
      irq_sample_line: (line: number) => { this.sampleLine = line | 0; this.samples.length = 0; },
      irq_sample_count: () => this.sampleCount(),
      irq_sample_tsc: (i: number) => this.samples[i >>> 0] ?? 0n,
      irq_open: () => { this.opened++; },
      irq_close: () => {},
      rdtsc: () => (this.tsc += this.tscStep()),
      entry_tsc: () => this.entryTsc,
      phys_read: (addr: bigint, width: number) => {
        const device = this.mmioAt(Number(addr));
        let v = 0n;
        if (device) v = BigInt.asUintN(8 * width, device.read(Number(addr), width));
        else {
          const b = this.readPhys(Number(addr), width);
          for (let i = width - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        }
        this.memLog.push({ dir: "read", addr: Number(addr), width, value: v });
        return v;
      },
      phys_write: (addr: bigint, width: number, v: bigint) => {
        this.memLog.push({ dir: "write", addr: Number(addr), width, value: v });
        const device = this.mmioAt(Number(addr));
        if (device) { device.write(Number(addr), width, BigInt.asUintN(8 * width, v)); return; }
        const b = new Uint8Array(width);
        for (let i = 0; i < width; i++) b[i] = Number((v >> BigInt(8 * i)) & 0xffn);
        this.writePhys(Number(addr), b);
      },
      phys_copy_in: (dst: number, phys: bigint, len: number) => {
        if (!this.memory) throw new Error("memory not attached");
        new Uint8Array(this.memory.buffer, dst >>> 0, len).set(this.readPhys(Number(phys), len));
      },
      linear_base: () => this.linearBase,
      linear_limit: () => this.linearLimit,
      direct_map_limit: () => 0x100000000n,
      rdmsr: (msr: number) => this.msrs.get(msr >>> 0) ?? 0n,
      cpuid: (leaf: number, subleaf: number, reg: number) => (this.cpuidLeaves.get(`${leaf >>> 0}:${subleaf >>> 0}`) ?? [0, 0, 0, 0])[reg & 3] | 0,
      read_cr3: () => this.cr3,
      invlpg: (va: bigint) => { this.invalidated.push(va); this.noteMapping(va); },
      read_barrier: () => { this.onReadBarrier?.(); },
      last_irq_tsc: () => this.irqTsc(),
      rdrand64: (dst: number) => this.deliverRandom(this.rdrandValues, dst),
      rdseed64: (dst: number) => this.deliverRandom(this.rdseedValues, dst),
      image_start: () => this.imageRange[0],
      image_end: () => this.imageRange[1],
    };
  }
}
