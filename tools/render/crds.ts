/**
 * CRD coverage: every custom resource the plan creates (or a chart renders) needs its CRD installed
 * by something it depends on: a Helm release whose rendered manifests hold the CRD, an EKS add-on
 * known to install it, or a CustomResourceDefinition the plan creates itself. Pure.
 */

/** A kind served by the API: group ("" for core), version and kind. */
export interface ApiKind {
    readonly group: string;
    readonly version: string;
    readonly kind: string;
}

/** API groups Kubernetes 1.33 serves without any CRD. */
export const BUILT_IN_GROUPS = new Set([
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
]);

/** CRDs EKS managed add-ons install (by add-on name). */
export const ADDON_CRDS: Readonly<Record<string, readonly ApiKind[]>> = {
    "snapshot-controller": ["VolumeSnapshot", "VolumeSnapshotClass", "VolumeSnapshotContent"].map((kind) => ({
        group: "snapshot.storage.k8s.io",
        version: "v1",
        kind,
    })),
    "vpc-cni": [{ group: "vpcresources.k8s.aws", version: "v1alpha1", kind: "CNINode" }],
};

/** Who provides which CRDs: a release, an add-on or the plan itself. */
export interface CrdProvider {
    /** URN of the providing resource. */
    readonly urn: string;
    readonly label: string;
    readonly kinds: readonly ApiKind[];
}

/** A custom resource that needs its CRD, and the URNs it (transitively) depends on. */
export interface CustomResourceUse {
    readonly label: string;
    readonly api: ApiKind;
    /** URNs this resource waits for (transitively); the providing resource must be one of them. */
    readonly dependsOn: ReadonlySet<string>;
    /** The resource that creates it is itself a provider (e.g. a chart rendering its own CR). */
    readonly providedBy?: string;
}

export interface CrdFinding {
    readonly resource: string;
    readonly api: string;
    readonly problem: string;
}

export const apiString = (a: ApiKind): string => `${a.group ? `${a.group}/` : ""}${a.version} ${a.kind}`;

/** Splits `apiVersion` into group and version. */
export function parseApiVersion(apiVersion: string, kind: string): ApiKind {
    const slash = apiVersion.indexOf("/");
    return slash < 0
        ? { group: "", version: apiVersion, kind }
        : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

/** Kinds a rendered CustomResourceDefinition serves. */
export function crdKinds(doc: {
    spec?: { group?: string; names?: { kind?: string }; versions?: Array<{ name?: string; served?: boolean }> };
}): ApiKind[] {
    const group = doc.spec?.group ?? "";
    const kind = doc.spec?.names?.kind ?? "";
    return (doc.spec?.versions ?? []).filter((v) => v.served !== false && v.name).map((v) => ({ group, version: v.name as string, kind }));
}

const same = (a: ApiKind, b: ApiKind): boolean => a.group === b.group && a.version === b.version && a.kind === b.kind;

/** Finds custom resources whose CRD nothing they depend on installs. */
export function checkCrdCoverage(uses: readonly CustomResourceUse[], providers: readonly CrdProvider[]): CrdFinding[] {
    const findings: CrdFinding[] = [];
    for (const use of uses) {
        if (BUILT_IN_GROUPS.has(use.api.group)) continue;
        const candidates = providers.filter((p) => p.kinds.some((k) => same(k, use.api)));
        if (candidates.length === 0) {
            const otherVersions = providers.flatMap((p) =>
                p.kinds.filter((k) => k.group === use.api.group && k.kind === use.api.kind).map((k) => `${k.version} (${p.label})`),
            );
            findings.push({
                resource: use.label,
                api: apiString(use.api),
                problem:
                    otherVersions.length > 0
                        ? `no release serves this version; served: ${otherVersions.join(", ")}`
                        : "no release, add-on or CRD in the plan installs this CRD",
            });
            continue;
        }
        if (use.providedBy && candidates.some((p) => p.urn === use.providedBy)) continue;
        if (!candidates.some((p) => use.dependsOn.has(p.urn))) {
            findings.push({
                resource: use.label,
                api: apiString(use.api),
                problem: `its CRD comes from ${candidates.map((p) => p.label).join(", ")}, which it does not depend on`,
            });
        }
    }
    return findings;
}

/** Minimal view of a planned resource for the dependency graph. */
export interface GraphResource {
    readonly urn: string;
    readonly parent: string | null;
    readonly dependsOn: readonly string[];
}

/**
 * Everything each resource waits for: its `dependsOn`, transitively, where depending on a component
 * means depending on every resource below it (as the engine treats it).
 */
export function dependencyClosure(resources: readonly GraphResource[]): Map<string, Set<string>> {
    const children = new Map<string, string[]>();
    for (const r of resources) {
        if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
    }
    const descendants = (urn: string): string[] => (children.get(urn) ?? []).flatMap((c) => [c, ...descendants(c)]);
    const direct = new Map(resources.map((r) => [r.urn, r.dependsOn.flatMap((d) => [d, ...descendants(d)])]));
    const closure = new Map<string, Set<string>>();
    const visit = (urn: string, seen: Set<string>): Set<string> => {
        const known = closure.get(urn);
        if (known) return known;
        const out = new Set<string>();
        seen.add(urn);
        for (const d of direct.get(urn) ?? []) {
            out.add(d);
            if (!seen.has(d)) for (const x of visit(d, seen)) out.add(x);
        }
        closure.set(urn, out);
        return out;
    };
    for (const r of resources) visit(r.urn, new Set());
    return closure;
}
