// The AML meter: what the AML subsystem has allocated, and how much work it
// has done, since the current event began. An event is what the kernel does
// between two garbage collections: boot, one SCI, one shell command
// (main.ts begins one after each collection; the host tools begin one per
// evaluation they are asked for). Owns: the two counts, their limits, and
// the tighter limit one evaluation may be held to (identification objects,
// aml/index.ts). Never: allocates.
//
// Why per event: the kernel collects garbage only between events
// (mm/heap.ts), so everything one event allocates stays until it ends —
// boot's device discovery runs one evaluation per device, and one SCI may
// dispatch several GPEs. A budget per evaluation let them add up past the
// heap.
//
// Allocation is checked before it is made: an allocation whose size the
// input decides (a Buffer's length, a conversion's result, a field's width)
// first asks amlCanAllocate() and is refused by name when it would not fit,
// so it is never made; its bytes are then charged where the object is built
// (objects.ts). Small fixed-size allocations (object headers, name paths,
// temporaries) are charged where they are made, and the interpreter checks
// the total at every term.
// Work: every term and every field access counts one step.

/**
 * What one event may allocate: a quarter of the kernel's 16 MiB heap. The
 * charges track real use to within a small factor, and TLSF fragmentation
 * across repeated runaway evaluations took a half-heap budget to the ceiling
 * once in stress runs.
 */
export const AML_ALLOCATION_BUDGET: u64 = 4 << 20;
/** The steps (terms and field accesses) one event may take. */
export const AML_WORK_LIMIT: u64 = 1 << 19;
/** The smallest object as TLSF hands it out: block header, object header, a few fields. */
export const OBJECT_BYTES: u64 = 48;

export let amlBytesCharged: u64 = 0;
export let amlWorkDone: u64 = 0;
/** The allocation limit in force: the event's budget, or lower while an evaluation is held to less. */
let ceiling: u64 = AML_ALLOCATION_BUDGET;
/** Why `ceiling` is lower than the budget ("" when it is not): the start of the error message. */
let ceilingReason: string = "";
let ceilingBytes: u64 = 0;

/** Starts a new event: nothing allocated, no work done. */
export function amlBeginEvent(): void {
  amlBytesCharged = 0;
  amlWorkDone = 0;
  ceiling = AML_ALLOCATION_BUDGET;
  ceilingReason = "";
}

// @ts-ignore: decorator
@inline export function chargeAmlBytes(bytes: u64): void {
  amlBytesCharged += bytes;
}

/**
 * True when `bytes` more may be allocated now. The caller then allocates
 * and charges them (constructors in objects.ts do); when false it allocates
 * nothing and fails with amlBudgetProblem().
 */
// @ts-ignore: decorator
@inline export function amlCanAllocate(bytes: u64): bool {
  return bytes <= ceiling && amlBytesCharged <= ceiling - bytes;
}

// @ts-ignore: decorator
@inline export function amlBudgetExceeded(): bool {
  return amlBytesCharged > ceiling;
}

/** Counts `steps` of work; false once the event has done more than AML_WORK_LIMIT. */
// @ts-ignore: decorator
@inline export function countAmlWork(steps: u64): bool {
  amlWorkDone += steps;
  return amlWorkDone <= AML_WORK_LIMIT;
}

export function amlWorkExceeded(): bool {
  return amlWorkDone > AML_WORK_LIMIT;
}

/** The named error for an allocation of `bytes` (0: one already made) that does not fit. */
export function amlBudgetProblem(what: string, bytes: u64): string {
  const left = amlBytesCharged >= ceiling ? <u64>0 : ceiling - amlBytesCharged;
  if (ceilingReason.length > 0) {
    return ceilingReason + " may allocate at most " + (ceilingBytes >> 10).toString() + " KiB; " + what +
      (bytes > 0 ? " would allocate " + bytes.toString() + " bytes (" + left.toString() + " left)" : " passed it");
  }
  if (bytes == 0) {
    return "allocated about " + (AML_ALLOCATION_BUDGET >> 20).toString() + " MiB in one event " +
      "(runaway loop?); the kernel reclaims AML memory only between events";
  }
  return what + " would allocate " + bytes.toString() + " bytes, more than the " + left.toString() +
    " left of this event's " + (AML_ALLOCATION_BUDGET >> 20).toString() +
    " MiB AML budget (the kernel reclaims AML memory only between events)";
}

/**
 * "" when the budget allows an allocation of `bytes` whose size the AML
 * decided, else the named error: `what` with each "{}" replaced by `a`,
 * then `b`, in decimal (built only then, so an allowed allocation builds no
 * message). Interpreter.allows and objects.ts's conversions ask this.
 */
export function amlAllocationProblem(bytes: u64, what: string, a: u64 = 0, b: u64 = 0): string {
  if (amlCanAllocate(bytes)) return "";
  const parts = what.split("{}");
  let named = parts[0];
  for (let i = 1; i < parts.length; i++) named += (i == 1 ? a : b).toString() + parts[i];
  return amlBudgetProblem(named, bytes);
}

export function amlWorkProblem(): string {
  return "AML work limit reached: " + AML_WORK_LIMIT.toString() + " terms and field accesses in one event " +
    "(runaway loop or field chain?)";
}

/**
 * Holds what follows to at most `bytes` more than is charged now (never more
 * than the event's budget), naming `reason` in the error; returns the limit
 * it replaced, for amlRestoreLimit().
 */
export function amlLimitTo(bytes: u64, reason: string): u64 {
  const saved = ceiling;
  const wanted = amlBytesCharged + bytes;
  if (wanted < ceiling) {
    ceiling = wanted;
    ceilingReason = reason;
    ceilingBytes = bytes;
  }
  return saved;
}

export function amlRestoreLimit(saved: u64): void {
  ceiling = saved;
  if (saved == AML_ALLOCATION_BUDGET) ceilingReason = "";
}
