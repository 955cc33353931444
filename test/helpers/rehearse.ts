/** A rehearsal context over a plan, as the rehearsal builds it (engine order, dependencies, references). */
import type { PlanFile } from "../../tools/offline/plan";
import type { RehearsalContext } from "../../tools/rehearse/model";
import { rehearsalContext } from "../../tools/rehearse/order";

export function contextOf(plan: Pick<PlanFile, "resources"> & Partial<PlanFile>): RehearsalContext {
    return rehearsalContext({ version: 1, project: "ciplatform", stack: "dev", policy: { pack: "", violations: [] }, ...plan } as PlanFile);
}
