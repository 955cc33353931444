/**
 * The rehearsal's contract: a plan replayed in the order the Pulumi engine would create it, and the
 * checks the real services apply at each create. Every check is a module under `tools/rehearse/checks/`
 * exporting a `RehearsalCheck`; the rehearsal CLI (`npm run rehearse`) and the tests share them.
 */
import type { PlanFile, PlannedResource } from "../offline/plan";

/** One create, in engine order (1-based `index`). */
export interface RehearsalStep {
    readonly index: number;
    readonly resource: PlannedResource;
}

/** Why a create (or what a controller does after it) would fail. */
export interface RehearsalFinding {
    /** The create step that fails (1-based), or the step of the resource whose controller fails. */
    readonly step: number;
    readonly urn: string;
    /** The check's name (`RehearsalCheck.name`). */
    readonly check: string;
    /** What the service would answer, in words. */
    readonly why: string;
    /** The upstream source of the rule: quota page, API reference, or controller source file at its pinned version. */
    readonly source: string;
}

export interface RehearsalContext {
    readonly plan: PlanFile;
    /** Every custom and component resource, in the order the engine would register and create them. */
    readonly steps: readonly RehearsalStep[];
    /** The step of a resource by URN. */
    readonly stepOf: ReadonlyMap<string, RehearsalStep>;
}

export interface RehearsalCheck {
    /** Short, stable name (`existence`, `iam-quotas`, `scheduling`, …). */
    readonly name: string;
    /** One line: what it checks. */
    readonly description: string;
    run(context: RehearsalContext): RehearsalFinding[];
}
