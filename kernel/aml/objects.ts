// AML objects: the values the interpreter computes and the namespace holds.
// Owns: object kinds, their ACPICA type names (as acpiexec spells them, so
// listings compare line for line), and the ACPI implicit/explicit conversions
// between Integer, String and Buffer. Never: touches hardware or the
// namespace, or allocates a result the AML meter says does not fit (each
// conversion whose size its input decides asks first); conversions that
// can fail return null and leave the error message in `conversionError`.

import { TextBuilder } from "../lib/text";
import { OBJECT_BYTES, amlAllocationProblem, chargeAmlBytes } from "./meter";

export const enum ObjectType {
  Untyped = 0, Integer = 1, String = 2, Buffer = 3, Package = 4, FieldUnit = 5,
  Device = 6, Event = 7, Method = 8, Mutex = 9, Region = 10, Power = 11,
  Processor = 12, Thermal = 13, BufferField = 14, DdbHandle = 15, Debug = 16,
  // Internal kinds beyond ObjectType()'s range, spelled as ACPICA spells them.
  RegionField = 17, BankField = 18, IndexField = 19, Reference = 20, Alias = 21,
  Scope = 27,
}

export function typeName(t: ObjectType): string {
  switch (t) {
    case ObjectType.Untyped: return "Untyped";
    case ObjectType.Integer: return "Integer";
    case ObjectType.String: return "String";
    case ObjectType.Buffer: return "Buffer";
    case ObjectType.Package: return "Package";
    case ObjectType.FieldUnit: return "FieldUnit";
    case ObjectType.Device: return "Device";
    case ObjectType.Event: return "Event";
    case ObjectType.Method: return "Method";
    case ObjectType.Mutex: return "Mutex";
    case ObjectType.Region: return "Region";
    case ObjectType.Power: return "Power";
    case ObjectType.Processor: return "Processor";
    case ObjectType.Thermal: return "Thermal";
    case ObjectType.BufferField: return "BufferField";
    case ObjectType.DdbHandle: return "DdbHandle";
    case ObjectType.Debug: return "DebugObject";
    case ObjectType.RegionField: return "RegionField";
    case ObjectType.BankField: return "BankField";
    case ObjectType.IndexField: return "IndexField";
    case ObjectType.Reference: return "Reference";
    case ObjectType.Alias: return "Alias";
    case ObjectType.Scope: return "Scope";
  }
  return "Unknown";
}

/** ObjectType()'s result: the ACPI type code, field kinds folded to FieldUnit. */
export function acpiTypeCode(t: ObjectType): u64 {
  if (t == ObjectType.RegionField || t == ObjectType.BankField || t == ObjectType.IndexField) return 5;
  if (t == ObjectType.Scope || t == ObjectType.Alias || t == ObjectType.Reference) return 0;
  return <u64>t;
}

export class AmlObject {
  constructor(public type: ObjectType) {
    chargeAmlBytes(OBJECT_BYTES);
  }
}

export class AmlInteger extends AmlObject {
  constructor(public value: u64) { super(ObjectType.Integer); }
}

export class AmlString extends AmlObject {
  constructor(public value: string) {
    super(ObjectType.String);
    chargeAmlBytes(<u64>value.length << 1);
  }
}

export class AmlBuffer extends AmlObject {
  constructor(public data: Uint8Array) {
    super(ObjectType.Buffer);
    chargeAmlBytes(<u64>data.length + OBJECT_BYTES);
  }
}

/** Where a deferred Package's encoding lies (evaluate.ts's TablePackage says in which table and scope). */
export class PackageSource {}

const NO_ELEMENTS = new StaticArray<AmlObject | null>(0);

/**
 * A Package. Its elements are one fixed-size array (one allocation, where
 * an Array took two). A Package that a table's Name() defines at load is
 * deferred, as ACPICA defers it: it keeps where its encoding lies and is
 * decoded the first time its elements are asked for — a q35 DSDT's two
 * interrupt-routing Packages are 256 Packages of four elements, most of its
 * load, and boot never looks at them.
 */
export class AmlPackage extends AmlObject {
  private items: StaticArray<AmlObject | null> | null;
  source: PackageSource | null;

  constructor(items: StaticArray<AmlObject | null> | null, source: PackageSource | null = null) {
    super(ObjectType.Package);
    this.items = items;
    this.source = source;
    chargeAmlBytes((items == null ? 0 : <u64>items.length << 2) + OBJECT_BYTES);
  }

