// The kernel's BLAKE2s and ChaCha20 (kernel/random/), run as the host build:
// the RFC test vectors, the official keyed BLAKE2s KAT, and randomized
// comparison against Node's OpenSSL.
import { createCipheriv, createHash, randomBytes, randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hostKernel } from "../support/host.js";


const k = hostKernel().kernel;

/** Calls `f` with each string argument as a pinned kernel string; returns the kernel's string result. */
function call(f: (...args: never[]) => number, ...args: Array<string | number | bigint>): string {
  const pinned: number[] = [];
  try {
    const raw = args.map((a) => {
      if (typeof a !== "string") return a;
      const p = k.__pin(k.__newString(a));
      pinned.push(p);
      return p;
    });
    return k.__getString((f as (...a: Array<number | bigint>) => number)(...raw));
  } finally {
    for (const p of pinned) k.__unpin(p);
  }
}

const blake2s = (data: Buffer | string, outLength = 32, key: Buffer | string = "", chunk = 0): string =>
  call(k.blake2sHex, hexOf(data), outLength, hexOf(key), chunk);
const chachaBlock = (key: Buffer | string, counter: number, nonce: Buffer | string, outLength = 64): string =>
  call(k.chacha20BlockHex, hexOf(key), counter >>> 0, hexOf(nonce), outLength);
const chachaXor = (key: Buffer | string, counter: number, nonce: Buffer | string, data: Buffer | string): string =>
  call(k.chacha20XorHex, hexOf(key), counter >>> 0, hexOf(nonce), hexOf(data));

function hexOf(b: Buffer | string): string {
  return typeof b === "string" ? b : b.toString("hex");
}
function seq(n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => i & 0xff));
}
/** Node's ChaCha20 keystream: its 16-byte IV is the 32-bit counter (LE) then the 96-bit nonce. */
function nodeKeystream(key: Buffer, counter: number, nonce: Buffer, length: number): string {
  const iv = Buffer.alloc(16);
  iv.writeUInt32LE(counter >>> 0, 0);
  nonce.copy(iv, 4);
  return createCipheriv("chacha20", key, iv).update(Buffer.alloc(length)).toString("hex");
}
const zeros = (n: number): string => "00".repeat(n);

