// A newc ("070701") cpio archive writer, enough for an initramfs: regular
// files, directories and device nodes, no hard links. Owns: the archive's
// byte layout (header fields, 4-byte padding, the TRAILER!!! entry).
// May call: nothing (pure). Never: reads or writes files (mkinitramfs.ts does).

export type Entry =
  | { kind: "dir"; path: string; mode?: number }
  | { kind: "file"; path: string; data: Uint8Array; mode?: number }
  | { kind: "char"; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFCHR = 0o020000;
const TRAILER = "TRAILER!!!";

function field(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`cpio header field out of range: ${n}`);
  return n.toString(16).toUpperCase().padStart(8, "0");
}

function pad4(n: number): number { return (4 - (n % 4)) % 4; }

function member(ino: number, path: string, mode: number, data: Uint8Array, rdev: [number, number], nlink: number): Buffer {
  if (path.startsWith("/") || path.includes("\0")) throw new Error(`cpio path must be relative and without NUL: ${JSON.stringify(path)}`);
  const name = Buffer.from(path + "\0", "utf8");
  const header = "070701" + [
    ino, mode, 0 /* uid */, 0 /* gid */, nlink, 0 /* mtime: reproducible archives */, data.length,
    0, 0 /* devmajor, devminor */, rdev[0], rdev[1], name.length, 0 /* check */,
  ].map(field).join("");
  const head = Buffer.concat([Buffer.from(header, "ascii"), name]);
  return Buffer.concat([head, Buffer.alloc(pad4(head.length)), Buffer.from(data), Buffer.alloc(pad4(data.length))]);
}

/** The archive: the entries in order (parents before children), then the trailer. */
export function newcArchive(entries: readonly Entry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((e, i) => {
    const ino = i + 1;
    switch (e.kind) {
      case "dir": parts.push(member(ino, e.path, S_IFDIR | (e.mode ?? 0o755), new Uint8Array(0), [0, 0], 2)); break;
      case "file": parts.push(member(ino, e.path, S_IFREG | (e.mode ?? 0o644), e.data, [0, 0], 1)); break;
      case "char": parts.push(member(ino, e.path, S_IFCHR | (e.mode ?? 0o600), new Uint8Array(0), [e.major, e.minor], 1)); break;
    }
  });
  parts.push(member(0, TRAILER, 0, new Uint8Array(0), [0, 0], 1));
  return Buffer.concat(parts);
}

/** The peer's initramfs: /init (the static program) and /dev/console (5:1), which the kernel opens for init. */
export function initramfs(init: Uint8Array): Buffer {
  return newcArchive([
    { kind: "dir", path: "dev" },
    { kind: "char", path: "dev/console", major: 5, minor: 1, mode: 0o600 },
    { kind: "file", path: "init", data: init, mode: 0o755 },
  ]);
}