  get deferred(): bool {
    return this.items == null;
  }

  /**
   * The elements; none while the Package is deferred. Reading them runs
   * nothing: the interpreter decodes a deferred Package where a node's
   * object becomes a value (evaluate.ts decodedValue), so a Package any
   * operand, result or element holds is never deferred, and only the
   * namespace node a table's Name() made holds one.
   */
  get elements(): StaticArray<AmlObject | null> {
    const items = this.items;
    return items != null ? items : NO_ELEMENTS;
  }

  /** The decoder's result: from now on the Package is an ordinary one. */
  decoded(items: StaticArray<AmlObject | null>): void {
    this.items = items;
    this.source = null;
  }
}

/** A container with no value of its own: Device, Scope, Processor, Power, Thermal. */
export class AmlContainer extends AmlObject {
  constructor(type: ObjectType) { super(type); }
}

export class AmlMutex extends AmlObject {
  depth: i32 = 0; // acquisitions not yet released (one thread: ownership is implied)
  constructor(public syncLevel: u8) { super(ObjectType.Mutex); }
}

export class AmlEvent extends AmlObject {
  signals: i32 = 0;
  constructor() { super(ObjectType.Event); }
}

/** A method body: a byte range of the table that defined it, decoded when called. */
export class AmlMethod extends AmlObject {
  constructor(
    public argCount: i32,
    public serialized: bool,
    public table: AmlTableRef | null,
    public start: i32,
    public end: i32,
    public nativeId: i32 = 0, // non-zero: implemented by the interpreter (_OSI)
  ) { super(ObjectType.Method); }
}

export class AmlRegion extends AmlObject {
  constructor(public space: u8, public offset: u64, public length: u64) { super(ObjectType.Region); }
}

export const ACCESS_ANY: u8 = 0;
export const ACCESS_BYTE: u8 = 1;
export const ACCESS_WORD: u8 = 2;
export const ACCESS_DWORD: u8 = 3;
export const ACCESS_QWORD: u8 = 4;
export const ACCESS_BUFFER: u8 = 5;
export const UPDATE_PRESERVE: u8 = 0;
export const UPDATE_WRITE_AS_ONES: u8 = 1;
export const UPDATE_WRITE_AS_ZEROS: u8 = 2;

/** A Field, IndexField or BankField unit. Region fields name their region
 * object; index fields name the index and data field objects. */
export class AmlField extends AmlObject {
  region: AmlRegion | null = null;
  indexField: AmlField | null = null;
  dataField: AmlField | null = null;
  bankField: AmlField | null = null;
  bankValue: u64 = 0;
  /** 0 for a region field; 1 + the deepest field an IndexField or BankField is built on. */
  chainDepth: i32 = 0;
  constructor(
    type: ObjectType,
    public bitOffset: u32,
    public bitLength: u32,
    public accessType: u8,
    public updateRule: u8,
  ) { super(type); }
}

export class AmlBufferField extends AmlObject {
  constructor(
    public buffer: AmlBuffer,
    public bitOffset: u32,
    public bitLength: u32,
    /** CreateField's fields read as Buffers at any width, as ACPICA reads them. */
    public alwaysBuffer: bool = false,
  ) { super(ObjectType.BufferField); }
}

export const enum RefKind { PackageElement, BufferByte, StringChar, Named, Unresolved }

/** The result of Index() and RefOf(), and unresolved names in packages. */
export class AmlReference extends AmlObject {
  container: AmlObject | null = null; // package, buffer or string for Index()
  index: i32 = 0;
  target: AmlObject | null = null;    // RefOf(named object): the node's object holder
  nodePath: string = "";              // for Named and Unresolved references
  scopePath: string = "";             // Unresolved: the scope the name is resolved from later
  constructor(public kind: RefKind) { super(ObjectType.Reference); }
}

export class AmlDebug extends AmlObject {
  constructor() { super(ObjectType.Debug); }
}

/** Which table a method body lives in: its bytes, signature and width. */
export class AmlTableRef {
  constructor(
    public bytes: Uint8Array,
    public signature: string,
    public oemTableId: string,
    public id: i32,
  ) {}
}

// ---- conversions -------------------------------------------------------------

export let conversionError = "";