describe("BLAKE2s", () => {
  it("matches RFC 7693 Appendix B: BLAKE2s-256(\"abc\")", () => {
    const expected = "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982";
    expect(blake2s(Buffer.from("abc"))).toBe(expected);
    for (const chunk of [1, 2, 3]) expect(blake2s(Buffer.from("abc"), 32, "", chunk)).toBe(expected);
  });

  it("matches the RFC 7693 Appendix E self-test's BLAKE2s-256 of the empty string", () => {
    expect(blake2s("")).toBe("69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
  });

  it("matches the official keyed KAT (blake2s-kat.txt: key 00..1f, in = 00..len-1)", () => {
    const key = seq(32);
    const kat: Array<[number, string]> = [
      [0, "48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49"],
      [1, "40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1"],
      [2, "6bb71300644cd3991b26ccd4d274acd1adeab8b1d7914546c1198bbe9fc9d803"],
      [3, "1d220dbe2ee134661fdf6d9e74b41704710556f2f6e5a091b227697445dbea6b"],
      [255, "3fb735061abc519dfe979e54c1ee5bfad0a9d858b3315bad34bde999efd724dd"],
    ];
    for (const [len, digest] of kat) {
      expect(blake2s(seq(len), 32, key)).toBe(digest);
      expect(blake2s(seq(len), 32, key, 7)).toBe(digest);
      expect(blake2s(seq(len), 32, key, 64)).toBe(digest);
    }
  });

  it("agrees with Node's blake2s256 on random inputs of 0..300 bytes, whole and in chunks", () => {
    const lengths = [0, 1, 55, 63, 64, 65, 127, 128, 129, 192, 256, 300];
    while (lengths.length < 200) lengths.push(randomInt(0, 301));
    for (const length of lengths) {
      const data = randomBytes(length);
      const expected = createHash("blake2s256").update(data).digest("hex");
      expect(blake2s(data), `length ${length}`).toBe(expected);
      const chunk = [1, 13, 63, 64, 65][length % 5];
      expect(blake2s(data, 32, "", chunk), `length ${length}, chunks of ${chunk}`).toBe(expected);
    }
  });

  it("shorter digests are a different hash (the length is in the parameter block), not a truncation", () => {
    const d16 = blake2s(Buffer.from("abc"), 16);
    expect(d16).toHaveLength(32);
    expect(blake2s(Buffer.from("abc")).startsWith(d16)).toBe(false);
    expect(blake2s(Buffer.from("abc"), 1)).toHaveLength(2);
    expect(blake2s(Buffer.from("abc"), 16, "", 1)).toBe(d16);
  });

  it("updateU64 absorbs 8 little-endian bytes", () => {
    const prefix = randomBytes(61); // the word straddles a block boundary
    const value = 0x0123456789abcdefn;
    const le = Buffer.alloc(8);
    le.writeBigUInt64LE(value);
    const expected = createHash("blake2s256").update(Buffer.concat([prefix, le])).digest("hex");
    expect(call(k.blake2sU64Hex, prefix.toString("hex"), value)).toBe(expected);
  });

  it("rejects bad lengths without trapping", () => {
    expect(blake2s("abcd", 0)).toBe("");
    expect(blake2s("abcd", 33)).toBe("");
    expect(blake2s("abcd", -1)).toBe("");
    expect(blake2s("abcd", 32, seq(33))).toBe("");
    expect(blake2s("abcd", 0, "", 1)).toBe("");
    expect(blake2s("abcd", 33, "", 1)).toBe("");
    expect(blake2s("abcd", 32, seq(33), 1)).toBe("");
    // A 32-byte key is the longest allowed.
    expect(blake2s("abcd", 32, seq(32))).toHaveLength(64);
  });

  it("final() into a short buffer writes nothing; after final() the object is inert", () => {
    const data = Buffer.from("abc").toString("hex");
    const [digest, again, short] = call(k.blake2sEdgesHex, data, 32).split("|");
    expect(digest).toBe("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
    expect(again).toBe(zeros(32));
    expect(short).toBe(zeros(31));
  });
});

describe("ChaCha20", () => {
  it("matches the RFC 8439 §2.3.2 block function vector", () => {
    const key = seq(32);
    const nonce = "000000090000004a00000000";
    expect(chachaBlock(key, 1, nonce)).toBe(
      "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e" +
      "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
    );
  });

  it("matches the RFC 8439 §2.4.2 encryption vector", () => {
    const key = seq(32);
    const nonce = "000000000000004a00000000";
    const plaintext = Buffer.from(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const ciphertext =
      "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b" +
      "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8" +
      "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736" +
      "5af90bbf74a35be6b40b8eedf2785e42874d";
    expect(chachaXor(key, 1, nonce, plaintext)).toBe(ciphertext);
    // Decryption is the same operation.
    expect(chachaXor(key, 1, nonce, ciphertext)).toBe(plaintext.toString("hex"));
  });

  it("agrees with Node's chacha20 keystream on random keys, nonces and counters", () => {
    for (let i = 0; i < 100; i++) {
      const key = randomBytes(32);
      const nonce = randomBytes(12);
      const counter = randomBytes(4).readUInt32LE() >>> (i % 2 ? 0 : 8); // small and large counters
      const length = [0, 1, 63, 64, 65, 128, 200, 1000][i % 8];
      if (counter + Math.ceil(length / 64) > 2 ** 32) continue;
      expect(chachaBlock(key, counter, nonce), `block ${i}`).toBe(nodeKeystream(key, counter, nonce, 64));
      expect(chachaXor(key, counter, nonce, zeros(length)), `stream ${i}`).toBe(nodeKeystream(key, counter, nonce, length));
    }
  });

  it("reaches the last counter value, 2^32-1", () => {
    const key = randomBytes(32), nonce = randomBytes(12);
    const expected = nodeKeystream(key, 0xffffffff, nonce, 64);
    expect(chachaBlock(key, 0xffffffff, nonce)).toBe(expected);
    expect(chachaXor(key, 0xffffffff, nonce, zeros(64))).toBe(expected);
    expect(chachaXor(key, 0xfffffffe, nonce, zeros(128))).toBe(nodeKeystream(key, 0xfffffffe, nonce, 128));
  });

  it("writes only the first 64 bytes of a longer output buffer", () => {
    const key = randomBytes(32), nonce = randomBytes(12);
    expect(chachaBlock(key, 7, nonce, 80)).toBe(nodeKeystream(key, 7, nonce, 64) + zeros(16));
  });

  it("rejects bad lengths without trapping or writing", () => {
    const key = randomBytes(32), nonce = randomBytes(12);
    const data = randomBytes(100).toString("hex");
    expect(chachaBlock(key.subarray(0, 31), 0, nonce)).toBe(zeros(64));
    expect(chachaBlock(Buffer.concat([key, Buffer.alloc(1)]), 0, nonce)).toBe(zeros(64));
    expect(chachaBlock(key, 0, nonce.subarray(0, 11))).toBe(zeros(64));
    expect(chachaBlock(key, 0, Buffer.concat([nonce, Buffer.alloc(4)]))).toBe(zeros(64));
    expect(chachaBlock(key, 0, nonce, 63)).toBe(zeros(63));
    expect(chachaBlock(key, 0, nonce, 0)).toBe("");
    expect(chachaXor(key.subarray(0, 16), 0, nonce, data)).toBe(data);
    expect(chachaXor(key, 0, nonce.subarray(0, 8), data)).toBe(data);
    expect(chachaXor(key, 0, nonce, "")).toBe("");
    // Past block 2^32-1 the counter would wrap onto keystream already used.
    expect(chachaXor(key, 0xffffffff, nonce, zeros(65))).toBe(zeros(65));
    expect(chachaXor(key, 0xfffffffe, nonce, data + data)).toBe(data + data);
  });
});
