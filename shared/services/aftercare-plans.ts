import type { AftercarePlan, PlanStep } from "../domain/aftercare-plan";
import type { Clock, PlanStore } from "../ports";
import { withFreshReads } from "./retry";

type PlanDeps = { plans: PlanStore; clock: Clock; locationId: string };

/** Saves `steps` as the next plan version; sessions completed later use it. */
export async function publishPlan(
  deps: PlanDeps,
  steps: PlanStep[],
  createdBy: string,
): Promise<AftercarePlan> {
  return withFreshReads(async () => {
    const current = await deps.plans.currentPlan(deps.locationId);
    const plan: AftercarePlan = {
      version: (current?.version ?? 0) + 1,
      steps,
      createdAt: deps.clock.now().toISOString(),
      createdBy,
    };
    await deps.plans.savePlan(deps.locationId, plan);
    return plan;
  }, "The plan is being changed by someone else; try again.");
}

/** Seeds version 1 from the repo's plan when a location has none yet. */
export async function seedPlan(deps: PlanDeps, steps: PlanStep[]): Promise<"seeded" | "kept"> {
  if (await deps.plans.currentPlan(deps.locationId)) return "kept";
  await publishPlan(deps, steps, "seed");
  return "seeded";
}
