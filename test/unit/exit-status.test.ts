// The loader (C) and the host tools (TypeScript) must agree on what every
// exit value means.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as status from "../../tools/qemu/exit-status.js";
import { REPO } from "../support/host.js";

describe("exit status numbering", () => {
  const header = readFileSync(resolve(REPO, "boot/exit_status.h"), "utf8");
  const defines = new Map(
    [...header.matchAll(/#define\s+(EXIT_\w+)\s+(0x[0-9a-fA-F]+|\d+)/g)].map((m) => [m[1], Number(m[2])]),
  );

  it("mirrors every constant of boot/exit_status.h", () => {
    expect(defines.size).toBeGreaterThanOrEqual(6);
    for (const [name, value] of defines) {
      expect((status as unknown as Record<string, number>)[name], name).toBe(value);
    }
  });

  it("gives every panic kind its own status, none reachable by `exit <n>`", () => {
    const statuses = Object.values(status.PANIC_STATUS);
    expect(new Set(statuses).size).toBe(statuses.length);
    for (let n = 0; n <= status.EXIT_SHELL_MAX; n++) expect(statuses).not.toContain(status.qemuStatusFor(n));
    expect(status.describeQemuStatus(status.PANIC_STATUS.pagefault)).toBe("kernel panic: cpu exception 14 (status 221)");
    expect(status.describeQemuStatus(status.PANIC_STATUS.recursion)).toBe("kernel panic: wasm trap exhaustion (status 161)");
    expect(status.describeQemuStatus(11)).toBe("kernel exit 5 (status 11)");
  });
});
