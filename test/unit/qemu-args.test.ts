import { describe, expect, it } from "vitest";
import { formatCommandLine, qemuArgs } from "../../tools/qemu/args.js";
import { OVMF_CODE, ovmfCode } from "../../tools/qemu/firmware.js";

describe("QEMU command line", () => {
  it("builds the make-run machine", () => {
    const args = qemuArgs({
      image: "build/clonesafe.elf", machine: "pc", serial: { kind: "stdio" },
      qmpSocket: "build/qmp.sock", stateDrive: "build/state.qcow2",
    });
    const line = formatCommandLine("qemu-system-x86_64", args);
    for (const part of [
      "-machine pc", "-accel tcg", "-m 128", "-device vmgenid,id=vmgenid0,guid=auto",
      "-device isa-debug-exit,iobase=0xf4,iosize=4", "-serial stdio", "-monitor none",
      "-qmp unix:build/qmp.sock,server=on,wait=off",
      "-drive if=none,id=vmstate,file=build/state.qcow2,format=qcow2",
    ]) expect(line).toContain(part);
    expect(args).not.toContain("-nographic"); // fails together with -serial stdio
  });

  it("UEFI: OVMF's code as read-only pflash unit 0, no variable store; nothing for SeaBIOS", () => {
    const base = { image: "k", machine: "q35" as const, serial: { kind: "stdio" as const } };
    expect(qemuArgs(base).join(" ")).not.toContain("pflash");
    expect(qemuArgs({ ...base, firmware: "bios" }).join(" ")).not.toContain("pflash");
    const uefi = qemuArgs({ ...base, firmware: "uefi", image: "build/clonesafe.efi" });
    expect(uefi.filter((a) => a.includes("pflash"))).toEqual([`if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`]);
    expect(uefi.join(" ")).toContain("-kernel build/clonesafe.efi");
  });

  it("a missing OVMF is an error naming its package", () => {
    expect(() => ovmfCode("/nonexistent/OVMF_CODE_4M.fd")).toThrow(
      "OVMF is not installed: /nonexistent/OVMF_CODE_4M.fd is missing (Debian package ovmf; `make deps` installs it)");
  });

  it("-device vmclock only when asked for", () => {
    const base = { image: "k", machine: "pc" as const, serial: { kind: "stdio" as const } };
    expect(qemuArgs(base).join(" ")).not.toContain("vmclock");
    expect(formatCommandLine("q", qemuArgs({ ...base, vmclock: true, loadvm: "s1" }))).toContain("-device vmclock ");
  });

  it("omits vmgenid on request and passes guid, cpu, tables, loadvm and gdb through", () => {
    const none = qemuArgs({ image: "k", machine: "q35", serial: { kind: "stdio" }, vmgenid: false });
    expect(none.join(" ")).not.toContain("vmgenid");
    const full = qemuArgs({
      image: "k", machine: "q35", serial: { kind: "socket", path: "/tmp/s" },
      vmgenid: "324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87", cpu: "max", acpiTables: ["bad.aml"],
      loadvm: "s1", gdb: true,
    }).join(" ");
    for (const part of [
      "vmgenid,id=vmgenid0,guid=324e6eaf-d1d1-4bf6-bf41-b9bb6c91fb87", "-cpu max", "-acpitable file=bad.aml",
      "-loadvm s1", "-s -S", "socket,id=serial0,path=/tmp/s,server=on,wait=on", "-serial chardev:serial0",
    ]) expect(full).toContain(part);
  });

  it("boots a peer kernel on the same machine: -initrd and -append right after -kernel, only when given", () => {
    const peer = qemuArgs({
      image: "vmlinuz", initrd: "initramfs.cpio", append: "console=ttyS0 quiet panic=-1", memoryMiB: 256,
      machine: "pc", serial: { kind: "stdio" },
    });
    expect(formatCommandLine("qemu-system-x86_64", peer)).toContain(
      "-m 256 -kernel vmlinuz -initrd initramfs.cpio -append 'console=ttyS0 quiet panic=-1' -device isa-debug-exit");
    const ours = qemuArgs({ image: "k", machine: "pc", serial: { kind: "stdio" } });
    expect(ours).not.toContain("-initrd");
    expect(ours).not.toContain("-append");
  });
});
