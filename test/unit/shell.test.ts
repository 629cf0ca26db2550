// The line shell and the boot sequence, run as the host build of the same
// AssemblyScript modules on a simulated machine.
import { describe, expect, it } from "vitest";
import { bootedHostKernel, MachineHalted, typeAndServe } from "../support/host.js";

describe("boot on a simulated machine", () => {
  it("prints exactly one ready line, after the multiboot summary, and opens IRQ 4", () => {
    const { machine } = bootedHostKernel();
    const lines = machine.lines();
    // A bare simulated machine: no ACPI, no vmgenid, a TSC without jitter, no RDRAND.
    expect(lines.filter((l) => l.startsWith("clonesafe ready"))).toEqual(["clonesafe ready guid=none epoch=0"]);
    expect(lines).toContain("boot: multiboot info at 0x9500: 639 KiB low, 129912 KiB above 1 MiB");
    expect(lines.at(-1)).toBe("clonesafe ready guid=none epoch=0");
    expect(machine.picMask[0] & (1 << 4)).toBe(0);
    expect(machine.picMask[0] & ~(1 << 4) & 0xff).toBe(0xff & ~(1 << 4));
  });
});

describe("serial shell", () => {
  it("answers help with one help: line listing every command", () => {
    const { machine, kernel } = bootedHostKernel();
    const out = typeAndServe(machine, kernel, "help\r");
    expect(out).toEqual(["help", expect.stringMatching(/^help: /)]);
    for (const c of ["exit <0..63>", "help", "panic <abort|unreachable|oob|div0|recursion|pagefault>"]) {
      expect(out[1]).toContain(c);
    }
  });

  it("answers an unknown command with an error line and keeps running", () => {
    const { machine, kernel } = bootedHostKernel();
    expect(typeAndServe(machine, kernel, "frobnicate now\r")).toEqual([
      "frobnicate now",
      'error: unknown command "frobnicate" (try help)',
    ]);
    expect(typeAndServe(machine, kernel, "help\r")[1]).toMatch(/^help: /);
  });

  it("treats CR LF as one line end and ignores blank lines", () => {
    const { machine, kernel } = bootedHostKernel();
    const out = typeAndServe(machine, kernel, "help\r\n\r\n   \n");
    expect(out.filter((l) => l.startsWith("help:"))).toHaveLength(1);
    expect(out.filter((l) => l.startsWith("error:"))).toHaveLength(0);
  });

  it("edits with backspace and cancels with ^C", () => {
    const { machine, kernel } = bootedHostKernel();
    const out = typeAndServe(machine, kernel, "hepp\x7f\x7flp\r" + "exit 3\x03" + "help\r");
    expect(out.filter((l) => l.startsWith("help:"))).toHaveLength(2);
    expect(machine.exitValue).toBeNull();
  });

  it("rejects a line with a control byte, naming it", () => {
    const { machine, kernel } = bootedHostKernel();
    const out = typeAndServe(machine, kernel, "he\x1b[Alp\r");
    expect(out.at(-1)).toBe("error: line contains the control or non-ASCII byte 0x1b; ignored");
  });

  it("rejects an over-long line and recovers on the next one", () => {
    const { machine, kernel } = bootedHostKernel();
    const out = typeAndServe(machine, kernel, "x".repeat(300) + "\rhelp\r");
    expect(out).toContain("error: line longer than 240 characters; ignored");
    expect(out.at(-1)).toMatch(/^help: /);
  });

  it("validates arguments with errors that name the command", () => {
    const { machine, kernel } = bootedHostKernel();
    expect(typeAndServe(machine, kernel, "exit\r").at(-1)).toBe("error: exit: expected one status value 0..63");
    expect(typeAndServe(machine, kernel, "exit 64\r").at(-1)).toBe('error: exit: status must be an integer 0..63, got "64"');
    expect(typeAndServe(machine, kernel, "exit -1\r").at(-1)).toBe('error: exit: status must be an integer 0..63, got "-1"');
    expect(typeAndServe(machine, kernel, "help me\r").at(-1)).toBe("error: help: takes no arguments");
    expect(typeAndServe(machine, kernel, "panic\r").at(-1)).toMatch(/^error: panic: expected one kind: abort\|/);
    expect(typeAndServe(machine, kernel, "panic soon\r").at(-1)).toBe(
      'error: panic: unknown kind "soon" (abort|unreachable|oob|div0|recursion|pagefault)',
    );
  });

  it("exit writes the value to isa-debug-exit after its answer line, then halts", () => {
    const { machine, kernel } = bootedHostKernel();
    machine.type("exit 0x2a\r");
    expect(() => kernel.step(machine.pendingIrqs)).toThrow(MachineHalted);
    expect(machine.exitValue).toBe(42);
    expect(machine.lines().at(-1)).toBe("exit: 42 (qemu status 85)");
    const exitWrite = machine.portLog.findIndex((p) => p.dir === "out" && p.port === 0xf4);
    expect(machine.portLog[exitWrite]).toMatchObject({ value: 42, width: 4 });
  });

  it("reopens IRQ 4 only after draining the UART", () => {
    const { machine, kernel } = bootedHostKernel();
    machine.picMask[0] |= 1 << 4; // what the loader's IRQ stub does
    machine.type("help\r");
    kernel.step(1 << 4);
    expect(machine.rx).toHaveLength(0);
    expect(machine.picMask[0] & (1 << 4)).toBe(0);
  });

  it("leaves a line with no handler masked and says so", () => {
    const { machine, kernel } = bootedHostKernel();
    kernel.step(1 << 11);
    expect(machine.lines().at(-1)).toBe("irq: line 11 fired with no handler; left masked");
    expect(machine.picMask[1] & (1 << 3)).not.toBe(0);
  });
});

describe("tokenizer and number parsing", () => {
  it("splits on runs of spaces", () => {
    const { kernel } = bootedHostKernel();
    const tokens = kernel.__getArray(kernel.tokenize(kernel.__newString("  rand   32 ")));
    expect(tokens.map((p: unknown) => kernel.__getString(p as number))).toEqual(["rand", "32"]);
  });

  it("parses decimal and hex strictly", () => {
    const { kernel } = bootedHostKernel();
    const parse = (s: string) => Number(kernel.parseUnsigned(kernel.__newString(s)));
    expect(parse("0")).toBe(0);
    expect(parse("4096")).toBe(4096);
    expect(parse("0x1F")).toBe(31);
    for (const bad of ["", "0x", "-1", "+1", "1e3", "12a", " 1", "0x1g", "99999999999999999999"]) {
      expect(parse(bad), bad).toBe(-1);
    }
  });

  it("formats hex with a minimum width", () => {
    const { kernel } = bootedHostKernel();
    expect(kernel.__getString(kernel.hex(0x7fff028n, 1))).toBe("7fff028");
    expect(kernel.__getString(kernel.hex(0xan, 4))).toBe("000a");
    expect(kernel.__getString(kernel.hex(0xffffffffffffffffn, 1))).toBe("ffffffffffffffff");
  });
});
