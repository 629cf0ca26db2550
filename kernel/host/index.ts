// Host build entry: the same kernel modules, compiled for Node with a
// simulated `hw` (tools/sim/machine.ts). Exports what tests and host tools
// drive directly; the machine build's entry is main.ts.

export { boot, inputPending, step } from "../kernel";
export { execute, tokenize } from "../console/shell";
export { hex, parseUnsigned } from "../lib/fmt";
export { acpiDiscoverJson, acpiAmlTableHex } from "./acpi";
export {
  amlReset, amlLoadTable, amlNamespaceListing, amlEvaluateJson,
} from "../aml/index";
export const UINT8ARRAY_ID = idof<Uint8Array>();
export { amlNewEvent, checkDefinitionBlock, registerAmlCommand } from "../aml/index";
export { collectAtIdle, heapStats } from "../mm/heap";
export { mmInit, mmMap, mmUnmap, mmError, mmDescribe, mmTranslate, mmFramesAllocated } from "./mm";
export { eventsCreate, eventsCreateMemoryGpe, eventsSci, eventsTakePowerButton, sleepReadS5 } from "./events";
export {
  blake2sHex, blake2sU64Hex, blake2sEdgesHex, chacha20BlockHex, chacha20XorHex, chacha20Blocks, blake2sBytes,
} from "./crypto";
export { crngSeedForTest, crngDrawHex } from "./crng";
export { vmgenidMemoryInit, vmgenidProbe, vmgenidEisaText } from "./vmgenid";
export { resourcesJson } from "./resources";
export { amlOpcodeTableProblem, amlOpcodeName, amlOpcodeShape, amlOpcodeRowProblem } from "./aml";
