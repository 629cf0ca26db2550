// A growable buffer of UTF-16 code units that becomes one string at the end.
// Owns: nothing beyond the text it builds. Never: makes a string per
// appended piece. The kernel collects garbage only when idle (mm/heap.ts),
// so `s += piece` in a loop costs memory quadratic in the result; anything
// whose length the input decides (hex dumps, JSON of AML data) uses this.

export class TextBuilder {
  private units: StaticArray<u16>;
  private used: i32 = 0;

  constructor(capacity: i32 = 64) {
    this.units = new StaticArray<u16>(max(capacity, 16));
  }

  get length(): i32 {
    return this.used;
  }

  private reserve(extra: i32): void {
    const needed = this.used + extra;
    if (needed <= this.units.length) return;
    let capacity = this.units.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new StaticArray<u16>(capacity);
    memory.copy(changetype<usize>(grown), changetype<usize>(this.units), <usize>this.used << 1);
    this.units = grown;
  }

  char(code: i32): TextBuilder {
    this.reserve(1);
    unchecked(this.units[this.used++] = <u16>code);
    return this;
  }

  text(s: string): TextBuilder {
    const n = s.length;
    this.reserve(n);
    memory.copy(changetype<usize>(this.units) + (<usize>this.used << 1), changetype<usize>(s), <usize>n << 1);
    this.used += n;
    return this;
  }

  /** `value` as exactly `digits` lowercase hex digits. */
  hex(value: u64, digits: i32): TextBuilder {
    this.reserve(digits);
    for (let i = digits - 1; i >= 0; i--) {
      const nibble = <i32>((value >> (<u64>(i * 4))) & 0xf);
      unchecked(this.units[this.used++] = <u16>(nibble < 10 ? 0x30 + nibble : 0x57 + nibble));
    }
    return this;
  }

  toString(): string {
    return String.UTF16.decodeUnsafe(changetype<usize>(this.units), <usize>this.used << 1);
  }
}
