/**
 * The rehearsal's contract: a plan replayed in the order the Pulumi engine would create it, and the
 * checks the real services apply at each create. Every check is a module under `tools/rehearse/checks/`
 * exporting a `RehearsalCheck`; the rehearsal CLI (`npm run rehearse`) finds every such export there, and
 * the tests share them.
 */
import type { PlanFile, PlannedResource, ReferencedStack } from "../offline/plan";

export type { PlanFile, PlannedResource, ReferencedStack };

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
    /**
     * Everything the engine finishes before it creates `urn`: its dependencies, property dependencies,
     * custom parent and provider, transitively (depending on a component means on everything below it).
     * This, not the step order, is "created before": resources outside it may be created in parallel.
     */
    dependenciesOf(urn: string): ReadonlySet<string>;
    /** Whether `earlier` is certainly complete when the engine creates `later` (a transitive dependency). */
    createdBefore(later: string, earlier: string): boolean;
    /** The stacks this one reads (version 2 plans; empty for version 1), which exist before it. */
    readonly references: readonly ReferencedStack[];
}

export interface RehearsalCheck {
    /** Short, stable name (`existence`, `iam-quotas`, `scheduling`, …). */
    readonly name: string;
    /** One line: what it checks. */
    readonly description: string;
    run(context: RehearsalContext): RehearsalFinding[];
}

/** Whether a module export is a check (the CLI's discovery of `tools/rehearse/checks/*`). */
export function isRehearsalCheck(value: unknown): value is RehearsalCheck {
    const v = value as Partial<RehearsalCheck> | null;
    return (
        typeof v === "object" &&
        v !== null &&
        typeof v.name === "string" &&
        typeof v.description === "string" &&
        typeof v.run === "function"
    );
}
