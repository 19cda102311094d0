import type { FollowUpStore } from "../shared/ports";
import {
  type FollowUpDeps,
  type FollowUpOutcome,
  runFollowUp,
} from "../shared/services/follow-ups";

/**
 * The local stand-in for EventBridge Scheduler: finds follow-ups due by an instant
 * in the due index and runs each through the same handler the Scheduler target
 * uses. `simulate` fires each one with the clock at its own due time, so a whole
 * six-week journey plays out in order (a completion starts the aftercare, whose
 * steps then come due, and so on) without waiting. A claim abandoned by a process
 * that died comes due at the end of its lease and is settled the same way.
 */
export async function runDueFollowUps(
  deps: FollowUpDeps,
  store: FollowUpStore,
  locationId: string,
  options: { asOf: Date; simulate: boolean; maxRuns?: number },
): Promise<Record<FollowUpOutcome, number>> {
  const counts: Record<FollowUpOutcome, number> = {
    sent: 0,
    done: 0,
    skipped: 0,
    failed: 0,
    "nothing-to-do": 0,
  };
  const seen = new Set<string>();
  const maxRuns = options.maxRuns ?? 10_000;
  for (let runs = 0; runs < maxRuns; ) {
    const due = (await store.due(locationId, options.asOf, 25)).filter(
      (d) => !seen.has(`${d.bookingId}/${d.step}`),
    );
    const next = due[0];
    if (!next) break;
    seen.add(`${next.bookingId}/${next.step}`);
    const at = new Date(Math.max(Date.parse(next.dueAt), 0));
    const clock = options.simulate ? { now: () => at } : deps.bookings.clock;
    const outcome = await runFollowUp(
      { ...deps, bookings: { ...deps.bookings, clock } },
      { locationId, bookingId: next.bookingId, step: next.step },
    );
    counts[outcome]++;
    runs++;
  }
  return counts;
}

/**
 * Polls every `intervalMs` with the real clock until stopped (npm start); with
 * `asOf`, each poll plays what is due by that instant instead, each at its own due
 * time (`npm run followups -- --as-of`, but surviving a restart).
 */
export function startFollowUpPoller(
  deps: FollowUpDeps,
  store: FollowUpStore,
  locationId: string,
  intervalMs: number,
  onError: (error: unknown) => void,
  options: { asOf?: Date } = {},
) {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await runDueFollowUps(deps, store, locationId, {
        asOf: options.asOf ?? deps.bookings.clock.now(),
        simulate: options.asOf !== undefined,
      });
    } catch (error) {
      onError(error);
    } finally {
      running = false;
    }
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}
