/**
 * Bundle sizes and cold starts of the deployed functions (npm run bench:bundle).
 *
 * Every function is bundled with the CDK's own options (infra/bundling.ts) twice: with
 * the AWS SDK inside (what is deployed) and with `@aws-sdk/*` + `@smithy/*` left to the
 * runtime (resolved here from node_modules, as Lambda resolves its own copy). A cold
 * start is a fresh `node` process that imports the bundle and answers its first
 * API Gateway event (infra/bundle-runner.mjs); each case runs N times (BENCH_RUNS,
 * default 15) after one discarded warm-up, and the median is reported, beside two
 * handlers bundled the same way: a minimal Hono app, and the floor (bench/floor-handler.ts:
 * a minimal Hono app with the api's DynamoDB clients, answering `/health` and
 * `/api/treatments` with one Query), which is what any real handler of this table pays.
 * The api's goal is at most FLOOR_GOAL times the floor on both routes. DynamoDB Local
 * serves the requests that read data.
 *
 * Results: bench/results/bundle.md and bundle.json.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { httpApiEvent, invokeBundle, type ProbeOutcome } from "../infra/bundle-probe";
import {
  BUNDLE,
  type BundleSpec,
  bundleEntry,
  FUNCTION_ENTRIES,
  type FunctionKey,
  PROJECT_ROOT,
} from "../infra/bundling";
import { demoClinic } from "../local/demo-clinic";
import { localDynamoDbClientConfig, startDynamoDbLocal } from "../local/services/dynamodb-local";
import { findFreePort } from "../local/services/ports";
import { writeCatalog } from "../shared/adapters/dynamodb/catalog-writer";
import { createDocumentClient } from "../shared/adapters/dynamodb/clients";
import { ensureTable } from "../shared/adapters/dynamodb/ensure-table";

const RUNS = Math.max(10, Number(process.env.BENCH_RUNS ?? 15));
// Inside the repository, so an external SDK resolves from node_modules.
const WORK = resolve(PROJECT_ROOT, "node_modules/.cache/clinic-bundle-bench");
const RESULTS = resolve(PROJECT_ROOT, "bench/results");
const FLOOR_ENTRY = "bench/floor-handler.ts";
/** The api's cold start, per route, at most this many times the floor's. */
const FLOOR_GOAL = 1.25;

type Variant = "sdk-bundled" | "sdk-external";
const SPECS: Record<Variant, BundleSpec> = {
  "sdk-bundled": { ...BUNDLE, externalAwsSdk: false },
  "sdk-external": { ...BUNDLE, externalAwsSdk: true },
};

interface Size {
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  inputs: number;
}

