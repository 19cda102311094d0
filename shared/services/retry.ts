import { DomainError } from "../domain/errors";
import { StaleReadError } from "../ports";

const MAX_ATTEMPTS = 4;

/**
 * Runs a read-decide-write `attempt` until its write finds its reads still current.
 * A write that finds them stale (another request changed the patient, the booking
 * or the plan) is decided again from fresh reads, a bounded number of times; then
 * the caller is told to try again later (CONFLICT_RETRY), with `message`.
 */
export async function withFreshReads<T>(
  attempt: () => Promise<T>,
  message = "Too many changes at once; please try again.",
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StaleReadError)) throw error;
      if (i >= MAX_ATTEMPTS) {
        throw new DomainError("CONFLICT_RETRY", message, {}, { cause: error });
      }
    }
  }
}
