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

/** Every finding of the check, located at the step of the resource each pod comes from. */
export function schedulingFindings(resources: readonly PlannedResource[], stepOf: (urn: string) => number): RehearsalFinding[] {
    const findings: RehearsalFinding[] = [];
    const report: Report = (urn, why, source) => findings.push({ step: stepOf(urn), urn, check: NAME, why, source });
    const capacity = plannedCapacity(resources);
    const levels = namespaceLevels({ stack: "", resources: resources as PlannedResource[] });
    const { pods, unmodelled } = plannedPods(resources);
    for (const u of unmodelled) report(u.urn, u.why, u.source);
    for (const pod of pods) {
        judgePlacement(pod, capacity, report);
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
        "Every pod the platform causes to exist is admitted by planned capacity (taints, selectors, affinity, architecture) and by its namespace's Pod Security level",
    run(context: RehearsalContext): RehearsalFinding[] {
        return schedulingFindings(context.plan.resources, (urn) => context.stepOf.get(urn)?.index ?? 0);
    },
};