function sizeOf(file: string, inputs: number): Size {
  const code = readFileSync(file);
  let mapBytes = 0;
  try {
    mapBytes = statSync(`${file}.map`).size;
  } catch {}
  return { bytes: code.length, gzipBytes: gzipSync(code).length, mapBytes, inputs };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

interface CaseResult {
  name: string;
  bundle: string;
  request: string;
  nodeOptions: string;
  runs: number;
  medianMs: { load: number; firstAnswer: number; total: number; process: number };
  minTotalMs: number;
  maxTotalMs: number;
}

interface CaseSpec {
  name: string;
  bundle: string;
  event: ReturnType<typeof httpApiEvent>;
  env: Record<string, string>;
}

/**
 * Runs every case RUNS times, interleaved (case 1, 2, …, 1, 2, …) so that whatever
 * else the machine is doing weighs on all cases alike; one warm-up round is discarded.
 */
async function runCases(specs: CaseSpec[]): Promise<CaseResult[]> {
  const samples = specs.map(() => [] as ProbeOutcome<{ statusCode: number }>[]);
  for (let round = 0; round <= RUNS; round++) {
    for (const [i, spec] of specs.entries()) {
      const out = await invokeBundle<{ statusCode: number }>(spec.bundle, spec.event, spec.env);
      if (out.result.statusCode !== 200) {
        throw new Error(`${spec.name}: status ${out.result.statusCode}`);
      }
      if (round > 0) samples[i]?.push(out);
    }
  }
  return specs.map((spec, i) => {
    const runs = samples[i] ?? [];
    const totals = runs.map((s) => s.totalMs);
    const result: CaseResult = {
      name: spec.name,
      bundle: spec.bundle.replace(`${PROJECT_ROOT}/`, ""),
      request: `${spec.event.requestContext.http.method} ${spec.event.rawPath}`,
      nodeOptions: spec.env.NODE_OPTIONS ?? "",
      runs: runs.length,
      medianMs: {
        load: r1(median(runs.map((s) => s.loadMs))),
        firstAnswer: r1(median(runs.map((s) => s.firstAnswerMs))),
        total: r1(median(totals)),
        process: r1(median(runs.map((s) => s.processMs))),
      },
      minTotalMs: r1(Math.min(...totals)),
      maxTotalMs: r1(Math.max(...totals)),
    };
    console.log(
      `${spec.name.padEnd(52)} load ${result.medianMs.load} ms, first answer ${result.medianMs.firstAnswer} ms, total ${result.medianMs.total} ms, process ${result.medianMs.process} ms`,
    );
    return result;
  });
}

async function main() {
  const loadBefore = loadavg()[0] ?? 0;
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });

  // Bundles: every function in both variants, the minimal Hono handler and the floor.
  const sizes: Record<Variant, Record<string, Size>> = { "sdk-bundled": {}, "sdk-external": {} };
  const apiBundle: Partial<Record<Variant, string>> = {};
  const honoEntry = join(WORK, "minimal-hono.ts");
  writeFileSync(
    honoEntry,
    [
      'import { Hono } from "hono";',
      'import { handle } from "hono/aws-lambda";',
      "const app = new Hono();",
      'app.get("/health", (c) => c.json({ ok: true }));',
      "export const handler = handle(app);",
      "",
    ].join("\n"),
  );
  for (const variant of Object.keys(SPECS) as Variant[]) {
    const entries: [string, string][] = [
      ...(Object.entries(FUNCTION_ENTRIES) as [FunctionKey, string][]),
      ["minimal-hono", honoEntry],
      ["floor", FLOOR_ENTRY],
    ];
    for (const [name, entry] of entries) {
      const built = await bundleEntry(entry, join(WORK, variant, name), SPECS[variant]);
      sizes[variant][name] = sizeOf(built.file, Object.keys(built.metafile.inputs).length);
      if (name === "api") apiBundle[variant] = built.file;
    }
  }
  const honoBundle = join(WORK, "sdk-bundled", "minimal-hono", "index.mjs");
  const floorBundle = join(WORK, "sdk-bundled", "floor", "index.mjs");

  // The data the api reads, in DynamoDB Local.
  const dynamo = await startDynamoDbLocal({ port: await findFreePort() });
  const cases: CaseResult[] = [];
  try {
    const tableName = `bench_${randomBytes(4).toString("hex")}`;
    const { client, doc } = createDocumentClient(localDynamoDbClientConfig(dynamo.endpoint));
    await ensureTable(client, tableName);
    await writeCatalog(doc, tableName, demoClinic);
    const env = {
      TABLE_NAME: tableName,
      LOCATION_ID: demoClinic.clinic.locationId,
      PUBLIC_BASE_URL: "https://booking.example.com",
      LINK_SECRET: randomBytes(32).toString("hex"),
      COGNITO_ISSUER: "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_bench",
      COGNITO_CLIENT_ID: "bench",
      MAIL_FROM: "Face of Jules <no-reply@example.com>",
      SCHEDULE_GROUP: "clinic-bench-followups",
      FOLLOWUPS_FUNCTION_ARN: "arn:aws:lambda:us-west-2:111111111111:function:f",
      SCHEDULER_ROLE_ARN: "arn:aws:iam::111111111111:role/r",
      SCHEDULER_DLQ_ARN: "arn:aws:sqs:us-west-2:111111111111:q",
      LOG_LEVEL: "WARN",
      NODE_OPTIONS: "--enable-source-maps",
      AWS_REGION: "us-west-2",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    };
    const noMaps = { ...env, NODE_OPTIONS: "" };
    const health = httpApiEvent("GET", "/health");
    const treatments = httpApiEvent("GET", "/api/treatments");
    const bundled = apiBundle["sdk-bundled"] as string;
    const external = apiBundle["sdk-external"] as string;
    cases.push(
      ...(await runCases([
        { name: "api, SDK bundled: GET /health", bundle: bundled, event: health, env },
        { name: "api, SDK bundled: GET /api/treatments", bundle: bundled, event: treatments, env },
        { name: "api, SDK external: GET /health", bundle: external, event: health, env },
        {
          name: "api, SDK external: GET /api/treatments",
          bundle: external,
          event: treatments,
          env,
        },
        {
          name: "api, SDK bundled, no --enable-source-maps: GET /api/treatments",
          bundle: bundled,
          event: treatments,
          env: noMaps,
        },
        {
          name: "api, SDK external, no --enable-source-maps: GET /api/treatments",
          bundle: external,
          event: treatments,
          env: noMaps,
        },
        { name: "minimal Hono: GET /health", bundle: honoBundle, event: health, env },
        { name: "floor: GET /health", bundle: floorBundle, event: health, env },
        { name: "floor: GET /api/treatments", bundle: floorBundle, event: treatments, env },
      ])),
    );
  } finally {
    await dynamo.stop();
  }

  const find = (name: string) => cases.find((c) => c.name === name) as CaseResult;
  const total = (name: string) => find(name).medianMs.total;
  const hono = total("minimal Hono: GET /health");
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const ratios = {
    apiHealthVsFloor: ratio(total("api, SDK bundled: GET /health"), total("floor: GET /health")),
    apiTreatmentsVsFloor: ratio(
      total("api, SDK bundled: GET /api/treatments"),
      total("floor: GET /api/treatments"),
    ),
    floorVsHono: ratio(total("floor: GET /health"), hono),
    apiHealthVsHono: ratio(total("api, SDK bundled: GET /health"), hono),
    apiTreatmentsVsHono: ratio(total("api, SDK bundled: GET /api/treatments"), hono),
    externalVsBundledHealth: ratio(
      total("api, SDK external: GET /health"),
      total("api, SDK bundled: GET /health"),
    ),
    externalVsBundledTreatments: ratio(
      total("api, SDK external: GET /api/treatments"),
      total("api, SDK bundled: GET /api/treatments"),
    ),
    sourceMapsFlagCost: ratio(
      total("api, SDK bundled: GET /api/treatments"),
      total("api, SDK bundled, no --enable-source-maps: GET /api/treatments"),
    ),
  };
  const machine = {
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage1m: { before: r1(loadBefore), after: r1(loadavg()[0] ?? 0) },
  };
  const report = {
    date: new Date().toISOString(),
    machine,
    runs: RUNS,
    floorGoal: FLOOR_GOAL,
    bundle: { ...BUNDLE },
    sizes,
    cases,
    ratios,
  };
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, "bundle.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(RESULTS, "bundle.md"), markdown(report));
  console.log(`\nWrote bench/results/bundle.md and bundle.json (ratios ${JSON.stringify(ratios)})`);
}

