import { type BenchContext, bookThroughHttp } from "./context";
import { rawBookingOnce } from "./raw-floor";
import {
  type CallTrips,
  type RoundTrips,
  round,
  type Summary,
  summarize,
  summarizeTrips,
} from "./stats";

export interface BookingLatencyResult {
  warmup: number;
  http: Summary;
  raw: Summary;
  rawGetItem: Summary;
  rawTransactWriteItems: Summary;
  rawTransactItems: number;
  /** The floor with the follow-up Puts too: the same transaction size as the app's. */
  rawWithFollowUps: Summary;
  rawWithFollowUpsTransactItems: number;
  ratioHttpP50ToRawWithFollowUpsP50: number;
  /** Items per TransactWriteItems the app sent during the measured bookings: size → count. */
  appTransactItems: Record<string, number>;
  ratioHttpP50ToRawP50: number;
  roundTrips: RoundTrips;
  spread: { days: number; practitioners: number };
}

/**
 * N sequential public bookings through the HTTP server, each interleaved with one
 * raw-floor booking on the document client, so both see the same table and the
 * same machine state. Warm-up calls of both kinds are run and dropped first.
 */
export async function measureBookingLatency(
  ctx: BenchContext,
  o: { n: number; warmup: number },
): Promise<BookingLatencyResult> {
  ctx.log(`booking latency: ${o.warmup} warm-up, then ${o.n} HTTP + ${o.n} raw, interleaved`);
  for (let i = 0; i < o.warmup; i++) {
    await bookThroughHttp(ctx);
    await rawBookingOnce(ctx);
    await rawBookingOnce(ctx, { withFollowUps: true });
  }
  const http: number[] = [];
  const raw: number[] = [];
  const rawGet: number[] = [];
  const rawTx: number[] = [];
  const rawFu: number[] = [];
  let rawFuItems = 0;
  const trips: CallTrips[] = [];
  let rawTransactItems = 0;
  ctx.target.labelled.takeTransactSizes();
  for (let i = 0; i < o.n; i++) {
    const h = await bookThroughHttp(ctx);
    http.push(h.ms);
    trips.push(h.roundTrips);
    const r = await rawBookingOnce(ctx);
    raw.push(r.ms);
    rawGet.push(r.getMs);
    rawTx.push(r.transactMs);
    rawTransactItems = r.items;
    const f = await rawBookingOnce(ctx, { withFollowUps: true });
    rawFu.push(f.ms);
    rawFuItems = f.items;
    if ((i + 1) % 100 === 0) ctx.log(`  ${i + 1}/${o.n}`);
  }
  const appTransactItems = ctx.target.labelled.takeTransactSizes();
  const httpS = summarize(http);
  const rawS = summarize(raw);
  return {
    warmup: o.warmup,
    http: httpS,
    raw: rawS,
    rawGetItem: summarize(rawGet),
    rawTransactWriteItems: summarize(rawTx),
    rawTransactItems,
    rawWithFollowUps: summarize(rawFu),
    rawWithFollowUpsTransactItems: rawFuItems,
    ratioHttpP50ToRawWithFollowUpsP50: round(httpS.p50 / summarize(rawFu).p50),
    appTransactItems,
    ratioHttpP50ToRawP50: round(httpS.p50 / rawS.p50),
    roundTrips: summarizeTrips(trips),
    spread: ctx.planner.spread(),
  };
}
