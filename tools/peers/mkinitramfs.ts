// Build step (Makefile, peer-linux): writes the Linux peer's initramfs.
//   node build/tools/mkinitramfs.mjs INIT OUT
// Owns: reading INIT and writing OUT (via a temporary file, renamed, so a
// failed run leaves no half archive). May call: initramfs.ts. Never: runs
// the program it packs.

import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { initramfs } from "./initramfs.js";

const [init, out] = process.argv.slice(2);
if (!init || !out) {
  process.stderr.write("usage: mkinitramfs INIT OUT\n");
  process.exit(2);
}
writeFileSync(`${out}.tmp`, initramfs(readFileSync(init)));
renameSync(`${out}.tmp`, out);
