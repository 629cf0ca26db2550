# clonesafe build: AssemblyScript → Wasm → wasm2c → freestanding x86-64 C →
# multiboot image. `make run` boots it, `make test` runs the whole suite.
# Every target installs what it needs (npm ci; apt-get for the system tools).

SHELL := /bin/bash
.DEFAULT_GOAL := build

MACHINE ?= pc
BUILD := build
CC := gcc
LD := ld
OBJCOPY := objcopy
NODE := node
WASM2C_VERSION := 1.0.32
APT_PACKAGES := qemu-system-x86 qemu-utils wabt acpica-tools libc6-dev gnu-efi ovmf
APT_TOOLS := qemu-system-x86_64 qemu-img wasm2c iasl acpiexec
# gnu-efi builds clonesafe.efi (crt0, self-relocation, the EFI headers);
# OVMF runs it (FIRMWARE=uefi). Both checked by file, having no command.
EFI_LIB := /usr/lib
EFI_INC := /usr/include/efi
OVMF_CODE := /usr/share/OVMF/OVMF_CODE_4M.fd
# libvirt for `clonesafe libvirt` and its test (test/integration/libvirt.test.ts),
# which runs its own private libvirtd (tools/libvirt/private-libvirtd.sh): no
# libvirt-daemon-system, no service, no change to /etc/libvirt.
LIBVIRT_PACKAGES := libvirt-daemon libvirt-clients libvirt-daemon-driver-qemu
LIBVIRT_TOOLS := libvirtd virsh unshare

GCC_INCLUDE := $(shell $(CC) -print-file-name=include)
LIBGCC := $(shell $(CC) -print-libgcc-file-name)

