import { type BenchContext, bookThroughHttp } from "./context";
import { rawBookingOnce } from "./raw-floor";
import { type BulkCursor, type BulkLoadResult, bulkLoad } from "./seed-bulk";
import { type CallTrips, type RoundTrips, type Summary, summarize, summarizeTrips } from "./stats";

export interface ScalePoint {
  table: string;
  bookingsInTableBefore: number;
  load: BulkLoadResult | null;
  http: Summary;
  raw: Summary;
  roundTrips: RoundTrips;
}

/** Tops the context's table up to `target` bookings with the bulk loader. */
export async function fillTo(
  ctx: BenchContext,
  o: { target: number; writers: number; cursor: BulkCursor },
): Promise<BulkLoadResult | null> {
  const missing = o.target - ctx.bookingsInTable;
  if (missing <= 0) return null;
  ctx.log(`loading ${missing} bookings into ${ctx.target.tableName} (${o.writers} writers)`);
  const load = await bulkLoad({
    doc: ctx.target.raw.doc,
    tableName: ctx.target.tableName,
    catalog: ctx.target.catalog,
    treatment: ctx.treatment,
    now: ctx.now,
    count: missing,
    runTag: ctx.runTag,
    cursor: o.cursor,
    writers: o.writers,
    log: ctx.log,
  });
  ctx.bookingsInTable += load.bookings;
  ctx.log(
    `  loaded ${load.bookings} bookings in ${load.seconds} s (${load.itemsPerSecond} items/s)`,
  );
  return load;
}

/**
 * Booking latency against two tables of different sizes, measured side by side:
 * each round books once through each app instance and makes one raw-floor booking
 * on each table, alternating which goes first, so drifting load on the machine
 * hits both sizes alike.
 */
export async function measureSideBySide(
  points: { ctx: BenchContext; load: BulkLoadResult | null }[],
  o: { n: number; warmup: number },
): Promise<ScalePoint[]> {
  const http = points.map((): number[] => []);
  const raw = points.map((): number[] => []);
  const trips = points.map((): CallTrips[] => []);
  for (const { ctx } of points) {
    for (let i = 0; i < o.warmup; i++) {
      await bookThroughHttp(ctx);
      await rawBookingOnce(ctx);
    }
  }
  const before = points.map((p) => p.ctx.bookingsInTable);
  points[0]?.ctx.log(
    `scale: ${o.n} bookings on each of ${before.map((b) => b.toLocaleString("en-US")).join(" and ")}-booking tables, interleaved`,
  );
  for (let i = 0; i < o.n; i++) {
    const order = i % 2 === 0 ? points.map((_, k) => k) : points.map((_, k) => k).reverse();
    for (const k of order) {
      const ctx = points[k]?.ctx as BenchContext;
      const h = await bookThroughHttp(ctx);
      http[k]?.push(h.ms);
      trips[k]?.push(h.roundTrips);
    }
    for (const k of order) {
      const ctx = points[k]?.ctx as BenchContext;
      raw[k]?.push((await rawBookingOnce(ctx)).ms);
    }
  }
  return points.map((p, k) => ({
    table: p.ctx.target.tableName,
    bookingsInTableBefore: before[k] ?? 0,
    load: p.load,
    http: summarize(http[k] ?? []),
    raw: summarize(raw[k] ?? []),
    roundTrips: summarizeTrips(trips[k] ?? []),
  }));
}
