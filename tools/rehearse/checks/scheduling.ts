/**
 * "Every pod has a place": every pod the platform causes to exist (project-defined workloads,
 * chart releases through their placement models, pods the charts' software and the operators
 * create) is admitted by some planned capacity (node groups, Karpenter NodePools) on taints,
 * node selector and required node affinity (architecture and pool labels included), every
 * DaemonSet fits every node kind its selector means it for, and each pod passes the Pod Security
 * level its namespace enforces (the policy pack's implementation of the upstream checks).
 */
import type { PlannedResource } from "../../offline/plan";
import { apiOfType, namespaceLevels } from "../../render/check";
import { checkPod, PodSpecLike, podTemplates } from "../../render/pss";
import { isTree } from "../../render/values";
import type { RehearsalCheck, RehearsalContext, RehearsalFinding } from "../model";
import { plannedCapacity } from "../scheduling/capacity";
import { chartModel, chartNameOf, coalesce } from "../scheduling/charts";
import { piraeusPods } from "../scheduling/operators";
import { admissionProblems, NodeKind, Placement, placementOfSpec, selectionMismatch, untoleratedTaints } from "../scheduling/placement";

const NAME = "scheduling";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const WORKLOAD_KINDS = new Set(["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]);
/** Kinds pulumi-kubernetes waits for until their pods are ready (DaemonSets with no matching node are ready at once). */
const AWAITED_KINDS = new Set(["Pod", "Deployment", "StatefulSet", "ReplicaSet", "Job"]);
const AWAIT_SOURCE = "@pulumi/kubernetes 4.34.2: resources wait until ready unless annotated pulumi.com/skipAwait";
/**
 * Why a waiting create needs its capacity first: the Release waits for every Deployment, StatefulSet and Job's
 * pods to be ready ("By default, the provider waits until all resources are in a ready state before marking the
 * release as successful": @pulumi/kubernetes 4.34.2 helm/v3/release.d.ts `ReleaseArgs.skipAwait`; `atomic`
 * turns the wait back on), as `helm install --wait` does (helm/helm v3 pkg/kube/ready.go), until its timeout;
 * and the engine creates everything that does not depend on each other in parallel
 * (pulumi/pulumi pkg/resource/deploy/step_executor.go).
 */
const WAIT_SOURCE =
    "@pulumi/kubernetes 4.34.2 helm/v3/release.d.ts ReleaseArgs.skipAwait (the provider waits until all resources are ready; atomic forces the wait); helm/helm v3 pkg/kube/ready.go (--wait); pulumi/pulumi pkg/resource/deploy/step_executor.go (independent creates run in parallel)";

/** Whether a release's create waits for its pods: unless `skipAwait`, and always with `atomic`. */
export function releaseWaits(r: PlannedResource): boolean {
    return r.inputs.skipAwait !== true || r.inputs.atomic === true;
}

function awaitedUnlessSkipped(metadata: unknown): { awaitedBy?: string } {
    const m = isTree(metadata) ? metadata : {};
    const annotations = isTree(m.annotations) ? m.annotations : {};
    return annotations["pulumi.com/skipAwait"] === "true" ? {} : { awaitedBy: `pulumi-kubernetes' await (${AWAIT_SOURCE})` };
}

const SCHEDULER =
    "kubernetes/kubernetes pkg/scheduler/framework/plugins (TaintToleration, NodeAffinity); k8s.io/component-helpers scheduling/corev1";

/** A pod the platform causes to exist, with where it may run. */
export interface PlannedPod {
    /** The planned resource it comes from (the workload, the release, or the object an operator reconciles). */
    readonly urn: string;
    readonly name: string;
    readonly namespace: string;
    /** A DaemonSet: one pod on each node it selects, so it must fit all of them. */
    readonly daemon: boolean;
    readonly placement: Placement;
    /** A placement that depends on the node kind (piraeus satellites). */
    readonly perNodeKind?: (node: NodeKind) => Placement | undefined;
    /** The pod spec Pod Security judges, when the plan has it (chart pods are judged by `npm run render`). */
    readonly spec?: PodSpecLike;
    readonly annotations?: Record<string, string>;
    readonly source: string;
    /** Why the create of its resource waits for it to be ready (a Helm release without skipAwait, pulumi-kubernetes' await), when it does. */
    readonly awaitedBy?: string;
}

/** Every pod of the plan, and the pods that could not be modelled. */
export function plannedPods(resources: readonly PlannedResource[]): {
    pods: PlannedPod[];
    unmodelled: Array<{ urn: string; why: string; source: string }>;
} {
    const pods: PlannedPod[] = [];
    const unmodelled: Array<{ urn: string; why: string; source: string }> = [];
    for (const r of resources) {
        const api = apiOfType(r.type);
        if (api && WORKLOAD_KINDS.has(api.kind)) {
            const metadata = isTree(r.inputs.metadata) ? r.inputs.metadata : {};
            for (const t of podTemplates({
                kind: api.kind,
                metadata: metadata as { name?: string },
                spec: r.inputs.spec as Record<string, unknown>,
            })) {
                pods.push({
                    urn: r.urn,
                    name: `${api.kind} ${t.name || r.name}`,
                    namespace: t.namespace ?? "default",
                    daemon: api.kind === "DaemonSet",
                    placement: placementOfSpec(t.spec),
                    spec: t.spec,
                    annotations: t.annotations,
                    source: "the project's own manifest",
                    ...(AWAITED_KINDS.has(api.kind) ? awaitedUnlessSkipped(metadata) : {}),
                });
            }
        }
        if (r.type !== RELEASE) continue;
        const chart = chartNameOf(String(r.inputs.chart ?? ""));
        const version = String(r.inputs.version ?? "");
        const found = chartModel(chart, version);
        if ("problem" in found) {
            unmodelled.push({ urn: r.urn, why: found.problem, source: `chart ${chart}@${version}` });
            continue;
        }
        const { model } = found;
        const namespace = String(r.inputs.namespace ?? "default");
        const values = coalesce(model.defaults, isTree(r.inputs.values) ? r.inputs.values : {});
        for (const w of model.workloads) {
            if (w.enabled && !w.enabled(values)) continue;
            pods.push({
                urn: r.urn,
                name: `${w.kind} ${w.id} of release ${r.name}`,
                namespace,
                daemon: w.kind === "DaemonSet",
                placement: w.placement(values),
                source: `${model.source}@${version} ${w.template}`,
                ...(releaseWaits(r) ? { awaitedBy: `the Helm release (no skipAwait: helm --wait) ${r.name}` } : {}),
            });
        }
        for (const p of model.softwarePods?.(values, namespace) ?? []) {
            pods.push({
                urn: r.urn,
                name: `${p.name} of release ${r.name}`,
                namespace: p.namespace ?? namespace,
                daemon: false,
                placement: p.placement,
                spec: p.spec,
                annotations: p.annotations,
                source: `${model.source}@${version}: ${p.source}`,
            });
        }
    }
    const operator = piraeusPods(resources);
    for (const p of operator.pods) pods.push({ ...p, daemon: p.kind === "DaemonSet" });
    for (const p of operator.problems)
        unmodelled.push({ ...p, source: "piraeusdatastore/piraeus-operator internal/controller/linstorcluster_controller.go" });
    return { pods, unmodelled };
}

/** Where a finding about a pod is reported: the step of the resource it comes from. */
type Report = (urn: string, why: string, source: string) => void;

function judgePlacement(pod: PlannedPod, capacity: readonly NodeKind[], report: Report): void {
    if (pod.daemon) {
        const meantFor = capacity.filter((n) => selectionMismatch(pod.perNodeKind?.(n) ?? pod.placement, n).length === 0);
        if (meantFor.length === 0) {
            report(
                pod.urn,
                `${pod.name} in ${pod.namespace}: its node selector and affinity select no planned node kind, so it runs nowhere`,
                pod.source,
            );
        }
        for (const node of meantFor) {
            const untolerated = untoleratedTaints(pod.perNodeKind?.(node) ?? pod.placement, node);
            if (untolerated.length > 0) {
                report(
                    pod.urn,
                    `${pod.name} in ${pod.namespace}: selects ${node.name} but does not tolerate its taint ${untolerated.map((t) => `${t.key}${t.value !== undefined ? `=${t.value}` : ""}:${t.effect}`).join(", ")}, so those nodes get none`,
                    `${pod.source}; ${SCHEDULER}`,
                );
            }
        }
        return;
    }
    const verdicts = capacity.map((n) => ({ node: n, problems: admissionProblems(pod.placement, n) }));
    if (verdicts.some((v) => v.problems.length === 0)) return;
    report(
        pod.urn,
        `${pod.name} in ${pod.namespace} stays Pending: no planned capacity admits it (${verdicts.map((v) => `${v.node.name}: ${v.problems.join(", ")}`).join("; ") || "the plan has no nodes"})`,
        `${pod.source}; ${SCHEDULER}`,
    );
}

/**
 * A create that waits for its pods must come after capacity that admits them: some admitting node kind
 * whose every prerequisite (the node group; or the NodePool, Karpenter's release and its EC2NodeClass) is
 * a transitive dependency of the waiting resource. Otherwise the engine may create the release first or in
 * parallel, and the release times out with its pods Pending.
 */
function judgeOrdering(
    pod: PlannedPod,
    capacity: readonly NodeKind[],
    createdBefore: (later: string, earlier: string) => boolean,
    label: (urn: string) => string,
    report: Report,
): void {
    if (pod.daemon || !pod.awaitedBy) return;
    const admitting = capacity.filter((n) => admissionProblems(pod.placement, n).length === 0);
    if (admitting.length === 0) return; // judgePlacement reports it: nothing admits it at all.
    const missing = admitting.map((n) => ({
        node: n,
        missing: (n.requires ?? [{ what: n.name, urns: [n.urn] }]).filter((req) => !req.urns.some((u) => createdBefore(pod.urn, u))),
    }));
    if (missing.some((m) => m.missing.length === 0)) return;
    report(
        pod.urn,
        `no node can admit ${pod.name} in ${pod.namespace} when the release waits: ${label(pod.urn)} waits for it (${pod.awaitedBy}) but does not depend ` +
            `(dependsOn, parent or inputs) on capacity that admits it, so the engine may create it before or in parallel with that capacity ` +
            `and it times out with the pod Pending (${missing.map((m) => `${m.node.name}: no dependency on ${m.missing.map((x) => x.what).join(", ")}`).join("; ")})`,
        `${WAIT_SOURCE}; ${pod.source}`,
    );
}

/** Every finding of the check, located at the step of the resource each pod comes from. */
export function schedulingFindings(
    resources: readonly PlannedResource[],
    stepOf: (urn: string) => number,
    createdBefore?: (later: string, earlier: string) => boolean,
): RehearsalFinding[] {
    const findings: RehearsalFinding[] = [];
    const report: Report = (urn, why, source) => findings.push({ step: stepOf(urn), urn, check: NAME, why, source });
    const capacity = plannedCapacity(resources);
    const levels = namespaceLevels({ stack: "", resources: resources as PlannedResource[] });
    const { pods, unmodelled } = plannedPods(resources);
    for (const u of unmodelled) report(u.urn, u.why, u.source);
    const names = new Map(resources.map((r) => [r.urn, `${r.type.split(":").pop()} "${r.name}"`]));
    for (const pod of pods) {
        judgePlacement(pod, capacity, report);
        if (createdBefore) judgeOrdering(pod, capacity, createdBefore, (urn) => names.get(urn) ?? urn, report);
        if (pod.spec) {
            // Namespaces the plan does not create (kube-system) keep EKS's default: privileged.
            const level = levels.get(pod.namespace) ?? "privileged";
            for (const f of checkPod(pod.spec, level, pod.annotations ?? {})) {
                report(
                    pod.urn,
                    `${pod.name} in ${pod.namespace}: Pod Security "${level}" rejects it: ${f.check}: ${f.detail}`,
                    "k8s.io/pod-security-admission policy/check_*.go (policypack/lib/pod-security.ts)",
                );
            }
        }
    }
    return findings;
}

export const schedulingCheck: RehearsalCheck = {
    name: NAME,
    description:
        "Every pod the platform causes to exist is admitted by planned capacity (taints, selectors, affinity, architecture), a create that waits for its pods depends on that capacity, and each pod passes its namespace's Pod Security level",
    run(context: RehearsalContext): RehearsalFinding[] {
        return schedulingFindings(context.plan.resources, (urn) => context.stepOf.get(urn)?.index ?? 0, context.createdBefore);
    },
};
