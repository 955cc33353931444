/**
 * The kinds of node a plan provides, with the labels and taints their nodes register with: EKS
 * managed node groups (`aws:eks/nodeGroup:NodeGroup`, and the `eks:index:Cluster` component's
 * default group unless skipped) and Karpenter NodePools (`karpenter.sh/v1`).
 */
import type { PlannedResource } from "../../offline/plan";
import { UNKNOWN_VALUE } from "../../offline/wire";
import { chartNameOf } from "./charts";
import type { LabelValues, NodeKind, Taint } from "./placement";

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const EKS_CLUSTER = "eks:index:Cluster";
const NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool";
const NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry";

/** EKS's taint effects (`NO_SCHEDULE`, ...) as Kubernetes spells them. */
const EKS_EFFECT: Readonly<Record<string, string>> = {
    NO_SCHEDULE: "NoSchedule",
    NO_EXECUTE: "NoExecute",
    PREFER_NO_SCHEDULE: "PreferNoSchedule",
};

/** Labels every node has, whose value the plan does not fix. */
const NODE_DEPENDENT_LABELS = ["kubernetes.io/hostname", "topology.kubernetes.io/zone", "topology.kubernetes.io/region"];

function isRecord(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function strings(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * The architecture of an EC2 instance type: Graviton types carry `g` in their attributes (m7g,
 * c7gn, t4g, r8gd) and the a1 family is Arm; everything else is x86-64.
 */
export function instanceArchitecture(type: string): "arm64" | "amd64" | undefined {
    const m = /^([a-z]+)(\d+)([a-z-]*)\.[a-z0-9]+$/.exec(type);
    if (!m) return undefined;
    return m[1] === "a" || m[3].includes("g") ? "arm64" : "amd64";
}

/** The architecture of an EKS AMI type (`AL2023_ARM_64_STANDARD`, `BOTTLEROCKET_x86_64`, ...); undefined for CUSTOM. */
function amiArchitecture(amiType: unknown): "arm64" | "amd64" | undefined {
    if (typeof amiType !== "string") return undefined;
    if (/ARM_64/.test(amiType)) return "arm64";
    if (/x86_64/i.test(amiType)) return "amd64";
    return undefined;
}

function withNodeDependent(labels: Map<string, LabelValues>): Map<string, LabelValues> {
    for (const key of NODE_DEPENDENT_LABELS) if (!labels.has(key)) labels.set(key, "any");
    return labels;
}

function nodeGroupKind(r: PlannedResource): NodeKind {
    const inputs = r.inputs;
    const types = strings(inputs.instanceTypes);
    const architectures = new Set(
        amiArchitecture(inputs.amiType) !== undefined
            ? [amiArchitecture(inputs.amiType) as string]
            : types.map(instanceArchitecture).filter((a): a is "arm64" | "amd64" => a !== undefined),
    );
    const labels = new Map<string, LabelValues>();
    for (const [k, v] of Object.entries(isRecord(inputs.labels) ? inputs.labels : {})) labels.set(k, new Set([String(v)]));
    labels.set("kubernetes.io/os", new Set(["linux"]));
    labels.set("kubernetes.io/arch", architectures.size > 0 ? architectures : "any");
    labels.set("eks.amazonaws.com/capacityType", new Set([typeof inputs.capacityType === "string" ? inputs.capacityType : "ON_DEMAND"]));
    labels.set("eks.amazonaws.com/nodegroup", "any");
    labels.set("node.kubernetes.io/instance-type", types.length > 0 ? new Set(types) : "any");
    const taints: Taint[] = (Array.isArray(inputs.taints) ? inputs.taints : []).filter(isRecord).map((t) => ({
        key: String(t.key),
        ...(t.value !== undefined ? { value: String(t.value) } : {}),
        effect: EKS_EFFECT[String(t.effect)] ?? String(t.effect),
    }));
    return {
        name: `node group ${r.name}`,
        urn: r.urn,
        labels: withNodeDependent(labels),
        taints,
        requires: [{ what: `node group ${r.name}`, urns: [r.urn] }],
    };
}

/** pulumi-eks creates a default node group (untainted, t3.medium unless `instanceType`) unless `skipDefaultNodeGroup`. */
function defaultNodeGroupKind(r: PlannedResource): NodeKind | undefined {
    if (r.inputs.skipDefaultNodeGroup === true) return undefined;
    const type = typeof r.inputs.instanceType === "string" ? r.inputs.instanceType : "t3.medium";
    const labels = new Map<string, LabelValues>([
        ["kubernetes.io/os", new Set(["linux"])],
        ["kubernetes.io/arch", new Set([instanceArchitecture(type) ?? "amd64"])],
        ["node.kubernetes.io/instance-type", new Set([type])],
    ]);
    return {
        name: `default node group of ${r.name}`,
        urn: r.urn,
        labels: withNodeDependent(labels),
        taints: [],
        requires: [{ what: `cluster ${r.name} (its default node group)`, urns: [r.urn] }],
    };
}

/**
 * A NodePool's nodes: its template labels, `karpenter.sh/nodepool`, and each requirement's values
 * (`In`: those; `Exists`/`NotIn`/`Gt`/`Lt`: some value; `DoesNotExist`: none). Karpenter's defaults
 * apply where the pool says nothing: on-demand, amd64, linux (karpenter `pkg/apis/v1/nodepool_default.go`
 * and the NodePool docs' "kubernetes.io/arch defaults to amd64").
 */
function nodePoolKind(r: PlannedResource, resources: readonly PlannedResource[]): NodeKind {
    const metadata = isRecord(r.inputs.metadata) ? r.inputs.metadata : {};
    const name = String(metadata.name ?? r.name);
    const spec = isRecord(r.inputs.spec) ? r.inputs.spec : {};
    const template = isRecord(spec.template) ? spec.template : {};
    const templateMeta = isRecord(template.metadata) ? template.metadata : {};
    const templateSpec = isRecord(template.spec) ? template.spec : {};
    const labels = new Map<string, LabelValues>([
        ["karpenter.sh/capacity-type", new Set(["on-demand"])],
        ["kubernetes.io/arch", new Set(["amd64"])],
        ["kubernetes.io/os", new Set(["linux"])],
        ["node.kubernetes.io/instance-type", "any"],
    ]);
    for (const [k, v] of Object.entries(isRecord(templateMeta.labels) ? templateMeta.labels : {})) labels.set(k, new Set([String(v)]));
    for (const req of (Array.isArray(templateSpec.requirements) ? templateSpec.requirements : []).filter(isRecord)) {
        const key = String(req.key);
        if (req.operator === "In") labels.set(key, new Set(strings(req.values)));
        else if (req.operator === "DoesNotExist") labels.delete(key);
        else labels.set(key, "any");
    }
    labels.set("karpenter.sh/nodepool", new Set([name]));
    const taints: Taint[] = (Array.isArray(templateSpec.taints) ? templateSpec.taints : []).filter(isRecord).map((t) => ({
        key: String(t.key),
        ...(t.value !== undefined ? { value: String(t.value) } : {}),
        effect: String(t.effect),
    }));
    // A NodePool's nodes start only once Karpenter runs and the EC2NodeClass it names exists: Karpenter's
    // provisioner skips a pool whose nodeClassRef is not found or not ready (aws/karpenter-provider-aws
    // pkg/cloudprovider/cloudprovider.go `resolveNodeClassFromNodePool` @ v1.14.1; kubernetes-sigs/karpenter
    // pkg/controllers/provisioning/provisioner.go skips pools that are not ready).
    const classRef = isRecord(templateSpec.nodeClassRef) ? templateSpec.nodeClassRef : {};
    const className = typeof classRef.name === "string" ? classRef.name : undefined;
    const classes = resources.filter((c) => c.type === NODE_CLASS && (className === undefined || metadataName(c) === className));
    const controllers = resources.filter((c) => c.type === RELEASE && chartNameOf(String(c.inputs.chart ?? "")) === "karpenter");
    // And its nodes join only once their role may authenticate: on a cluster with access entries, EKS creates none for
    // a role Karpenter's nodes assume (it does for managed node groups), so the node role needs an EC2_LINUX entry or the
    // kubelet is refused and the node never registers (https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html;
    // https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html, type EC2_LINUX). Matched on the
    // node class's `spec.role` when both it and the entry's principal are known.
    const roles = classes.map((c) => (isRecord(c.inputs.spec) ? c.inputs.spec.role : undefined)).filter(known);
    const entries = resources.filter((e) => {
        if (e.type !== ACCESS_ENTRY || e.inputs.type !== "EC2_LINUX") return false;
        const principal = e.inputs.principalArn;
        return (
            roles.length === 0 ||
            !known(principal) ||
            roles.some((role) => principal.endsWith(`:role/${role}`) || principal.endsWith(`/${role}`))
        );
    });
    return {
        name: `NodePool ${name}`,
        urn: r.urn,
        labels: withNodeDependent(labels),
        taints,
        requires: [
            { what: `NodePool ${name}`, urns: [r.urn] },
            { what: "the Karpenter controller's release (chart karpenter)", urns: controllers.map((c) => c.urn) },
            { what: `EC2NodeClass ${className ?? "(any)"}`, urns: classes.map((c) => c.urn) },
            {
                what: `the node role's EKS access entry (type EC2_LINUX${roles.length > 0 ? ` for ${roles.join(" or ")}` : ""})`,
                urns: entries.map((e) => e.urn),
            },
        ],
    };
}

/** A string the plan knows (not a preview's unknown). */
function known(value: unknown): value is string {
    return typeof value === "string" && value !== UNKNOWN_VALUE;
}

function metadataName(r: PlannedResource): string {
    const metadata = isRecord(r.inputs.metadata) ? r.inputs.metadata : {};
    return String(metadata.name ?? r.name);
}

/** Every kind of node the plan provides. */
export function plannedCapacity(resources: readonly PlannedResource[]): NodeKind[] {
    const kinds: NodeKind[] = [];
    for (const r of resources) {
        if (r.type === NODE_GROUP) kinds.push(nodeGroupKind(r));
        else if (r.type === NODE_POOL) kinds.push(nodePoolKind(r, resources));
        else if (r.type === EKS_CLUSTER) {
            const d = defaultNodeGroupKind(r);
            if (d) kinds.push(d);
        }
    }
    return kinds;
}
