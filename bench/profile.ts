/**
 * Reads a V8 CPU profile (`node --cpu-prof`) of the production bundle and says where the time
 * went: self time per package and per function, each sample mapped through the bundle's source
 * map to the file it came from (a minified bundle names neither).
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  /** Microseconds from each sample to the one before. */
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  /** Share of the busy (not idle) samples, in percent. */
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  packages: SelfTime[];
  functions: SelfTime[];
}

// V8's pseudo-frames: time spent outside any JavaScript function.
const IDLE = "(idle)";

/** `@smithy/core` from `../node_modules/@smithy/core/dist-cjs/index.js`; the app's own code by its path. */
export function packageOf(source: string): string {
  const modules = source.lastIndexOf("node_modules/");
  if (modules === -1) return source.startsWith("node:") ? "node (built-in modules)" : `boyacky (${source.replace(/^(\.\.\/)+/, "app/")})`;
  const [scope, name] = source.slice(modules + "node_modules/".length).split("/");
  return scope.startsWith("@") ? `${scope}/${name}` : scope;
}

type Where = { source: string; line: number; name: string };

/** Maps call frames through the source map beside their script, when it has one. */
class FrameMapper {
  private readonly maps = new Map<string, SourceMap | undefined>();

  where(frame: CallFrame): Where {
    const fallback = { source: frame.url || "(native)", line: frame.lineNumber + 1, name: frame.functionName || "(anonymous)" };
    const map = frame.url.startsWith("file:") ? this.mapOf(frame.url) : undefined;
    if (!map) return fallback;
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; originalLine?: number; name?: string };
    if (!entry.originalSource) return fallback;
    return { source: entry.originalSource, line: (entry.originalLine ?? 0) + 1, name: entry.name ?? fallback.name };
  }

  private mapOf(url: string): SourceMap | undefined {
    if (!this.maps.has(url)) {
      const file = `${fileURLToPath(url)}.map`;
      this.maps.set(url, existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, "utf8"))) : undefined);
    }
    return this.maps.get(url);
  }
}

function top(totals: Map<string, number>, busyMs: number, count: number): SelfTime[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), percent: Number(((100 * ms) / busyMs).toFixed(1)) }));
}

/** Self time of the busy samples (idle left out) by package and by function, the largest first. */
export function summariseProfile(profilePath: string, count = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(profilePath, "utf8")) as CpuProfile;
  const mapper = new FrameMapper();
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfMs.set(id, (selfMs.get(id) ?? 0) + profile.timeDeltas[index] / 1000));
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyMs = 0;
  for (const [id, ms] of selfMs) {
    const frame = frames.get(id)!;
    if (frame.functionName === IDLE) continue;
    busyMs += ms;
    // (garbage collector), (program): V8's own work, its own "package".
    const isPseudo = !frame.url && frame.functionName.startsWith("(");
    const where = mapper.where(frame);
    const pkg = isPseudo ? frame.functionName : frame.url ? packageOf(where.source) : "(native)";
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
    const fn = isPseudo ? frame.functionName : `${where.name} ${where.source.replace(/^(\.\.\/)+/, "")}:${where.line}`;
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
  }
  return { busyMs: Math.round(busyMs), packages: top(packages, busyMs, count), functions: top(functions, busyMs, count) };
}

/** The summary as two markdown tables. */
export function formatProfile(summary: ProfileSummary): string {
  const table = (title: string, rows: SelfTime[]) => [
    `| ${title} | self ms | % of busy |`,
    `| --- | --- | --- |`,
    ...rows.map((row) => `| ${row.name} | ${row.ms} | ${row.percent} |`),
  ];
  return [
    `Busy (not idle) time sampled: ${summary.busyMs} ms.`,
    ``,
    ...table("package", summary.packages),
    ``,
    ...table("function (self time)", summary.functions),
  ].join("\n");
}