export function describe(obj: AmlObject | null): string {
  return obj == null ? "uninitialized object" : typeName(obj.type);
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** Implicit String → Integer: hex digits, stopping at the first non-digit. */
function stringToIntegerImplicit(s: string, ones: u64): u64 {
  let v: u64 = 0;
  let i = 0;
  if (s.length >= 2 && s.charCodeAt(0) == 0x30 && (s.charCodeAt(1) | 0x20) == 0x78) i = 2;
  for (; i < s.length; i++) {
    const d = hexDigit(s.charCodeAt(i));
    if (d < 0) break;
    v = (v << 4) | <u64>d;
  }
  return v & ones;
}

/** Explicit ToInteger(String): "0x…" is hex, anything else decimal. */
export function stringToIntegerExplicit(s: string, ones: u64): u64 {
  let i = 0;
  while (i < s.length && (s.charCodeAt(i) == 0x20 || s.charCodeAt(i) == 0x09)) i++;
  if (i + 1 < s.length && s.charCodeAt(i) == 0x30 && (s.charCodeAt(i + 1) | 0x20) == 0x78) {
    return stringToIntegerImplicit(s.substring(i), ones);
  }
  let v: u64 = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    v = v * 10 + <u64>(c - 0x30);
  }
  return v & ones;
}

export function bufferToInteger(data: Uint8Array, byteWidth: i32): u64 {
  let v: u64 = 0;
  const n = min(data.length, byteWidth);
  for (let i = n - 1; i >= 0; i--) v = (v << 8) | <u64>unchecked(data[i]);
  return v;
}

/** Implicit conversion to Integer, as operands of arithmetic and logic take it. */
export function toInteger(obj: AmlObject | null, ones: u64): AmlInteger | null {
  if (obj instanceof AmlInteger) return (obj as AmlInteger);
  if (obj instanceof AmlString) return new AmlInteger(stringToIntegerImplicit((obj as AmlString).value, ones));
  if (obj instanceof AmlBuffer) return new AmlInteger(bufferToInteger((obj as AmlBuffer).data, ones == 0xffffffff ? 4 : 8) & ones);
  conversionError = "expected an Integer, String or Buffer operand, got " + describe(obj);
  return null;
}

/** Whether the budget allows `bytes`; when not, `conversionError` names it (meter.ts amlAllocationProblem). */
function allowsConversion(bytes: u64, what: string, a: u64 = 0): bool {
  const problem = amlAllocationProblem(bytes, what, a);
  if (problem.length == 0) return true;
  conversionError = problem;
  return false;
}

/** An Integer's bytes (a temporary: charged here, as it is never an object). */
export function integerToBuffer(value: u64, byteWidth: i32): Uint8Array {
  chargeAmlBytes(OBJECT_BYTES + <u64>byteWidth);
  const out = new Uint8Array(byteWidth);
  for (let i = 0; i < byteWidth; i++) unchecked(out[i] = <u8>(value >> (<u64>(8 * i))));
  return out;
}

/** Implicit and explicit conversion to Buffer (ToBuffer()). */
export function toBuffer(obj: AmlObject | null, byteWidth: i32): AmlBuffer | null {
  if (obj instanceof AmlBuffer) return (obj as AmlBuffer);
  if (obj instanceof AmlInteger) return new AmlBuffer(integerToBuffer((obj as AmlInteger).value, byteWidth));
  if (obj instanceof AmlString) {
    const s = (obj as AmlString).value;
    if (!allowsConversion(<u64>s.length + 1 + 2 * OBJECT_BYTES, "converting a {}-character String to a Buffer", <u64>s.length)) return null;
    // ACPI: a String becomes its bytes plus the terminating NUL.
    const out = new Uint8Array(s.length + 1);
    for (let i = 0; i < s.length; i++) unchecked(out[i] = <u8>s.charCodeAt(i));
    return new AmlBuffer(out);
  }
  conversionError = "expected an Integer, String or Buffer operand, got " + describe(obj);
  return null;
}

const UPPER_HEX = "0123456789ABCDEF";

export function upperHex(value: u64, digits: i32): string {
  let s = "";
  for (let i = digits - 1; i >= 0; i--) s += UPPER_HEX.charAt(<i32>((value >> (<u64>(4 * i))) & 0xf));
  return s;
}

/** Implicit conversion to String (Concatenate, stores into Strings): a
 * Buffer becomes space-separated `0xNN` bytes, as ACPICA converts it. */
export function toStringImplicit(obj: AmlObject | null, byteWidth: i32): AmlString | null {
  if (obj instanceof AmlString) return (obj as AmlString);
  if (obj instanceof AmlInteger) return new AmlString(upperHex((obj as AmlInteger).value, byteWidth * 2));
  if (obj instanceof AmlBuffer) return bufferText((obj as AmlBuffer).data, 0x20, true, "converting a", " to a String");
  conversionError = "expected an Integer, String or Buffer operand, got " + describe(obj);
  return null;
}