function decision(ratios: Record<string, number>) {
  const bundledFaster =
    (ratios.externalVsBundledHealth ?? 0) > 1 && (ratios.externalVsBundledTreatments ?? 0) > 1;
  const sdk = BUNDLE.externalAwsSdk
    ? "The deployed functions leave `@aws-sdk/*` to the runtime (`BUNDLE.externalAwsSdk = true`)."
    : "The deployed functions bundle `@aws-sdk/*` (`BUNDLE.externalAwsSdk = false`): one minified file is read and parsed once, where the runtime's copy is resolved and evaluated module by module (the SDK's lazily loaded credential and HTTP modules included). Bundling also pins the SDK version the tests ran with (3.1169) instead of whatever the runtime ships; the price is a bigger upload, far below Lambda's limits.";
  const agrees = bundledFaster !== BUNDLE.externalAwsSdk;
  const mapsCost = Math.round(((ratios.sourceMapsFlagCost ?? 1) - 1) * 100);
  const maps =
    mapsCost <= 15
      ? `Source maps stay on (\`NODE_OPTIONS=--enable-source-maps\`, infra/constructs/clinic-function.ts): readable stack traces in the logs cost ${mapsCost}% of this cold start.`
      : `\`--enable-source-maps\` costs ${mapsCost}% of this cold start here: consider shipping the maps without the flag and mapping traces offline.`;
  return `${sdk}${agrees ? "" : "\n\n**This run disagrees with that setting: re-run, and revisit `BUNDLE.externalAwsSdk` if it persists.**"}\n\n${maps}`;
}

