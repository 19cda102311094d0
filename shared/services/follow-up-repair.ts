import { type FollowUpDeps, type FollowUpOutcome, runFollowUp } from "./follow-ups";

/**
 * The repair path of the follow-ups. Each follow-up is written in the booking's
 * transaction and gets its one-time schedule right after; if creating that
 * schedule fails (a Scheduler outage, throttling, the function dying in between),
 * the follow-up is still `scheduled` in the table, in the due index, but nothing
 * will ever fire it. A recurring sweep finds the ones overdue by more than a grace
 * period (their schedule should have fired by then) and sends them through the
 * same idempotent `runFollowUp` as the Scheduler target: a schedule that does fire
 * late finds it claimed and does nothing, and the sweep never sends one twice.
 *
 * The same index brings back a follow-up claimed (`sending`) by a delivery that died
 * before recording its outcome, at the end of its claim's lease: `runFollowUp` closes
 * such an email as failed (it may have gone out: never sent twice) and runs an
 * automatic completion again (it sends nothing), so a session's aftercare still starts.
 *
 * So a follow-up is at most grace + one sweep interval late, never lost, never stuck.
 */

export interface SweepOptions {
  /** How long past its due time a follow-up may wait for its own schedule. */
  graceMs?: number;
  /** At most this many follow-ups per sweep (the rest wait for the next one). */
  limit?: number;
  /** Stop starting new ones after this instant (epoch ms; the function's timeout). */
  deadline?: number;
  /** Wall-clock reader for the deadline (tests pass their own). */
  wallClock?: () => number;
}

export interface SweepResult {
  /** Overdue follow-ups found and run. */
  found: number;
  outcomes: Record<FollowUpOutcome, number>;
  /** Runs that threw (left for the next sweep). */
  errors: number;
  /** True when the limit or deadline stopped the sweep early. */
  truncated: boolean;
}

/** Ten minutes: a one-time schedule fires within a minute of its time when it exists. */
export const SWEEP_GRACE_MS = 10 * 60_000;
const PAGE = 25;

/** Sends every follow-up of a location overdue by more than the grace period, once. */
export async function sweepOverdueFollowUps(
  deps: FollowUpDeps,
  locationId: string,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const grace = options.graceMs ?? SWEEP_GRACE_MS;
  const limit = options.limit ?? 200;
  const wallClock = options.wallClock ?? Date.now;
  const result: SweepResult = {
    found: 0,
    outcomes: { sent: 0, done: 0, skipped: 0, failed: 0, "nothing-to-do": 0 },
    errors: 0,
    truncated: false,
  };
  // A run that failed stays in the index; each is tried once per sweep.
  const tried = new Set<string>();
  for (;;) {
    const now = deps.bookings.clock.now();
    const overdueBy = new Date(now.getTime() - grace);
    const page = (await deps.followUps.due(locationId, overdueBy, PAGE)).filter(
      (d) => !tried.has(`${d.bookingId}/${d.step}`),
    );
    if (page.length === 0) return result;
    for (const d of page) {
      if (result.found >= limit || (options.deadline && wallClock() >= options.deadline)) {
        result.truncated = true;
        deps.log.warn("follow-up sweep stopped early", { locationId, found: result.found });
        return result;
      }
      tried.add(`${d.bookingId}/${d.step}`);
      result.found++;
      const ids = { locationId, bookingId: d.bookingId, step: d.step };
      deps.log.warn("overdue follow-up repaired", {
        ...ids,
        overdueMinutes: Math.round((now.getTime() - Date.parse(d.dueAt)) / 60_000),
      });
      try {
        result.outcomes[await runFollowUp(deps, ids)]++;
      } catch (error) {
        result.errors++;
        deps.log.warn("overdue follow-up not repaired", {
          ...ids,
          errorName: error instanceof Error ? error.name : "unknown",
        });
      }
    }
  }
}
