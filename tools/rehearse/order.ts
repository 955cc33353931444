/**
 * The engine's create order, reconstructed from a plan. The Pulumi engine creates a resource once
 * everything it waits for is done, and everything else in parallel
 * (pulumi/pulumi `pkg/resource/deploy/step_executor.go`, `pkg/resource/graph/dependency_graph.go`):
 * - its `dependencies` and `propertyDependencies` (the SDK sends a dependency on a component as every
 *   resource below it: sdk/nodejs `runtime/resource.ts`, `getAllTransitivelyReferencedResourceURNs`);
 * - its provider (the provider reference needs the provider's id), the default provider of its package
 *   when it names none;
 * - its parent when the parent is a custom resource or a remote component (the child's registration
 *   needs the parent's URN, returned once the parent is created); a local component's children wait for
 *   the component's own `dependsOn` (its URN resolves only after the SDK awaited them), not for the
 *   component's other children.
 * "Created before" is therefore "a transitive dependency", never a position in a list.
 */
import type { PlanFile, PlannedResource, ReferencedStack } from "../offline/plan";
import type { RehearsalContext, RehearsalStep } from "./model";

/** Whether the engine treats a resource as one unit that is created (custom resources and remote components). */
export function isCreated(r: PlannedResource): boolean {
    return r.custom || r.remote === true || (r.remote === undefined && !r.custom && isRemoteType(r.type));
}

/** Version 1 plans do not say which components are remote: those of a package with its own provider are. */
function isRemoteType(type: string): boolean {
    return /^eks:index:/.test(type);
}

function defaultProviderUrn(r: PlannedResource, plan: PlanFile): string | undefined {
    if (!r.custom || r.provider || r.type.startsWith("pulumi:providers:")) {
        return undefined;
    }
    const pkg = r.type.split(":")[0];
    return `urn:pulumi:${plan.stack}::${plan.project}::pulumi:providers:${pkg}::default`;
}

/** What a resource waits for directly, with components expanded to everything below them. */
export function directDependencies(plan: PlanFile): Map<string, Set<string>> {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const children = new Map<string, string[]>();
    for (const r of plan.resources) {
        if (r.parent) {
            children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
        }
    }
    const below = new Map<string, string[]>();
    const everythingBelow = (urn: string): string[] => {
        const known = below.get(urn);
        if (known) return known;
        const out = (children.get(urn) ?? []).flatMap((c) => [c, ...everythingBelow(c)]);
        below.set(urn, out);
        return out;
    };
    const expand = (urn: string): string[] => {
        const r = byUrn.get(urn);
        // A local component is done when everything below it is; a remote one is a unit of its own.
        return r && !isCreated(r) ? [urn, ...everythingBelow(urn).filter((u) => isCreated(byUrn.get(u) as PlannedResource))] : [urn];
    };
    const direct = new Map<string, Set<string>>();
    for (const r of plan.resources) {
        const deps = new Set<string>();
        const add = (urn: string | null | undefined): void => {
            if (urn && urn !== r.urn && byUrn.has(urn)) {
                for (const u of expand(urn)) if (u !== r.urn) deps.add(u);
            }
        };
        r.dependsOn.forEach(add);
        Object.values(r.propertyDependencies ?? {}).forEach((list) => list.forEach(add));
        add(r.provider ?? defaultProviderUrn(r, plan));
        // A child's registration awaits its parent's URN, and a local component's URN resolves only once the
        // SDK has awaited the component's own dependsOn (everything below a component dependency included):
        // @pulumi/pulumi 3.270.0 runtime/resource.js prepareResource, `gatherExplicitDependencies(opts.dependsOn)`
        // and `getAllTransitivelyReferencedResourceURNs` before `await parent.urn.promise()`. So the children of a
        // local component wait for what every local-component ancestor waits for, up to the first created parent.
        for (let p = r.parent ? byUrn.get(r.parent) : undefined; p; p = p.parent ? byUrn.get(p.parent) : undefined) {
            if (isCreated(p)) {
                add(p.urn);
                break;
            }
            p.dependsOn.forEach(add);
        }
        direct.set(r.urn, deps);
    }
    return direct;
}

/** Transitive closure of `direct`, memoized; cycles (which the engine would refuse) end the walk. */
function closureOf(direct: ReadonlyMap<string, ReadonlySet<string>>): (urn: string) => ReadonlySet<string> {
    const memo = new Map<string, Set<string>>();
    const visiting = new Set<string>();
    const visit = (urn: string): Set<string> => {
        const known = memo.get(urn);
        if (known) return known;
        const out = new Set<string>();
        visiting.add(urn);
        for (const d of direct.get(urn) ?? []) {
            out.add(d);
            if (!visiting.has(d)) for (const x of visit(d)) out.add(x);
        }
        visiting.delete(urn);
        memo.set(urn, out);
        return out;
    };
    return visit;
}

/**
 * Orders the plan as the engine would create it: a resource after all its dependencies; among those
 * ready at once, registration order (the engine would run them in parallel).
 */
export function engineOrder(plan: PlanFile, direct: ReadonlyMap<string, ReadonlySet<string>>): PlannedResource[] {
    const position = new Map(plan.resources.map((r, i) => [r.urn, i]));
    const waiting = new Map(plan.resources.map((r) => [r.urn, new Set(direct.get(r.urn) ?? [])]));
    const dependents = new Map<string, string[]>();
    for (const [urn, deps] of waiting) for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), urn]);
    const ready = plan.resources.filter((r) => (waiting.get(r.urn)?.size ?? 0) === 0).map((r) => r.urn);
    const out: PlannedResource[] = [];
    const done = new Set<string>();
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    while (ready.length > 0) {
        ready.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
        const urn = ready.shift() as string;
        done.add(urn);
        out.push(byUrn.get(urn) as PlannedResource);
        for (const next of dependents.get(urn) ?? []) {
            const w = waiting.get(next) as Set<string>;
            w.delete(urn);
            if (w.size === 0 && !done.has(next) && !ready.includes(next)) ready.push(next);
        }
    }
    // A cycle leaves resources waiting: keep them, in registration order, after the rest.
    return [...out, ...plan.resources.filter((r) => !done.has(r.urn))];
}

/** The context every check receives. */
export function rehearsalContext(plan: PlanFile): RehearsalContext {
    const direct = directDependencies(plan);
    const steps: RehearsalStep[] = engineOrder(plan, direct).map((resource, i) => ({ index: i + 1, resource }));
    const stepOf = new Map(steps.map((s) => [s.resource.urn, s]));
    const dependenciesOf = closureOf(direct);
    const references: readonly ReferencedStack[] = plan.stackReferences ?? [];
    return {
        plan,
        steps,
        stepOf,
        dependenciesOf,
        createdBefore: (later, earlier) => dependenciesOf(later).has(earlier),
        references,
    };
}
