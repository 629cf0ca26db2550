// `make soak`'s command line (tools/races/soak.ts), parsed apart from the
// run so it can be tested: which scenarios, machines and trials, which
// kernel image, on which QEMU leg (`--qemu 7.2|10.0`, resolved through
// tools/qemu/versions.ts; default: the launcher's QEMU, CLONESAFE_QEMU or
// the system's) and with or without `-device vmclock` (`--vmclock`, only
// on a QEMU that has the device).
// Owns: the meaning of each option and the wording of its usage errors.
// May call: tools/qemu/versions.ts (which runs `<binary> --version` and
// `<binary> -device vmclock,help`) and the file system (does the image exist).
// Never: starts a QEMU process or exits the process (a bad command line is a
// SoakUsageError; soak.ts prints it with the usage and exits 2).

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { MACHINE_TYPES, VMCLOCK_DEVICE, type MachineType } from "../qemu/args.js";
import { defaultQemu, hasDevice, qemuLegNamed, qemuVersionName, type QemuLeg } from "../qemu/versions.js";
import { SCENARIOS } from "./scenarios.js";

export const SOAK_USAGE = "usage: soak [--trials N] [--machines pc,q35] [--scenarios id,...] [--image FILE] [--qemu 7.2|10.0] [--vmclock]";

export class SoakUsageError extends Error {}

export interface SoakArgs {
  trials: number;
  machines: MachineType[];
  /** Scenario ids, in the order given. */
  scenarios: string[];
  image: string;
  /** The QEMU every scenario runs on, named by its version. */
  qemu: QemuLeg;
  vmclock: boolean;
}

export interface SoakArgsContext {
  /** The kernel image when --image is absent. */
  defaultImage: string;
  /** SOAK_TRIALS and CLONESAFE_QEMU. */
  env?: NodeJS.ProcessEnv;
  /** Where build/qemu10 is looked for (the repository). */
  repo?: string;
}

/** Parses soak's arguments; throws SoakUsageError naming the problem. */
export function parseSoakArgs(argv: readonly string[], ctx: SoakArgsContext): SoakArgs {
  const env = ctx.env ?? process.env;
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        trials: { type: "string" }, machines: { type: "string" }, scenarios: { type: "string" }, image: { type: "string" },
        qemu: { type: "string" }, vmclock: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new SoakUsageError((e as Error).message);
  }
  const trials = Number(values.trials ?? env.SOAK_TRIALS ?? 200);
  if (!Number.isInteger(trials) || trials < 1) throw new SoakUsageError(`--trials must be a positive integer, got "${values.trials ?? env.SOAK_TRIALS}"`);
  const machines = (values.machines?.split(",") ?? [...MACHINE_TYPES]) as MachineType[];
  for (const m of machines) if (!MACHINE_TYPES.includes(m)) throw new SoakUsageError(`unknown machine "${m}" (${MACHINE_TYPES.join(", ")})`);
  const scenarios = values.scenarios?.split(",") ?? SCENARIOS.map((s) => s.id);
  for (const id of scenarios) if (!SCENARIOS.some((s) => s.id === id)) throw new SoakUsageError(`unknown scenario "${id}"`);

  let qemu: QemuLeg;
  try {
    if (values.qemu !== undefined) {
      qemu = qemuLegNamed(values.qemu, ctx.repo);
    } else {
      const d = defaultQemu(env);
      qemu = { ...d, name: qemuVersionName(d.binary) };
    }
  } catch (e) {
    throw new SoakUsageError(`--qemu: ${(e as Error).message}`);
  }
  const vmclock = values.vmclock === true;
  if (vmclock && !hasDevice(qemu.binary, VMCLOCK_DEVICE)) {
    throw new SoakUsageError(`--vmclock: QEMU ${qemu.name} (${qemu.binary}) has no ${VMCLOCK_DEVICE} device (QEMU 10.0 has: --qemu 10.0)`);
  }
  const image = resolve(values.image ?? ctx.defaultImage); // QEMU runs in its own folder
  if (!existsSync(image)) throw new SoakUsageError(`kernel image ${image} not found (run make build)`);
  return { trials, machines, scenarios, image, qemu, vmclock };
}

/** The leg a soak ran on, for its table's header: "QEMU 10.0, -device vmclock". */
export function legLabel(a: Pick<SoakArgs, "qemu" | "vmclock">): string {
  return `QEMU ${a.qemu.name}${a.vmclock ? ", -device vmclock" : ""}`;
}
