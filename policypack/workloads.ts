/**
 * Workload rules: every namespace enforces a Pod Security level, and the pod templates the program
 * declares itself meet the level of the namespace they run in (checked by lib/pod-security).
 */
import { PolicyResource } from "@pulumi/policy";
import { checkPodSecurity, isPodSecurityLevel, PodSecurityLevel, podTemplateOf } from "./lib/pod-security";
import { NO_FINDINGS, resourcePolicy, ResourceRule, stackPolicy, StackRule } from "./lib/rule";

export const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";

export const namespaceEnforceRule: ResourceRule = {
    name: "kubernetes-namespace-require-pod-security",
    description: `Every Namespace sets the ${ENFORCE_LABEL} label to privileged, baseline or restricted.`,
    enforcementLevel: "mandatory",
    types: [NAMESPACE_TYPE],
    check: (r) => {
        const value = r.props.metadata?.labels?.[ENFORCE_LABEL];
        if (isPodSecurityLevel(value)) {
            return NO_FINDINGS;
        }
        const name = r.props.metadata?.name ?? r.name;
        return value === undefined
            ? [
                  `Namespace "${name}" enforces no Pod Security level: label it ${ENFORCE_LABEL}=restricted (or baseline; privileged only with an exemption).`,
              ]
            : [`Namespace "${name}" has ${ENFORCE_LABEL}=${JSON.stringify(value)}, not a level: use privileged, baseline or restricted.`];
    },
};

/** Workload types (core and apps/batch) that carry a pod template, by kind. */
const WORKLOAD_KINDS: Record<string, string> = {
    "kubernetes:core/v1:Pod": "Pod",
    "kubernetes:core/v1:ReplicationController": "ReplicationController",
    "kubernetes:apps/v1:Deployment": "Deployment",
    "kubernetes:apps/v1:StatefulSet": "StatefulSet",
    "kubernetes:apps/v1:DaemonSet": "DaemonSet",
    "kubernetes:apps/v1:ReplicaSet": "ReplicaSet",
    "kubernetes:batch/v1:Job": "Job",
    "kubernetes:batch/v1:CronJob": "CronJob",
};

/** The level each namespace the program declares enforces, by namespace name. */
export function namespaceLevels(resources: readonly PolicyResource[]): Map<string, PodSecurityLevel> {
    const levels = new Map<string, PodSecurityLevel>();
    for (const r of resources) {
        if (r.type !== NAMESPACE_TYPE) {
            continue;
        }
        const metadata = r.props.metadata;
        const level = metadata?.labels?.[ENFORCE_LABEL];
        if (typeof metadata?.name === "string" && isPodSecurityLevel(level)) {
            levels.set(metadata.name, level);
        }
    }
    return levels;
}

export const workloadPodSecurityRule: StackRule = {
    name: "kubernetes-workload-require-pod-security",
    description:
        "Pods, Deployments, StatefulSets, DaemonSets, Jobs and CronJobs the program declares meet the Pod Security level their namespace enforces.",
    enforcementLevel: "mandatory",
    reads: (type) => type === NAMESPACE_TYPE || Object.hasOwn(WORKLOAD_KINDS, type),
    check: (resources, config) => {
        let levels: Map<string, PodSecurityLevel> | undefined;
        const findings: Array<{ urn: string; name: string; tags: unknown; message: string }> = [];
        for (const r of resources) {
            const kind = WORKLOAD_KINDS[r.type];
            if (kind === undefined) {
                continue;
            }
            levels ??= namespaceLevels(resources);
            const metadata = r.props.metadata;
            // Where the object lands: its own namespace, else its provider's default namespace, else "default".
            const providerNamespace: unknown = r.provider?.props.namespace;
            const namespace =
                typeof metadata?.namespace === "string" && metadata.namespace !== ""
                    ? metadata.namespace
                    : typeof providerNamespace === "string" && providerNamespace !== ""
                      ? providerNamespace
                      : "default";
            const declared = levels.get(namespace);
            const level = declared ?? config.podSecurityDefaultLevel;
            const template = podTemplateOf(kind, r.props.spec);
            if (!template) {
                continue;
            }
            const where = `${kind} "${namespace}/${metadata?.name ?? r.name}"`;
            const source = declared
                ? `namespace "${namespace}" enforces "${level}"`
                : `namespace "${namespace}" is not declared here, so "${level}" (podSecurityDefaultLevel) applies`;
            for (const v of checkPodSecurity(template.spec, kind === "Pod" ? metadata : template.metadata, level)) {
                findings.push({
                    urn: r.urn,
                    name: r.name,
                    tags: undefined,
                    message: `${where} violates Pod Security ${v.check} (${source}): ${v.message}.`,
                });
            }
        }
        return findings;
    },
};

export const workloadRules = [namespaceEnforceRule];
export const workloadStackRules = [workloadPodSecurityRule];
export const workloadPolicies = [resourcePolicy(namespaceEnforceRule), stackPolicy(workloadPodSecurityRule)];