KERNEL_SOURCES := $(shell find kernel -name '*.ts')
TOOLS_SOURCES := $(shell find tools -name '*.ts')
BOOT_HEADERS := $(wildcard boot/*.h boot/include/*.h boot/efi/*.h)

# Bounds checks by the MMU (no check in the generated code: linear memory is
# followed by 8 GiB of absent pages, boot/entry.S, and a fault there is the
# out-of-bounds trap, boot/trap.c), and call-depth counting (runaway
# recursion becomes a trap, not a triple fault). wasm2c's default is software
# checks; under TCG they split every basic block at each memory access.
WASM_RT_FLAGS := -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=1 -DWASM_RT_SKIP_SIGNAL_RECOVERY=1 \
                 -DWASM_RT_USE_STACK_DEPTH_COUNT=1 -DWASM_RT_MAX_CALL_STACK_DEPTH=1000
CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem $(GCC_INCLUDE) \
          -Iboot -Iboot/include -I$(BUILD)/include -I$(BUILD) \
          -mno-red-zone -mcmodel=kernel -fno-pic -fno-pie -fno-stack-protector \
          -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-builtin \
          -Wall -Wextra -Werror $(WASM_RT_FLAGS)
# wasm2c's output is not ours to lint.
KERNEL_C_FLAGS := -Wno-unused -Wno-unused-parameter -Wno-unused-function -Wno-infinite-recursion -Wno-error

LOADER_OBJS := $(BUILD)/boot/entry.o $(BUILD)/boot/isr.o $(BUILD)/boot/loader.o \
               $(BUILD)/boot/irq.o $(BUILD)/boot/console.o $(BUILD)/boot/trap.o $(BUILD)/boot/runtime.o \
               $(BUILD)/boot/hw.o $(BUILD)/boot/kernel.o

.PHONY: build deps npm-deps system-deps libvirt-deps run debug test test-unit test-integration typecheck clean peer-linux compare

build: $(BUILD)/clonesafe.elf $(BUILD)/clonesafe-pvh.elf $(BUILD)/clonesafe64.elf $(BUILD)/clonesafe.efi $(BUILD)/host/kernel.wasm $(BUILD)/tools/clonesafe.mjs

# ---- dependencies -------------------------------------------------------

deps: npm-deps system-deps libvirt-deps

npm-deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

system-deps: $(BUILD)/.system-deps
# Re-checked whenever the Makefile changes (a new package in APT_PACKAGES reaches
# checkouts that built before it), installing only what is missing.
$(BUILD)/.system-deps: Makefile
	@missing=""; for t in $(APT_TOOLS); do command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	[ -f "$$($(CC) -print-file-name=libc.a)" ] || missing="$$missing libc.a"; \
	[ -f $(EFI_LIB)/crt0-efi-x86_64.o ] || missing="$$missing gnu-efi"; \
	[ -f $(OVMF_CODE) ] || missing="$$missing ovmf"; \
	if [ -n "$$missing" ]; then \
	  echo "installing $(APT_PACKAGES) (missing:$$missing)"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $(APT_PACKAGES) >/dev/null || \
	    { echo "error: could not install $(APT_PACKAGES)" >&2; exit 1; }; \
	fi
	@v=$$(wasm2c --version); if [ "$$v" != "$(WASM2C_VERSION)" ]; then \
	  echo "error: wasm2c $$v found, but the loader is written for wasm2c $(WASM2C_VERSION)" >&2; \
	  echo "       (runtime names and macros differ between versions; see README.md, Requirements)" >&2; exit 1; fi
	@mkdir -p $(BUILD) && touch $@

# Installs only: starts nothing (libvirtd is started by the test that needs it).
libvirt-deps: $(BUILD)/.libvirt-deps
$(BUILD)/.libvirt-deps:
	@missing=""; for t in $(LIBVIRT_TOOLS); do PATH="$$PATH:/usr/sbin:/sbin" command -v $$t >/dev/null || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing $(LIBVIRT_PACKAGES) (missing:$$missing)"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $(LIBVIRT_PACKAGES) >/dev/null || \
	    { echo "error: could not install $(LIBVIRT_PACKAGES)" >&2; exit 1; }; \
	fi
	@mkdir -p $(BUILD) && touch $@

# QEMU 10.0 from bookworm-backports, unpacked into build/qemu10 beside the
# system's QEMU 7.2 (tools/qemu/fetch-qemu10.sh: nothing installed). `make
# test` needs it (the suite's second leg, QEMU_LEGS) and fails naming the
# archive when it cannot be reached. Fetched once: the folder appears only
# complete.
QEMU10 := $(BUILD)/qemu10
.PHONY: qemu10
qemu10: $(QEMU10)/bin/qemu-system-x86_64
$(QEMU10)/bin/qemu-system-x86_64:
	tools/qemu/fetch-qemu10.sh $(QEMU10)

# ---- kernel: AssemblyScript → Wasm → C ----------------------------------

# kernel/host/ holds the host build's test hooks; none may reach the machine
# image: no kernel module outside it imports from it, and no function of it
# is in kernel.wat (asc names every function by its source path).
$(BUILD)/kernel.wasm: $(KERNEL_SOURCES) asconfig.json | npm-deps
	@leaks=$$(grep -rlE 'from "(\.\./)*(\./)?host/' kernel --include='*.ts' | grep -v '^kernel/host/'); \
	if [ -n "$$leaks" ]; then echo "error: kernel modules import the host build's hooks (kernel/host/): $$leaks" >&2; exit 1; fi
	@mkdir -p $(BUILD)
	npx asc kernel/main.ts --target kernel
	@if grep -q 'kernel/host/' $(BUILD)/kernel.wat; then \
	  echo "error: host-only code reached the machine image:" >&2; \
	  grep -o '\$$kernel/host/[^ )]*' $(BUILD)/kernel.wat | sort -u | head -5 >&2; rm -f $@; exit 1; fi

$(BUILD)/host/kernel.wasm: $(KERNEL_SOURCES) asconfig.json | npm-deps
	@mkdir -p $(BUILD)/host
	npx asc kernel/host/index.ts --target host --bindings raw

# The host entry again, with the kernel's runtime (minimal: no automatic
# collection; __alloc routed to the boot arena) and heap size instead of the
# host build's incremental runtime: what exhausts the kernel's heap fails
# here too. The AML fuzzer runs it (tools/aml/fuzz.ts, `make fuzz`), and so
# do the unit tests of the arena and of deferred Packages.
HOST_KERNEL_RUNTIME := $(BUILD)/host-kernel-runtime/kernel.wasm
$(HOST_KERNEL_RUNTIME): $(KERNEL_SOURCES) asconfig.json | npm-deps
	@mkdir -p $(@D)
	npx asc kernel/host/index.ts --target host-kernel-runtime

# One data segment instead of asc's ~1,400: see tools/build/merge-data-segments.ts.
# Merging renumbers segments, so code that names them must not exist.
$(BUILD)/kernel.merged.wasm: $(BUILD)/kernel.wasm $(BUILD)/tools/merge-data-segments.mjs $(BUILD)/.system-deps
	@if wasm-objdump -d $< | grep -qE 'memory\.init|data\.drop'; then \
	  echo "error: $< uses memory.init/data.drop; its data segments cannot be merged" >&2; exit 1; fi
	$(NODE) $(BUILD)/tools/merge-data-segments.mjs $< $@

$(BUILD)/tools/merge-data-segments.mjs: tools/build/merge-data-segments.ts | npm-deps
	@mkdir -p $(BUILD)/tools
	npx esbuild $< --bundle --platform=node --format=esm --target=node20 --outfile=$@ --log-level=warning

$(BUILD)/kernel.c $(BUILD)/kernel.h &: $(BUILD)/kernel.merged.wasm $(BUILD)/.system-deps
	wasm2c -n kernel $< -o $(BUILD)/kernel.c

$(BUILD)/include/wasm-rt.h: $(BUILD)/.system-deps
	@mkdir -p $(BUILD)/include
	cp "$$(dirname "$$(command -v wasm2c)")/../include/wasm-rt.h" $@

# ---- loader and link ----------------------------------------------------

$(BUILD)/boot/%.o: boot/%.S
	@mkdir -p $(BUILD)/boot
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/boot/irq.o: boot/irq.c $(BOOT_HEADERS) $(BUILD)/include/wasm-rt.h
	@mkdir -p $(BUILD)/boot
	$(CC) $(CFLAGS) -mgeneral-regs-only -c $< -o $@

$(BUILD)/boot/kernel.o: $(BUILD)/kernel.c $(BUILD)/kernel.h $(BUILD)/include/wasm-rt.h $(BOOT_HEADERS)
	$(CC) $(CFLAGS) $(KERNEL_C_FLAGS) -c $< -o $@

$(BUILD)/boot/%.o: boot/%.c $(BOOT_HEADERS) $(BUILD)/include/wasm-rt.h $(BUILD)/kernel.h
	@mkdir -p $(BUILD)/boot
	$(CC) $(CFLAGS) -c $< -o $@

# Two passes: link once with an empty symbol table, generate the real one from
# that image, link again. .ksyms lies after all code, so no function moves;
# the comparison below proves it.
LINK := $(LD) -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack -T boot/linker.ld

$(BUILD)/boot/ksyms-empty.o: boot/mksyms.sh
	@mkdir -p $(BUILD)/boot
	boot/mksyms.sh > $(BUILD)/boot/ksyms-empty.c
	$(CC) $(CFLAGS) -c $(BUILD)/boot/ksyms-empty.c -o $@

$(BUILD)/clonesafe64.elf: $(LOADER_OBJS) $(BUILD)/boot/ksyms-empty.o boot/linker.ld boot/mksyms.sh
	$(LINK) -o $(BUILD)/clonesafe64.pass1.elf $(LOADER_OBJS) $(BUILD)/boot/ksyms-empty.o $(LIBGCC)
	boot/mksyms.sh $(BUILD)/clonesafe64.pass1.elf > $(BUILD)/boot/ksyms.c
	$(CC) $(CFLAGS) -c $(BUILD)/boot/ksyms.c -o $(BUILD)/boot/ksyms.o
	$(LINK) -o $@ $(LOADER_OBJS) $(BUILD)/boot/ksyms.o $(LIBGCC)
	@cmp -s <(nm -n $(BUILD)/clonesafe64.pass1.elf | grep -i ' t ') <(nm -n $@ | grep -i ' t ') || \
	  { echo "error: functions moved between link passes; the panic symbol table would lie" >&2; rm -f $@; exit 1; }

# QEMU's multiboot loader refuses ELF64: wrap the same bytes as ELF32.
$(BUILD)/clonesafe.elf: $(BUILD)/clonesafe64.elf
	$(OBJCOPY) -O elf32-i386 --strip-all $< $@
	@echo "image: $@ $$(stat -c %s $@) bytes"

# The PVH image: the same ELF64 with the multiboot header's 12 bytes zeroed,
# so QEMU's -kernel finds no multiboot header and takes the PVH note
# (boot/entry.S); every function stays where it is, and so does .ksyms.
$(BUILD)/clonesafe-pvh.elf: $(BUILD)/clonesafe64.elf
	head -c 12 /dev/zero > $(BUILD)/boot/multiboot-zeroed.bin
	$(OBJCOPY) --strip-all --update-section .multiboot=$(BUILD)/boot/multiboot-zeroed.bin $< $@
	@if od -An -tx4 -N 8192 $@ | grep -q 1badb002; then echo "error: $@ still holds a multiboot header" >&2; rm -f $@; exit 1; fi
	@echo "image: $@ $$(stat -c %s $@) bytes"

# The UEFI image: boot/efi/stub.c and enter.S, linked by gnu-efi's rules
# (crt0 with self-relocation, a shared object, objcopy to PE32+) around the
# multiboot image's bytes (payload.bin), which it copies to 1 MiB and starts
# at _start after ExitBootServices. gnu-efi rather than a PE header of our
# own: Debian's package, the way its EFI applications are built, and its
# crt0 relocates the stub wherever OVMF loads it.
EFI_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fpic -fshort-wchar -mno-red-zone -fno-stack-protector \
  -fno-strict-aliasing -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI -Wall -Wextra -Werror \
  -I$(EFI_INC) -I$(EFI_INC)/x86_64 -Iboot/efi -I$(BUILD)/boot/efi

$(BUILD)/boot/payload.bin: $(BUILD)/clonesafe64.elf
	$(OBJCOPY) -O binary $< $@

# The image's addresses the stub needs, from its symbols.
$(BUILD)/boot/efi/payload.h: $(BUILD)/clonesafe64.elf
	@mkdir -p $(@D)
	@sym() { nm $< | awk -v s="$$1" '$$3 == s { print "0x" $$1 }'; }; \
	{ echo "/* generated from $< */"; \
	  echo "#define PAYLOAD_LOAD $$(sym __image_start)ull"; \
	  echo "#define PAYLOAD_BSS $$(sym __bss_start)ull"; \
	  echo "#define PAYLOAD_BSS_END $$(sym __bss_end)ull"; \
	  echo "#define PAYLOAD_END $$(sym __image_end)ull"; \
	  echo "#define PAYLOAD_ENTRY32 $$(sym _start)ull"; } > $@
	@if grep -q ' ull' $@; then echo "error: $@: a symbol is missing from $<" >&2; rm -f $@; exit 1; fi

