// _OSI: the one native method, answered from the strings ACPICA supports
// by default. Owns: that list. May call: evaluate.ts (logical). Never: touches
// the namespace; fails any way but Interpreter.fail.

import { AmlObject, AmlString, describe } from "./objects";
import { Interpreter } from "./machine";
import { logical } from "./evaluate";

/** The supported _OSI strings: what ACPICA answers true for by default. */
const OSI_STRINGS: string[] = [
  "Windows 2000", "Windows 2001", "Windows 2001 SP1", "Windows 2001.1", "Windows 2001 SP2",
  "Windows 2001.1 SP1", "Windows 2006", "Windows 2006.1", "Windows 2006 SP1", "Windows 2006 SP2",
  "Windows 2009", "Windows 2012", "Windows 2013", "Windows 2015", "Windows 2016", "Windows 2017",
  "Windows 2017.2", "Windows 2018", "Windows 2018.2", "Windows 2019", "Windows 2020",
  "Module Device", "Processor Device", "3.0 Thermal Model", "3.0 _SCP Extensions", "Processor Aggregator Device",
  "Extended Address Space Descriptor",
];


export function nativeOsi(it: Interpreter, args: Array<AmlObject | null>): AmlObject | null {
  const arg = args.length > 0 ? args[0] : null;
  if (!(arg instanceof AmlString)) return it.fail("_OSI needs a String argument, got " + describe(arg));
  const wanted = (arg as AmlString).value;
  for (let i = 0; i < OSI_STRINGS.length; i++) if (OSI_STRINGS[i] == wanted) return logical(it, true);
  return logical(it, false);
}
