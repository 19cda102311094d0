import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU per request, for the load benchmark's sequential phase: the app's own CPU
 * (`process.cpuUsage` around its `fetch`, so the client's work outside it is not
 * counted), and DynamoDB Local's (its JVM's user + system time from /proc).
 * Requests go one at a time there, so nothing else runs inside the window.
 */

/** Collects the app's CPU of each request while a label is set. */
export class RequestCpu {
  private label: string | null = null;
  readonly samples = new Map<string, number[]>();

  start(label: string): void {
    this.label = label;
  }

  stop(): void {
    this.label = null;
  }

  /** Wraps one request's handling. */
  async around(handle: () => Response | Promise<Response>): Promise<Response> {
    const label = this.label;
    if (label === null) return handle();
    const before = process.cpuUsage();
    try {
      return await handle();
    } finally {
      const used = process.cpuUsage(before);
      const ms = (used.user + used.system) / 1000;
      const list = this.samples.get(label);
      if (list) list.push(ms);
      else this.samples.set(label, [ms]);
    }
  }
}

const CLOCK_TICKS_PER_SECOND = 100; // Linux's USER_HZ (`getconf CLK_TCK`)

/** User + system CPU in ms of this process's children whose command line matches. */
export function childrenCpuMs(match: RegExp): number | null {
  if (process.platform !== "linux") return null;
  let ticks = 0;
  let found = false;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the parenthesised command: state ppid … utime(14) stime(15).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (!match.test(cmdline)) continue;
      ticks += Number(fields[11]) + Number(fields[12]);
      found = true;
    } catch {
      // The process ended while we read.
    }
  }
  return found ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : null;
}