/** ToHexString(): an Integer as zero-padded hex digits (ACPICA adds no
 * prefix); a Buffer as comma-separated `0xNN` bytes. */
export function toHexString(obj: AmlObject | null, byteWidth: i32): AmlString | null {
  if (obj instanceof AmlString) return (obj as AmlString);
  if (obj instanceof AmlInteger) return new AmlString(upperHex((obj as AmlInteger).value, byteWidth * 2));
  if (obj instanceof AmlBuffer) return bufferText((obj as AmlBuffer).data, 0x2c, true, "ToHexString of a", "");
  conversionError = "ToHexString needs an Integer, String or Buffer, got " + describe(obj);
  return null;
}

/** ToDecimalString(). */
export function toDecimalString(obj: AmlObject | null): AmlString | null {
  if (obj instanceof AmlString) return (obj as AmlString);
  if (obj instanceof AmlInteger) return new AmlString((obj as AmlInteger).value.toString());
  if (obj instanceof AmlBuffer) return bufferText((obj as AmlBuffer).data, 0x2c, false, "ToDecimalString of a", "");
  conversionError = "ToDecimalString needs an Integer, String or Buffer, got " + describe(obj);
  return null;
}

const UPPER_HEX_DIGITS = "0123456789ABCDEF";

function decimalDigits(b: u32): i32 {
  return b >= 100 ? 3 : (b >= 10 ? 2 : 1);
}

/**
 * A Buffer as text, one item per byte separated by `separator`: `0xNN`
 * (hex) or decimal. The exact length is computed first and the allocation
 * (the builder, then the string) asked for before it is made; null with
 * `conversionError` when it does not fit.
 */
function bufferText(data: Uint8Array, separator: i32, hexBytes: bool, whatPrefix: string, whatSuffix: string): AmlString | null {
  const n = data.length;
  let length: i64 = n > 0 ? <i64>n - 1 : 0;
  if (hexBytes) length += 4 * <i64>n;
  else for (let i = 0; i < n; i++) length += decimalDigits(<u32>unchecked(data[i]));
  // UTF-16 code units in the builder and again in the string.
  if (!allowsConversion(<u64>length * 4 + 2 * OBJECT_BYTES, whatPrefix + " {}-byte Buffer" + whatSuffix, <u64>n)) return null;
  const text = new TextBuilder(<i32>length);
  for (let i = 0; i < n; i++) {
    if (i > 0) text.char(separator);
    const b = <u32>unchecked(data[i]);
    if (hexBytes) {
      text.char(0x30).char(0x78).char(UPPER_HEX_DIGITS.charCodeAt(<i32>(b >> 4))).char(UPPER_HEX_DIGITS.charCodeAt(<i32>(b & 0xf)));
    } else {
      if (b >= 100) text.char(0x30 + <i32>(b / 100));
      if (b >= 10) text.char(0x30 + <i32>((b / 10) % 10));
      text.char(0x30 + <i32>(b % 10));
    }
  }
  return new AmlString(text.toString());
}

/**
 * A value copy, as Store and CopyObject take one (packages deep-copied);
 * null with `conversionError` when a Buffer's or Package's copy does not fit
 * the AML budget.
 */
export function copyValue(obj: AmlObject | null): AmlObject | null {
  if (obj instanceof AmlInteger) return new AmlInteger((obj as AmlInteger).value);
  if (obj instanceof AmlString) return new AmlString((obj as AmlString).value);
  if (obj instanceof AmlBuffer) {
    const data = (obj as AmlBuffer).data;
    if (!allowsConversion(<u64>data.length + 2 * OBJECT_BYTES, "a copy of a {}-byte Buffer", <u64>data.length)) return null;
    return new AmlBuffer(data.slice(0));
  }
  if (obj instanceof AmlPackage) {
    const source = (obj as AmlPackage).elements;
    if (!allowsConversion((<u64>source.length << 2) + 2 * OBJECT_BYTES, "a copy of a Package of {}", <u64>source.length)) return null;
    const elements = new StaticArray<AmlObject | null>(source.length);
    for (let i = 0; i < source.length; i++) {
      const e = source[i];
      const copy = copyValue(e);
      if (copy == null && e != null) return null;
      elements[i] = copy;
    }
    return new AmlPackage(elements);
  }
  return obj;
}
