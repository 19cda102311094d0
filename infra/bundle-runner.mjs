// Runs in a fresh Node process: imports a bundled Lambda handler, answers one event
// and prints {loadMs, firstAnswerMs, result} as JSON on the last line of stdout.
// Used by the bundle test (tests/infra) and the cold-start bench (bench/bundle.ts).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const [bundle, eventFile] = process.argv.slice(2);
if (!bundle || !eventFile) {
  console.error("usage: node bundle-runner.mjs <index.mjs> <event.json>");
  process.exit(2);
}
const event = JSON.parse(readFileSync(eventFile, "utf8"));
const context = {
  awsRequestId: "bundle-runner",
  functionName: "bundle-runner",
  functionVersion: "$LATEST",
  memoryLimitInMB: "1024",
  getRemainingTimeInMillis: () => 30_000,
};

const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const loaded = performance.now();
const result = await handler(event, context);
const answered = performance.now();
process.stdout.write(
  `\n${JSON.stringify({
    loadMs: loaded - started,
    firstAnswerMs: answered - loaded,
    totalMs: answered - started,
    sinceProcessStartMs: answered,
    result,
  })}\n`,
);
