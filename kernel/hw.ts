// The narrow hardware interface: every instruction the kernel needs but Wasm
// cannot express. Implemented by boot/hw.c on the machine and by
// tools/sim/machine.ts in the host build. Functions here execute, they do
// not decide; all policy stays in the modules that call them. Only integers
// cross this boundary.

@external("hw", "inb") export declare function inb(port: u32): u32;
@external("hw", "inw") export declare function inw(port: u32): u32;
@external("hw", "inl") export declare function inl(port: u32): u32;
@external("hw", "outb") export declare function outb(port: u32, value: u32): void;
@external("hw", "outw") export declare function outw(port: u32, value: u32): void;
@external("hw", "outl") export declare function outl(port: u32, value: u32): void;

// Sleeps with interrupts enabled until an IRQ line is pending, then returns
// the mask of pending lines (bit n = line n: legacy IRQ n on the 8259, the
// kernel's numbering through the APIC, kernel/irq/index.ts) and clears it. The loader
// has masked and acknowledged each line; the kernel unmasks it when served.
@external("hw", "wait_irq") export declare function waitIrq(): u32;
// Interrupt delivery through the local APIC instead of the 8259: from now on
// the loader's stubs acknowledge each line by an EOI to the local APIC whose
// registers are at physical `lapicPhys` (the kernel has enabled it).
@external("hw", "irq_use_apic") export declare function irqUseApic(lapicPhys: u64): void;
// In APIC mode: when `line` fires, the loader masks redirection entry `pin`
// of the IOAPIC at physical `ioapicPhys` before the EOI (ioapicPhys 0: it
// masks nothing, for edge lines). The kernel unmasks it when served.
@external("hw", "irq_mask_on_entry") export declare function irqMaskOnEntry(line: u32, ioapicPhys: u64, pin: u32): void;
// Lets already-raised interrupts in without sleeping; same mask as waitIrq.
@external("hw", "poll_irq") export declare function pollIrq(): u32;
// Samples `line` (-1: none; starting resets the record): its interrupts are
// acknowledged and left unmasked, and only the TSC at each is recorded, up
// to 1024; they never appear in waitIrq's or pollIrq's mask.
@external("hw", "irq_sample_line") export declare function irqSampleLine(line: i32): void;
@external("hw", "irq_sample_count") export declare function irqSampleCount(): u32;
// The TSC at sampled interrupt `i` (0 when i >= irqSampleCount()).
@external("hw", "irq_sample_tsc") export declare function irqSampleTsc(i: u32): u64;
// Enables interrupts while the kernel runs (sti); irqClose, or the next
// waitIrq or pollIrq, disables them again.
@external("hw", "irq_open") export declare function irqOpen(): void;
// Lets already-raised interrupts in (a one-instruction window), then
// disables them; unlike pollIrq it leaves the pending mask for the next wait.
@external("hw", "irq_close") export declare function irqClose(): void;
// Stops the CPU for good (cli; hlt).
@external("hw", "halt") export declare function halt(): void;

@external("hw", "rdtsc") export declare function rdtsc(): u64;
// The TSC the loader read as it entered the kernel, before instantiating it.
@external("hw", "entry_tsc") export declare function entryTsc(): u64;

// Physical memory: single accesses of exactly `width` bytes (1, 2, 4, 8), as
// device registers need, and bulk copies into linear memory.
@external("hw", "phys_read") export declare function physRead(phys: u64, width: u32): u64;
@external("hw", "phys_write") export declare function physWrite(phys: u64, width: u32, value: u64): void;
@external("hw", "phys_copy_in") export declare function physCopyIn(dst: usize, phys: u64, len: u32): void;

// Where linear memory lives in physical memory, so the kernel can keep
// those frames out of anything it hands out.
@external("hw", "linear_base") export declare function linearBase(): u64;
@external("hw", "linear_limit") export declare function linearLimit(): u64;
// The end of the loader's direct map: physical accesses reach [0, this) only.
// Which addresses may be accessed is decided in kernel/mm/phys.ts.
@external("hw", "direct_map_limit") export declare function directMapLimit(): u64;

// CPU state the memory manager reads: MSRs (PAT, MTRRs), CPUID, CR3, and
// the TLB flush of one page after a page-table edit.
@external("hw", "rdmsr") export declare function rdmsr(msr: u32): u64;
// One register (0 eax, 1 ebx, 2 ecx, 3 edx) of CPUID leaf/subleaf.
@external("hw", "cpuid") export declare function cpuid(leaf: u32, subleaf: u32, reg: u32): u32;
@external("hw", "read_cr3") export declare function readCr3(): u64;
@external("hw", "invlpg") export declare function invlpg(va: u64): void;
// The loaded image, so its frames are never handed out.
@external("hw", "image_start") export declare function imageStart(): u64;
@external("hw", "image_end") export declare function imageEnd(): u64;
// The TSC value the loader recorded when it took the most recent IRQ.
@external("hw", "last_irq_tsc") export declare function lastIrqTsc(): u64;
// One RDRAND / RDSEED attempt: the value goes to `dst` (8 bytes of linear
// memory); the result is the carry flag, 1 when the CPU delivered a value.
// Only call after CPUID reports the instruction.
@external("hw", "rdrand64") export declare function rdrand64(dst: usize): u32;
@external("hw", "rdseed64") export declare function rdseed64(dst: usize): u32;

// Orders linear-memory loads: none before it is done after it, none after it
// before it — for the compilers (binaryen, gcc: an opaque call) and the CPU.
// x86 keeps loads in order among themselves, so on the machine it is a
// compiler barrier, as Linux's virt_rmb() is on x86. For a page another
// agent writes under a sequence count (drivers/vmclock).
@external("hw", "read_barrier") export declare function readBarrier(): void;