$(BUILD)/boot/efi/stub.o: boot/efi/stub.c boot/efi/handoff.h $(BUILD)/boot/efi/payload.h $(BUILD)/.system-deps
	$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/boot/efi/enter.o: boot/efi/enter.S $(BUILD)/boot/payload.bin
	@mkdir -p $(@D)
	$(CC) $(EFI_CFLAGS) -DPAYLOAD_BIN='"$(BUILD)/boot/payload.bin"' -c $< -o $@

$(BUILD)/boot/efi/clonesafe-efi.so: $(BUILD)/boot/efi/stub.o $(BUILD)/boot/efi/enter.o
	$(LD) -nostdlib -znocombreloc -z noexecstack -T $(EFI_LIB)/elf_x86_64_efi.lds -shared -Bsymbolic -L$(EFI_LIB) \
	  $(EFI_LIB)/crt0-efi-x86_64.o $^ -o $@ -lgnuefi

$(BUILD)/clonesafe.efi: $(BUILD)/boot/efi/clonesafe-efi.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j '.rel.*' -j '.rela.*' -j .reloc \
	  --target efi-app-x86_64 --subsystem=10 $< $@
	@echo "image: $@ $$(stat -c %s $@) bytes"

# ---- host tools ---------------------------------------------------------

# The libvirt domain template goes next to the bundle (tools/libvirt/domain.ts
# reads ./domain.xml beside itself).
$(BUILD)/tools/clonesafe.mjs: $(TOOLS_SOURCES) tools/libvirt/domain.xml | npm-deps
	@mkdir -p $(BUILD)/tools
	npx esbuild tools/cli/clonesafe.ts --bundle --platform=node --format=esm --target=node20 \
	  --banner:js='#!/usr/bin/env node' --outfile=$@ --log-level=warning
	cp tools/libvirt/domain.xml $(BUILD)/tools/domain.xml
	@chmod +x $@

