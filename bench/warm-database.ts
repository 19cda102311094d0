import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { ensureTable } from "../shared/adapters/dynamodb/ensure-table";
import type { BenchContext } from "./context";
import { rawBookingOnce } from "./raw-floor";
import { summarize } from "./stats";

/**
 * DynamoDB Local is a JVM: its first ~1,000 transactions run several times slower
 * than later ones (JIT). This runs raw-floor bookings on a scratch table (deleted
 * afterwards, so the measured table holds only what the phases count) until the
 * database is warm, and returns the p50 of the first and last 100 for the record.
 */
export async function warmDatabase(
  ctx: BenchContext,
  calls: number,
): Promise<{ calls: number; firstP50: number; lastP50: number; seconds: number }> {
  const t0 = performance.now();
  const tableName = `${ctx.target.tableName}_warmup`;
  ctx.log(`warming DynamoDB Local: ${calls} raw bookings on a scratch table`);
  await ensureTable(ctx.target.raw.client, tableName);
  const ms: number[] = [];
  try {
    for (let i = 0; i < calls; i++) ms.push((await rawBookingOnce(ctx, { tableName })).ms);
  } finally {
    await ctx.target.raw.client.send(new DeleteTableCommand({ TableName: tableName }));
  }
  return {
    calls,
    firstP50: summarize(ms.slice(0, 100)).p50,
    lastP50: summarize(ms.slice(-100)).p50,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}