/** One row per route; the ratio is the one `main` computed into `ratios`. */
function floorRows(r: { cases: CaseResult[]; floorGoal: number; ratios: Record<string, number> }) {
  const total = (name: string) =>
    r.cases.find((c) => c.name === name)?.medianMs.total ?? Number.NaN;
  const routes: [string, number | undefined][] = [
    ["/health", r.ratios.apiHealthVsFloor],
    ["/api/treatments", r.ratios.apiTreatmentsVsFloor],
  ];
  return routes.map(([route, x = Number.NaN]) => {
    const api = total(`api, SDK bundled: GET ${route}`);
    const floor = total(`floor: GET ${route}`);
    return `| \`GET ${route}\` | ${api} | ${floor} | **${x}×** | ${x <= r.floorGoal ? "met" : "not met"} |`;
  });
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

function markdown(r: {
  date: string;
  machine: {
    node: string;
    cpus: string;
    memoryGiB: number;
    loadAverage1m: { before: number; after: number };
  };
  runs: number;
  floorGoal: number;
  sizes: Record<Variant, Record<string, Size>>;
  cases: CaseResult[];
  ratios: Record<string, number>;
}) {
  const sizeRows = Object.keys(r.sizes["sdk-bundled"]).map((name) => {
    const b = r.sizes["sdk-bundled"][name] as Size;
    const e = r.sizes["sdk-external"][name] as Size;
    return `| ${name} | ${kb(b.bytes)} | ${kb(b.gzipBytes)} | ${kb(b.mapBytes)} | ${b.inputs} | ${kb(e.bytes)} | ${kb(e.gzipBytes)} | ${e.inputs} |`;
  });
  const caseRows = r.cases.map(
    (c) =>
      `| ${c.name} | ${c.medianMs.load} | ${c.medianMs.firstAnswer} | **${c.medianMs.total}** | ${c.minTotalMs}–${c.maxTotalMs} | ${c.medianMs.process} |`,
  );
  return `# Bundles and cold starts

Generated by \`npm run bench:bundle\` (bench/bundle.ts) on ${r.date.slice(0, 10)}:
Node ${r.machine.node}, ${r.machine.cpus}, ${r.machine.memoryGiB} GiB, 1-minute load
average ${r.machine.loadAverage1m.before} before and ${r.machine.loadAverage1m.after} after
(the cases run interleaved, so other work on the machine weighs on all alike). Each function is
bundled by esbuild with the CDK's options (infra/bundling.ts: ESM, ${BUNDLE.target}, minified,
source maps without sources content).

## Sizes

| function | SDK bundled | gzip | .map | inputs | SDK external | gzip | inputs |
|---|---:|---:|---:|---:|---:|---:|---:|
${sizeRows.join("\n")}

## Cold start: a fresh \`node\` process loads the bundle and answers one API Gateway v2 event

Median of ${r.runs} runs (after one discarded warm-up), in milliseconds. *load* is the
\`import()\` of the bundle, *first answer* the first invocation (config, clients, the app
and, for \`/api/treatments\`, one DynamoDB Local query), *total* the two together,
*process* the whole process from spawn to exit (Node's own start included).

| case | load | first answer | total | total min–max | process |
|---|---:|---:|---:|---:|---:|
${caseRows.join("\n")}

## Against the floor

The floor is what any real handler of this table pays: a minimal Hono app with the
api's DynamoDB clients (bench/floor-handler.ts, bundled the same way), answering
\`/health\` and \`/api/treatments\` with one Query. Goal: the api at most
**${r.floorGoal}×** the floor on both routes.

| route | api | floor | api ÷ floor | goal |
|---|---:|---:|---:|---|
${floorRows(r).join("\n")}

The floor ÷ minimal Hono = **${r.ratios.floorVsHono}×** (\`/health\`): the DynamoDB client's share.

Ratios of median totals: api \`/health\` ÷ minimal Hono = **${r.ratios.apiHealthVsHono}×**,
api \`/api/treatments\` ÷ minimal Hono = **${r.ratios.apiTreatmentsVsHono}×**;
SDK external ÷ SDK bundled = **${r.ratios.externalVsBundledHealth}×** (\`/health\`) and
**${r.ratios.externalVsBundledTreatments}×** (\`/api/treatments\`);
\`--enable-source-maps\` ÷ without = **${r.ratios.sourceMapsFlagCost}×**.

## Decision

${decision(r.ratios)}

These are local numbers. On Lambda (nodejs24.x, arm64, the CPU share of the
memory size, the code download before init) the absolute numbers differ; after a
deployment, check the \`Init Duration\` of the functions' REPORT log lines.
`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
