/**
 * The scheduler's view of a pod and of a kind of node, and whether one admits the other: taints
 * against tolerations (k8s.io/component-helpers `scheduling/corev1/helpers.go`
 * `FindMatchingUntoleratedTaint`, `Toleration.ToleratesTaint`), the node selector and required node
 * affinity against the labels a node of that kind can carry (`MatchNodeSelectorTerms`). A node kind
 * is a node group or a Karpenter NodePool: a label whose value depends on the node (its zone, the
 * instance type Karpenter picks) is a set of possible values, or "any" when the plan does not fix it.
 */

export interface Toleration {
    readonly key?: string;
    readonly operator?: string;
    readonly value?: string;
    readonly effect?: string;
    readonly tolerationSeconds?: number;
}

export interface Taint {
    readonly key: string;
    readonly value?: string;
    readonly effect: string;
}

export interface NodeSelectorRequirement {
    readonly key: string;
    readonly operator: string;
    readonly values?: readonly string[];
}

export interface NodeSelectorTerm {
    readonly matchExpressions?: readonly NodeSelectorRequirement[];
}

/** Where a pod may go: its node selector, tolerations, and required node affinity terms (ORed). */
export interface Placement {
    readonly nodeSelector: Readonly<Record<string, string>>;
    readonly tolerations: readonly Toleration[];
    /** `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`; undefined: none. */
    readonly requiredTerms?: readonly NodeSelectorTerm[];
}

/** The values a label can have on a node of this kind: a set, or any value. */
export type LabelValues = ReadonlySet<string> | "any";

/** A kind of node the plan provides. */
export interface NodeKind {
    /** e.g. `node group cip-dev-cluster-system`, `NodePool general-arm64`. */
    readonly name: string;
    readonly urn: string;
    readonly labels: ReadonlyMap<string, LabelValues>;
    readonly taints: readonly Taint[];
    /**
     * What must be complete before a node of this kind can start: each entry is met by any one of its
     * URNs (a node group: itself; a NodePool: itself, the Karpenter controller's release and its EC2NodeClass).
     */
    readonly requires?: ReadonlyArray<{ readonly what: string; readonly urns: readonly string[] }>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Placement fields of a pod spec (as planned or rendered). */
export function placementOfSpec(spec: unknown): Placement {
    const s = isRecord(spec) ? spec : {};
    const nodeSelector = isRecord(s.nodeSelector) ? (s.nodeSelector as Record<string, string>) : {};
    const tolerations = Array.isArray(s.tolerations) ? (s.tolerations as Toleration[]) : [];
    return { nodeSelector, tolerations, requiredTerms: requiredTermsOf(s.affinity) };
}

/** The required node affinity terms of an `affinity` object. */
export function requiredTermsOf(affinity: unknown): readonly NodeSelectorTerm[] | undefined {
    const a = isRecord(affinity) ? affinity : {};
    const node = isRecord(a.nodeAffinity) ? a.nodeAffinity : {};
    const required = isRecord(node.requiredDuringSchedulingIgnoredDuringExecution)
        ? node.requiredDuringSchedulingIgnoredDuringExecution
        : undefined;
    if (!required || !Array.isArray(required.nodeSelectorTerms)) return undefined;
    return required.nodeSelectorTerms as NodeSelectorTerm[];
}

/** `Toleration.ToleratesTaint`: empty key with Exists matches every key; empty effect matches every effect. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
    if (toleration.effect && toleration.effect !== taint.effect) return false;
    const operator = toleration.operator ?? "Equal";
    if (operator === "Exists") return !toleration.key || toleration.key === taint.key;
    return toleration.key === taint.key && (toleration.value ?? "") === (taint.value ?? "");
}

/** Taints the scheduler will not place the pod over (NoSchedule and NoExecute; PreferNoSchedule only scores). */
export function untoleratedTaints(placement: Placement, node: NodeKind): Taint[] {
    return node.taints.filter((t) => t.effect !== "PreferNoSchedule" && !placement.tolerations.some((tol) => tolerates(tol, t)));
}

function canHave(values: LabelValues | undefined, wanted: string): boolean {
    return values !== undefined && (values === "any" || values.has(wanted));
}

/** Whether some node of this kind can satisfy one requirement. */
function requirementPossible(req: NodeSelectorRequirement, node: NodeKind): boolean {
    const values = node.labels.get(req.key);
    const wanted = req.values ?? [];
    switch (req.operator) {
        case "In":
            return wanted.some((v) => canHave(values, v));
        case "NotIn":
            return values === undefined || values === "any" || [...values].some((v) => !wanted.includes(v));
        case "Exists":
        case "Gt":
        case "Lt":
            return values !== undefined;
        case "DoesNotExist":
            return values === undefined;
        default:
            return false;
    }
}

/** Why the pod's node selector and required affinity exclude this node kind (empty: they allow it). */
export function selectionMismatch(placement: Placement, node: NodeKind): string[] {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(placement.nodeSelector)) {
        if (!canHave(node.labels.get(key), value)) problems.push(`nodeSelector ${key}=${value}`);
    }
    if (placement.requiredTerms !== undefined) {
        const terms = placement.requiredTerms;
        const anyTerm = terms.some((t) => (t.matchExpressions ?? []).every((r) => requirementPossible(r, node)));
        if (!anyTerm) {
            problems.push(
                `required node affinity ${terms
                    .map((t) =>
                        (t.matchExpressions ?? []).map((r) => `${r.key} ${r.operator} ${(r.values ?? []).join(",")}`.trim()).join(" & "),
                    )
                    .join(" | ")}`,
            );
        }
    }
    return problems;
}

/** Why this node kind does not admit the pod (empty: it does). */
export function admissionProblems(placement: Placement, node: NodeKind): string[] {
    return [
        ...selectionMismatch(placement, node),
        ...untoleratedTaints(placement, node).map(
            (t) => `untolerated taint ${t.key}${t.value !== undefined ? `=${t.value}` : ""}:${t.effect}`,
        ),
    ];
}
