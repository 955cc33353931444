/** A rehearsal context over a plan: steps in the plan's registration order (the order the engine creates them in). */
import type { PlanFile, PlannedResource } from "../../tools/offline/plan";
import type { RehearsalContext, RehearsalStep } from "../../tools/rehearse/model";

export function contextOf(plan: Pick<PlanFile, "resources"> & Partial<PlanFile>): RehearsalContext {
    const steps: RehearsalStep[] = plan.resources.map((resource: PlannedResource, i: number) => ({ index: i + 1, resource }));
    return { plan: plan as PlanFile, steps, stepOf: new Map(steps.map((s) => [s.resource.urn, s])) };
}
