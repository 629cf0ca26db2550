// Synchronization objects and notifications: Acquire/Release (SyncLevel
// ordering, all released when an evaluation ends), Signal/Reset/Wait on
// Events (never blocks: one CPU, no other AML thread), and Notify's queue.
// Owns: Interpreter.heldMutexes and Interpreter.notifies. May call:
// evaluate.ts, decode.ts, the machine, store.ts. Never: sleeps; fails any way but Interpreter.fail.

import { AmlEvent, AmlInteger, AmlMutex, AmlObject, ObjectType, typeName } from "./objects";
import * as op from "./opcodes";
import { Interpreter, PendingNotify } from "./machine";
import { readInt } from "./decode";
import { evaluateInteger } from "./evaluate";
import { namedObjectTarget } from "./store";

export function executeNotify(it: Interpreter): AmlObject | null {
  const node = namedObjectTarget(it, "Notify");
  const value = evaluateInteger(it);
  if (it.failed) return null;
  const t = node!.type;
  if (t != ObjectType.Device && t != ObjectType.Processor && t != ObjectType.Thermal && t != ObjectType.Power) {
    return it.fail("Notify target " + node!.path() + " is a " + typeName(t) + ", not a Device, Processor or ThermalZone");
  }
  it.notifies.push(new PendingNotify(node!, <u32>value));
  return null;
}

export function executeAcquire(it: Interpreter): AmlObject | null {
  const node = namedObjectTarget(it, "Acquire");
  readInt(it, 2); // timeout: one thread, so the mutex is always free
  if (it.failed) return null;
  const m = node!.object;
  if (!(m instanceof AmlMutex)) return it.fail("Acquire target " + node!.path() + " is not a Mutex");
  const mutex = m as AmlMutex;
  if (mutex.depth == 0) {
    const level = currentSyncLevel(it);
    if (<i32>mutex.syncLevel < level) {
      return it.fail("Acquire of " + node!.path() + " (SyncLevel " + mutex.syncLevel.toString() +
        ") while holding a mutex at SyncLevel " + level.toString() + " breaks mutex ordering");
    }
    it.heldMutexes.push(mutex);
  }
  mutex.depth++;
  return new AmlInteger(0);
}

export function currentSyncLevel(it: Interpreter): i32 {
  let level = -1;
  for (let i = 0; i < it.heldMutexes.length; i++) level = max(level, <i32>it.heldMutexes[i].syncLevel);
  return level;
}

/** An evaluation that ends holding mutexes releases them (ACPICA does too). */
export function releaseAllMutexes(it: Interpreter): void {
  for (let i = 0; i < it.heldMutexes.length; i++) it.heldMutexes[i].depth = 0;
  it.heldMutexes = new Array<AmlMutex>();
}

export function executeRelease(it: Interpreter): AmlObject | null {
  const node = namedObjectTarget(it, "Release");
  if (it.failed) return null;
  const m = node!.object;
  if (!(m instanceof AmlMutex)) return it.fail("Release target " + node!.path() + " is not a Mutex");
  const mutex = m as AmlMutex;
  if (mutex.depth == 0) return it.fail("Release of " + node!.path() + ", which is not acquired");
  if (mutex.depth == 1 && <i32>mutex.syncLevel < currentSyncLevel(it)) {
    return it.fail("Release of " + node!.path() + " (SyncLevel " + mutex.syncLevel.toString() +
      ") before a mutex held at SyncLevel " + currentSyncLevel(it).toString() + " breaks mutex ordering");
  }
  mutex.depth--;
  if (mutex.depth == 0) it.heldMutexes.splice(it.heldMutexes.indexOf(mutex), 1);
  return null;
}

export function executeEvent(it: Interpreter, code: i32): AmlObject | null {
  const node = namedObjectTarget(it, it.ops.name(code));
  if (it.failed) return null;
  const e = node!.object;
  if (!(e instanceof AmlEvent)) return it.fail(it.ops.name(code) + " target " + node!.path() + " is not an Event");
  if (code == op.SIGNAL_OP) (e as AmlEvent).signals++;
  else (e as AmlEvent).signals = 0;
  return null;
}

export function executeWait(it: Interpreter): AmlObject | null {
  const node = namedObjectTarget(it, "Wait");
  evaluateInteger(it);
  if (it.failed) return null;
  const e = node!.object;
  if (!(e instanceof AmlEvent)) return it.fail("Wait target " + node!.path() + " is not an Event");
  const event = e as AmlEvent;
  if (event.signals == 0) return new AmlInteger(it.ones); // would time out: nothing else can signal it
  event.signals--;
  return new AmlInteger(0);
}
