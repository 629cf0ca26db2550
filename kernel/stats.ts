// The `stats` shell command: one line of `key=value` counters, contributed
// by each subsystem that keeps some. Owns: the order keys appear in (the
// order subsystems register). Never: keeps counters of its own.

import { Answer, fail, ok, registerCommand } from "./console/shell";

export type StatsSource = () => string;

const sources = new Array<StatsSource>();

export function addStats(source: StatsSource): void {
  sources.push(source);
}

function statsCommand(args: Array<string>): Answer {
  if (args.length != 0) return fail("takes no arguments");
  const parts = new Array<string>();
  for (let i = 0; i < sources.length; i++) parts.push(sources[i]());
  return ok(parts.join(" "));
}

export function registerStatsCommand(): void {
  registerCommand("stats", "stats", statsCommand);
}
