import type { AftercarePlan, PlanStep } from "../domain/aftercare-plan";
import { DomainError } from "../domain/errors";
import { type BookingStore, type Clock, StaleReadError } from "../ports";

/** Saves `steps` as the next plan version; sessions completed later use it. */
export async function publishPlan(
  deps: { store: BookingStore; clock: Clock; locationId: string },
  steps: PlanStep[],
  createdBy: string,
): Promise<AftercarePlan> {
  for (let attempt = 1; attempt <= 4; attempt++) {
    const current = await deps.store.currentPlan(deps.locationId);
    const plan: AftercarePlan = {
      version: (current?.version ?? 0) + 1,
      steps,
      createdAt: deps.clock.now().toISOString(),
      createdBy,
    };
    try {
      await deps.store.savePlan(deps.locationId, plan);
      return plan;
    } catch (error) {
      if (!(error instanceof StaleReadError)) throw error;
    }
  }
  throw new DomainError("CONFLICT_RETRY", "The plan is being changed by someone else; try again.");
}

/** Seeds version 1 from the repo's plan when a location has none yet. */
export async function seedPlan(
  deps: { store: BookingStore; clock: Clock; locationId: string },
  steps: PlanStep[],
): Promise<"seeded" | "kept"> {
  if (await deps.store.currentPlan(deps.locationId)) return "kept";
  await publishPlan(deps, steps, "seed");
  return "seeded";
}
