// The AML allocation meter: roughly how many heap bytes the interpreter has
// used since it last reset the meter: at each evaluation, and once for all
// the tables of a namespace (nothing is collected between them at boot).
// Every allocation the interpreter makes per term charges itself where it is
// made: objects (objects.ts), name paths (names.ts), targets, argument lists
// and notifies (interpreter.ts). Owns: the count. Never: allocates.
//
// Why: the kernel collects garbage only between events (mm/heap.ts), so an
// evaluation's garbage stays until it ends. The interpreter stops an
// evaluation whose charges pass AML_ALLOCATION_BUDGET with a named error,
// instead of letting a runaway loop exhaust the heap.

/**
 * What one evaluation (or one namespace's tables) may allocate: a quarter of
 * the kernel's 16 MiB heap. The charges track real use to within a small
 * factor, and TLSF fragmentation across repeated runaway evaluations took a
 * half-heap budget to the ceiling once in stress runs.
 */
export const AML_ALLOCATION_BUDGET: u64 = 4 << 20;
/** The smallest object as TLSF hands it out: block header, object header, a few fields. */
export const OBJECT_BYTES: u64 = 48;

export let amlBytesCharged: u64 = 0;

export function chargeAmlBytes(bytes: u64): void {
  amlBytesCharged += bytes;
}

export function resetAmlMeter(): void {
  amlBytesCharged = 0;
}

export function amlBudgetExceeded(): bool {
  return amlBytesCharged > AML_ALLOCATION_BUDGET;
}
