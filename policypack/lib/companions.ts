/**
 * Companion resources configure another resource from outside it (an S3 bucket's encryption,
 * public-access block and policy; a secret's version). They are linked to the resource they
 * configure by dependency or parent when the program wires them by reference, and otherwise by the
 * name or id they name: a program may configure a bucket by its literal name, and a plan may carry
 * no dependencies at all.
 */
import { PolicyResource } from "@pulumi/policy";

export interface CompanionIndex {
    readonly targets: ReadonlySet<PolicyResource>;
    /** Targets by every name, id or ARN they are known by. */
    readonly byReference: ReadonlyMap<string, PolicyResource>;
}

/** Indexes targets by the reference inputs given (e.g. `bucket`, `id`, `arn`). */
export function companionIndex(targets: readonly PolicyResource[], referenceInputs: readonly string[]): CompanionIndex {
    const byReference = new Map<string, PolicyResource>();
    for (const t of targets) {
        for (const input of referenceInputs) {
            const value = t.props[input];
            if (typeof value === "string" && value !== "") {
                byReference.set(value, t);
            }
        }
    }
    return { targets: new Set(targets), byReference };
}

/** The target a companion configures: by dependency, by parent, or by the reference it names in `input`. */
export function targetOf(companion: PolicyResource, index: CompanionIndex, input: string): PolicyResource | undefined {
    const byDependency = companion.dependencies.find((d) => index.targets.has(d));
    if (byDependency) {
        return byDependency;
    }
    if (companion.parent && index.targets.has(companion.parent)) {
        return companion.parent;
    }
    const reference = companion.props[input];
    return typeof reference === "string" ? index.byReference.get(reference) : undefined;
}
