import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PROJECT_ROOT } from "./bundling";

/** A realistic API Gateway HTTP API (payload 2.0) event for the `$default` route. */
export function httpApiEvent(
  method: string,
  path: string,
  query: Record<string, string> = {},
  options: { headers?: Record<string, string>; body?: string } = {},
) {
  const rawQueryString = new URLSearchParams(query).toString();
  const now = new Date();
  const headers = {
    accept: "application/json",
    host: "abc123.execute-api.us-west-2.amazonaws.com",
    "user-agent": "bundle-probe",
    "x-forwarded-for": "203.0.113.7",
    "x-forwarded-port": "443",
    "x-forwarded-proto": "https",
    ...options.headers,
  };
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString,
    headers,
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "111111111111",
      apiId: "abc123",
      domainName: headers.host,
      domainPrefix: "abc123",
      http: {
        method,
        path,
        protocol: "HTTP/1.1",
        sourceIp: "203.0.113.7",
        userAgent: headers["user-agent"],
      },
      requestId: `req-${now.getTime()}`,
      routeKey: "$default",
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: false,
  };
}

export interface ProbeOutcome<R = unknown> {
  loadMs: number;
  firstAnswerMs: number;
  totalMs: number;
  sinceProcessStartMs: number;
  /** Wall time of the whole child process, spawn to exit. */
  processMs: number;
  result: R;
}

/**
 * Starts `node` on the bundle runner in a fresh process with exactly `env` (plus PATH,
 * and a moved clock's variables when the caller runs under one, so both see one time),
 * lets the bundle's `handler` answer `event`, and returns its timings and answer.
 */
export async function invokeBundle<R = unknown>(
  bundleFile: string,
  event: unknown,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<ProbeOutcome<R>> {
  const dir = mkdtempSync(join(tmpdir(), "clinic-probe-"));
  const eventFile = join(dir, "event.json");
  writeFileSync(eventFile, JSON.stringify(event));
  const runner = resolve(PROJECT_ROOT, "infra/bundle-runner.mjs");
  const started = performance.now();
  try {
    const stdout = await new Promise<string>((ok, fail) => {
      execFile(
        process.execPath,
        [...nodeArgs, runner, bundleFile, eventFile],
        {
          env: { PATH: process.env.PATH ?? "", ...clockEnv(), ...env },
          timeout: 60_000,
          maxBuffer: 16 << 20,
        },
        (error, out, err) =>
          error ? fail(new Error(`bundle runner failed: ${error.message}\n${err}`)) : ok(out),
      );
    });
    const processMs = performance.now() - started;
    const last = stdout.trim().split("\n").at(-1) ?? "";
    return { ...(JSON.parse(last) as Omit<ProbeOutcome<R>, "processMs">), processMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The faked-clock variables of this process (LD_PRELOAD and FAKETIME*), if any. */
function clockEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] =>
        e[1] !== undefined && (e[0] === "LD_PRELOAD" || e[0].startsWith("FAKETIME")),
    ),
  );
}
