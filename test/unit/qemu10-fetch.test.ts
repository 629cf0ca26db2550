// `make qemu10`'s fetch script (tools/qemu/fetch-qemu10.sh) on what it cannot
// use: each failure is one `error: qemu10: …` line naming what was missing or
// unreachable, a non-zero status, and no DIR (nor its temporary folder) left
// behind. Its success is checked where it is used: `make qemu10` and the
// QEMU 10 leg of the integration tests. No network: the archive that cannot
// be reached is a closed port on this machine.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const SCRIPT = resolve(import.meta.dirname, "../../tools/qemu/fetch-qemu10.sh");
/** Nothing listens on the discard port here: apt-get's connection is refused at once. */
const CLOSED = "http://127.0.0.1:9/debian";

let scratch = "";
afterEach(() => { if (scratch) rmSync(scratch, { recursive: true, force: true }); scratch = ""; });

function fetchWith(sources: { deb822?: string; list?: string }): { status: number | null; stderr: string; left: string[] } {
  scratch = mkdtempSync(join(tmpdir(), "clonesafe-qemu10-"));
  const deb822 = join(scratch, "debian.sources"), list = join(scratch, "sources.list");
  if (sources.deb822 !== undefined) writeFileSync(deb822, sources.deb822);
  if (sources.list !== undefined) writeFileSync(list, sources.list);
  // apt retries a refused connection with growing delays (7 s); the refusal is what is tested.
  const aptConfig = join(scratch, "apt.conf");
  writeFileSync(aptConfig, 'Acquire::Retries "0";\n');
  const r = spawnSync(SCRIPT, [join(scratch, "out", "qemu10")], {
    encoding: "utf8", timeout: 60_000,
    env: { ...process.env, CLONESAFE_APT_DEB822: deb822, CLONESAFE_APT_SOURCES_LIST: list, APT_CONFIG: aptConfig },
  });
  const out = join(scratch, "out");
  let left: string[] = [];
  try { left = readdirSync(out); } catch { /* never made */ }
  return { status: r.status, stderr: r.stderr, left };
}

function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("error: "));
}

describe("make qemu10's fetch script refuses what it cannot use", () => {
  it("no sources file at all", () => {
    const r = fetchWith({});
    expect(r.status).not.toBe(0);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^error: qemu10: no apt sources: neither .*debian\.sources nor .*sources\.list exists$/)]);
    expect(r.left).toEqual([]);
  });

  it("a deb822 file without a URIs line for bookworm", () => {
    const r = fetchWith({ deb822: "Types: deb\nSuites: bookworm bookworm-updates\nComponents: main\n\nTypes: deb\nURIs: http://127.0.0.1:9/debian-security\nSuites: bookworm-security\n" });
    expect(r.status).not.toBe(0);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/debian\.sources has no URIs: line in a stanza for the bookworm suite$/)]);
    expect(r.left).toEqual([]);
  });

  it("a sources.list without a bookworm line", () => {
    const r = fetchWith({ list: "# nothing here\ndeb http://127.0.0.1:9/debian-security bookworm-security main\n" });
    expect(r.status).not.toBe(0);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/sources\.list has no "deb <uri> bookworm …" line$/)]);
    expect(r.left).toEqual([]);
  });

  it.each([
    ["the deb822 file", { deb822: `Types: deb\nURIs: ${CLOSED}\nSuites: bookworm bookworm-updates\nComponents: main\n` }],
    ["sources.list", { list: `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${CLOSED} bookworm main\n` }],
  ])("an archive that cannot be reached (from %s): apt-get update fails, named", (_what, sources) => {
    const r = fetchWith(sources);
    expect(r.status).not.toBe(0);
    expect(errorLines(r.stderr)).toEqual([expect.stringContaining(`error: qemu10: could not reach ${CLOSED} (bookworm-backports)`)]);
    expect(r.left).toEqual([]); // neither DIR nor its temporary folder
  });
});