# ---- run ----------------------------------------------------------------

# FIRMWARE=uefi boots build/clonesafe.efi under OVMF (q35 unless MACHINE is
# given); BOOT picks the entry SeaBIOS's side boots (multiboot or pvh).
BOOT ?= multiboot
FIRMWARE ?= bios
ifeq ($(FIRMWARE),uefi)
RUN_ARGS = --firmware uefi $(if $(filter command line,$(origin MACHINE)),--machine $(MACHINE))
else
RUN_ARGS = --firmware $(FIRMWARE) --machine $(MACHINE) --boot $(BOOT)
endif
run: build
	$(NODE) $(BUILD)/tools/clonesafe.mjs run $(RUN_ARGS)

debug: build
	$(NODE) $(BUILD)/tools/clonesafe.mjs run $(RUN_ARGS) --debug

# ---- AML test cases (iasl; acpiexec is the oracle) ----------------------

AML_CASES := $(patsubst test/aml/cases/%.asl,$(BUILD)/aml/cases/%.aml,$(wildcard test/aml/cases/*.asl))
.PHONY: aml-cases
aml-cases: $(AML_CASES)
# -vw: iasl rejects the real hypervisor IDs of the vmgenid cases and QEMU's
# vmclock _CRS without these (see IASL_FLAGS in tools/aml/build-cases.ts).
$(BUILD)/aml/cases/%.aml: test/aml/cases/%.asl | $(BUILD)/.system-deps
	@mkdir -p $(@D)
	iasl -vs -vw 6002 -vw 6034 -vw 6035 -vw 6047 -p $(basename $@) $< >/dev/null

# ---- tests --------------------------------------------------------------

# `make circles`: every import circle of kernel/, tools/ and test/support/ and
# every call circle between boot/'s objects (tools/build/circles.ts); exits
# non-zero listing each. test/unit/circles.test.ts runs the same check in
# `make test`, with no exception.
$(BUILD)/tools/circles.mjs: tools/build/circles.ts | npm-deps
	@mkdir -p $(BUILD)/tools
	npx esbuild $< --bundle --platform=node --format=esm --target=node20 --packages=external \
	  --outfile=$@ --log-level=warning

.PHONY: circles
circles: build $(BUILD)/tools/circles.mjs
	$(NODE) $(BUILD)/tools/circles.mjs

typecheck: | npm-deps
	npx tsc --noEmit -p tsconfig.json

# The JSON report feeds .ci/run's summary line.
VITEST := npx vitest run --reporter=default --reporter=json --outputFile.json=$(BUILD)/test-report.json

# The QEMU legs the suite must run on (tools/qemu/versions.ts): the system's
# 7.2 and `make qemu10`'s 10.0. Under `make test` a missing leg fails the
# suite, naming `make qemu10`; vitest run by hand takes the legs there are.
QEMU_LEGS := 7.2,10.0

test: build aml-cases typecheck $(HOST_KERNEL_RUNTIME) libvirt-deps peer-linux qemu10
	CLONESAFE_QEMU_LEGS=$(QEMU_LEGS) $(VITEST)

test-unit: build aml-cases $(HOST_KERNEL_RUNTIME)
	$(VITEST) --project unit

test-integration: build libvirt-deps peer-linux qemu10
	CLONESAFE_QEMU_LEGS=$(QEMU_LEGS) $(VITEST) --project integration

clean:
	rm -rf $(BUILD)

# ---- benchmarks ---------------------------------------------------------

$(BUILD)/bench/baseline.elf: bench/baseline/baseline.S bench/baseline/linker.ld
	@mkdir -p $(BUILD)/bench
	$(CC) $(CFLAGS) -c bench/baseline/baseline.S -o $(BUILD)/bench/baseline.o
	$(LD) -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack -T bench/baseline/linker.ld \
	  -o $(BUILD)/bench/baseline64.elf $(BUILD)/bench/baseline.o
	$(OBJCOPY) -O elf32-i386 --strip-all $(BUILD)/bench/baseline64.elf $@

$(BUILD)/tools/bench.mjs: $(TOOLS_SOURCES) | npm-deps
	@mkdir -p $(BUILD)/tools
	npx esbuild tools/bench/bench.ts --bundle --platform=node --format=esm --target=node20 \
	  --outfile=$@ --log-level=warning

# `make bench`: every figure against its reference in one run; writes
# bench/results.json and the README's results section (tools/bench/bench.ts).
# `make bench-boot` (-clone, -guest, -translation, -fence, -crng-ratio, -aml, -size) runs one group
# and only prints it. BENCH_ARGS passes options, e.g. BENCH_ARGS="--pairs 20".
# perf, for the boot's time split (tools/bench/translation.ts): the benchmarks' alone.
$(BUILD)/.perf-deps:
	@command -v perf >/dev/null || { \
	  echo "installing linux-perf (missing: perf)"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq linux-perf >/dev/null || \
	    { echo "error: could not install linux-perf" >&2; exit 1; }; }
	@mkdir -p $(BUILD) && touch $@

BENCH_DEPS := build qemu10 $(BUILD)/bench/baseline.elf $(BUILD)/tools/bench.mjs $(BUILD)/bench/chacha-native $(BUILD)/.perf-deps
.PHONY: bench bench-boot bench-clone bench-guest bench-translation bench-fence bench-aml bench-size bench-crng-ratio bench-profile
bench: $(BENCH_DEPS)
	$(NODE) $(BUILD)/tools/bench.mjs all $(BENCH_ARGS)

bench-boot bench-clone bench-guest bench-translation bench-fence bench-aml bench-size bench-profile: $(BENCH_DEPS)
	$(NODE) $(BUILD)/tools/bench.mjs $(patsubst bench-%,%,$@) $(BENCH_ARGS)

bench-crng-ratio: $(BENCH_DEPS)
	$(NODE) $(BUILD)/tools/bench.mjs crng $(BENCH_ARGS)

# ---- clonesafe against a Linux peer ------------------------------------

# The peer: Debian 12's generic Linux 6.1 kernel (fetched once, never
# installed; bench/peers/linux/fetch-kernel.sh) with an initramfs holding
# bench/peers/linux/init.c, built static, and /dev/console.
PEER_LINUX := $(BUILD)/peers/linux
peer-linux: $(PEER_LINUX)/vmlinuz $(PEER_LINUX)/initramfs.cpio

$(PEER_LINUX)/vmlinuz: | $(BUILD)/.system-deps
	bench/peers/linux/fetch-kernel.sh $(PEER_LINUX)

$(PEER_LINUX)/init: bench/peers/linux/init.c | $(BUILD)/.system-deps
	@mkdir -p $(PEER_LINUX)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/tools/mkinitramfs.mjs: tools/peers/mkinitramfs.ts tools/peers/initramfs.ts | npm-deps
	@mkdir -p $(BUILD)/tools
	npx esbuild tools/peers/mkinitramfs.ts --bundle --platform=node --format=esm --target=node20 \
	  --outfile=$@ --log-level=warning

$(PEER_LINUX)/initramfs.cpio: $(PEER_LINUX)/init $(BUILD)/tools/mkinitramfs.mjs
	$(NODE) $(BUILD)/tools/mkinitramfs.mjs $< $@

# `make compare`: clonesafe and the Linux peer through the same QEMU command
# lines and restore scenarios on pc and q35 (tools/compare/); writes
# bench/compare.json and the README's comparison section. COMPARE_ARGS passes
# options, e.g. COMPARE_ARGS="--trials 4 --machine pc".
compare: build peer-linux
	$(NODE) $(BUILD)/tools/clonesafe.mjs compare --write $(COMPARE_ARGS)

# ---- restore-race soak --------------------------------------------------

# `make soak`: the restore-race scenarios of test/integration/races.test.ts
# (tools/races/scenarios.ts), SOAK_TRIALS trials each on pc and q35. Prints
# scenario × machine → fresh/total on stdout (progress and the reason for
# every stale trial on stderr); fails if any trial was not fresh.
# SOAK_ARGS passes options, e.g. SOAK_ARGS="--machines q35 --scenarios loadvm-stopped";
# SOAK_ARGS="--qemu 10.0 --vmclock" soaks on QEMU 10 (make qemu10) with -device vmclock.
SOAK_TRIALS ?= 200
$(BUILD)/tools/soak.mjs: $(TOOLS_SOURCES) | npm-deps
	@mkdir -p $(BUILD)/tools
	npx esbuild tools/races/soak.ts --bundle --platform=node --format=esm --target=node20 \
	  --outfile=$@ --log-level=warning

.PHONY: soak
soak: build $(BUILD)/tools/soak.mjs
	$(NODE) $(BUILD)/tools/soak.mjs --trials $(SOAK_TRIALS) $(SOAK_ARGS)

# ---- fixtures -----------------------------------------------------------
# Regenerates test/fixtures from the installed QEMU, the kernel reading the
# tables (tools/fixtures-make.ts); `git status test/fixtures` shows changes.
$(BUILD)/tools/fixtures.mjs: $(TOOLS_SOURCES) | npm-deps
	@mkdir -p $(BUILD)/tools
	npx esbuild tools/fixtures-make.ts --bundle --platform=node --format=esm --target=node20 \
	  --outfile=$@ --log-level=warning

.PHONY: fixtures
fixtures: build $(BUILD)/tools/fixtures.mjs
	$(NODE) $(BUILD)/tools/fixtures.mjs

# ---- fuzzing ------------------------------------------------------------

FUZZ_SECONDS ?= 3600
$(BUILD)/tools/fuzz.mjs: $(TOOLS_SOURCES) | npm-deps
	@mkdir -p $(BUILD)/tools
	npx esbuild tools/aml/fuzz-main.ts --bundle --platform=node --format=esm --target=node20 \
	  --outfile=$@ --log-level=warning

# Against the host entry with the kernel's runtime and heap size
# ($(HOST_KERNEL_RUNTIME), above), so what exhausts the kernel's heap crashes
# the fuzzer too (tools/aml/fuzz.ts); crashing and hanging inputs go to
# $(BUILD)/fuzz/.
.PHONY: fuzz
fuzz: build $(HOST_KERNEL_RUNTIME) $(BUILD)/tools/fuzz.mjs
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(NODE) $(BUILD)/tools/fuzz.mjs

# The kernel's ChaCha20 through the kernel's own pipeline (asc → wasm2c →
# gcc -O2), hosted, against a portable C ChaCha20 with the same flags.
NATIVE_CFLAGS := -std=gnu11 -O2 -fno-omit-frame-pointer -mno-red-zone $(WASM_RT_FLAGS) -Wall -Wno-unused-function
$(BUILD)/bench/chacha-native: bench/native/chacha20-bench.ts bench/native/main.c bench/native/chacha20-ref.c \
    bench/native/chacha20-ref.h kernel/random/chacha20.ts | npm-deps $(BUILD)/.system-deps
	@mkdir -p $(BUILD)/bench
	npx asc bench/native/chacha20-bench.ts --config bench/native/asconfig.json -o $(BUILD)/bench/chacha.wasm
	wasm2c -n chacha $(BUILD)/bench/chacha.wasm -o $(BUILD)/bench/chacha.c
	$(CC) $(NATIVE_CFLAGS) -I$(BUILD)/bench -Ibench/native -I/usr/share/wabt/wasm2c -o $@ \
	  bench/native/main.c bench/native/chacha20-ref.c $(BUILD)/bench/chacha.c /usr/share/wabt/wasm2c/wasm-rt-impl.c -lm

.PHONY: bench-crng
bench-crng: $(BUILD)/bench/chacha-native
	$(BUILD)/bench/chacha-native
