/**
 * Kubernetes admission at apply time, in engine order:
 * - a custom resource needs its CRD established first (the API server answers 404 "no matches for kind"
 *   otherwise: https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/);
 * - a namespaced object needs its namespace first ("namespaces … not found":
 *   https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/);
 * - every admission webhook installed so far must have ready pods before an object it intercepts is
 *   created: with `failurePolicy: Fail` the API server rejects the object while no pod answers
 *   (https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy).
 *   A webhook's release that waits for its pods (a Helm release without `skipAwait`, or `atomic`) and is a
 *   dependency is safe; one the object does not depend on may be registered, pods not yet running, when it is
 *   created. Intercepted: the plan's objects and their pods, and what releases create (`charts.ts` `creates`,
 *   their workloads and pods). Webhooks: the charts' (`charts.ts`), and Kyverno's, which Kyverno registers
 *   itself for the kinds the plan's policies match, with each policy's failurePolicy;
 * - every pod the program declares meets its namespace's Pod Security level (the pack's implementation,
 *   `policypack/lib/pod-security.ts`: https://kubernetes.io/docs/concepts/security/pod-security-standards/).
 */
import type { PlannedResource } from "../../offline/plan";
import { checkPodSecurity, isPodSecurityLevel, podTemplateOf, type PodSecurityLevel } from "../../../policypack/lib/pod-security";
import { BUILT_IN_GROUPS } from "../../render/crds";
import { isTree } from "../../render/values";
import { ADDON_CRD_GROUPS, chartFactsOf, type ChartWebhook, type Values, type WebhookRule } from "../charts";
import { releaseWaits } from "./scheduling";
import { chartModel, chartNameOf, coalesce } from "../scheduling/charts";
import type { RehearsalCheck, RehearsalContext, RehearsalFinding } from "../model";
import { label } from "../plan-view";

const NAME = "kubernetes-admission";
const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";
const CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";
const SOURCES = {
    crd: "https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/",
    namespace: "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/",
    webhook: "https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy",
    pss: "https://kubernetes.io/docs/concepts/security/pod-security-standards/ (policypack/lib/pod-security.ts)",
};
/** Namespaces every EKS cluster has from the start. */
const BUILT_IN_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

interface Api {
    readonly group: string;
    readonly version: string;
    readonly kind: string;
}

function apiOf(type: string): Api | undefined {
    const m = /^kubernetes:([^:]+)\/([^/:]+):(\w+)$/.exec(type);
    return m ? { group: m[1] === "core" ? "" : m[1], version: m[2], kind: m[3] } : undefined;
}

/** The resource (plural) the API serves a kind as, by the API's regular pluralisation. */
export function pluralOf(kind: string): string {
    const lower = kind.toLowerCase();
    if (/(?:s|x|ch|sh)$/.test(lower)) return `${lower}es`;
    if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
    return `${lower}s`;
}

const metadataOf = (r: PlannedResource): Values =>
    r.inputs.metadata !== null && typeof r.inputs.metadata === "object" ? (r.inputs.metadata as Values) : {};
const valuesOf = (r: PlannedResource): Values =>
    r.inputs.values !== null && typeof r.inputs.values === "object" ? (r.inputs.values as Values) : {};

/** A (group, resource) an object or a release creates, in a namespace, as webhook rules see it. */
interface Target {
    readonly group: string;
    readonly resource: string;
    readonly what: string;
    /** Undefined: cluster-scoped. */
    readonly namespace?: string;
}

/** Workload kinds by the resource their API serves, and the pods they create. */
const WORKLOAD_RESOURCES: Readonly<Record<string, { group: string; resource: string }>> = {
    Deployment: { group: "apps", resource: "deployments" },
    StatefulSet: { group: "apps", resource: "statefulsets" },
    DaemonSet: { group: "apps", resource: "daemonsets" },
    ReplicaSet: { group: "apps", resource: "replicasets" },
    Job: { group: "batch", resource: "jobs" },
    CronJob: { group: "batch", resource: "cronjobs" },
};

/** What an object or a release creates, as webhook rules see it: the object itself, and the pods a workload creates. */
function interceptable(r: PlannedResource): Target[] {
    if (r.type === RELEASE_TYPE) {
        const namespace = String(r.inputs.namespace ?? "default");
        const values = valuesOf(r);
        const { facts } = chartFactsOf(r.inputs);
        const out: Target[] = (facts?.creates(values) ?? []).map((c) => ({
            group: c.group,
            resource: c.resource,
            what: `its chart's ${c.resource} (${c.template})`,
            namespace,
        }));
        // Its workloads and their pods (the placement models of scheduling/charts.ts say which render with these values).
        const found = chartModel(chartNameOf(String(r.inputs.chart ?? "")), String(r.inputs.version ?? ""));
        if ("model" in found) {
            const merged = coalesce(found.model.defaults, isTree(r.inputs.values) ? r.inputs.values : {});
            for (const w of found.model.workloads.filter((w) => !w.enabled || w.enabled(merged))) {
                const api = WORKLOAD_RESOURCES[w.kind];
                out.push({ ...api, what: `its chart's ${w.kind} ${w.id} (${w.template})`, namespace });
                out.push({ group: "", resource: "pods", what: `the pods of its chart's ${w.kind} ${w.id}`, namespace });
            }
        }
        return out;
    }
    const api = apiOf(r.type);
    if (!api) return [];
    // Cluster-scoped objects (and namespaced ones without a namespace, rare here) carry none: selectors by namespace do not exclude them.
    const namespace = typeof metadataOf(r).namespace === "string" ? String(metadataOf(r).namespace) : undefined;
    const out: Target[] = [{ group: api.group, resource: pluralOf(api.kind), what: api.kind, namespace }];
    if (podTemplateOf(api.kind, r.inputs.spec)) out.push({ group: "", resource: "pods", what: `the pods of this ${api.kind}`, namespace });
    return out;
}

function intercepts(webhook: ChartWebhook, group: string, resource: string): boolean {
    return webhook.rules.some(
        (rule) => rule.group === group && (rule.resource === "*" || rule.resource === resource) && rule.operations.includes("CREATE"),
    );
}

const KYVERNO_POLICY_TYPES = new Set(["kubernetes:kyverno.io/v1:ClusterPolicy", "kubernetes:kyverno.io/v1:Policy"]);
/**
 * Kyverno's auto-generation: a rule on Pods also applies to the controllers that create them, unless the
 * policy's `pod-policies.kyverno.io/autogen-controllers` annotation says otherwise (kyverno/kyverno
 * pkg/autogen @ v1.19.0; https://kyverno.io/docs/policy-types/cluster-policy/autogen/).
 */
const AUTOGEN_CONTROLLERS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"];

/** The (group, resource) pairs a Kyverno policy's rules match, as Kyverno registers them in its webhooks. */
export function kyvernoPolicyRules(policy: PlannedResource): WebhookRule[] {
    const spec = (policy.inputs.spec ?? {}) as Values;
    const kinds = new Set<string>();
    for (const rule of Array.isArray(spec.rules) ? (spec.rules as Values[]) : []) {
        const match = (rule.match ?? {}) as Values;
        const filters = [...((match.any as Values[] | undefined) ?? []), ...((match.all as Values[] | undefined) ?? []), match];
        for (const f of filters) {
            const resources = (f.resources ?? {}) as Values;
            for (const k of Array.isArray(resources.kinds) ? resources.kinds : []) if (typeof k === "string") kinds.add(k);
        }
    }
    const annotations = ((metadataOf(policy).annotations ?? {}) as Values)["pod-policies.kyverno.io/autogen-controllers"];
    if (kinds.has("Pod") && annotations !== "none") {
        const controllers = typeof annotations === "string" ? annotations.split(",") : AUTOGEN_CONTROLLERS;
        for (const c of controllers) kinds.add(c.trim());
    }
    return [...kinds].flatMap((k) => {
        // `Kind`, `version/Kind` or `group/version/Kind` (Kyverno's kind selectors).
        const parts = k.split("/");
        const kind = parts[parts.length - 1];
        const workload = WORKLOAD_RESOURCES[kind];
        const group = parts.length === 3 ? parts[0] : (workload?.group ?? "");
        return kind === "*" ? [] : [{ group, resource: pluralOf(kind), operations: ["CREATE", "UPDATE"] }];
    });
}

/** A webhook that may reject a create: registered by a release's chart, or by Kyverno for a policy. */
interface ActiveWebhook {
    readonly release: PlannedResource;
    readonly webhook: ChartWebhook;
    readonly chart: string;
    readonly waits: boolean;
    /** Kyverno's: the policy that makes Kyverno register it; it exists only once the policy does. */
    readonly policy?: PlannedResource;
    /** Namespaces it never intercepts. */
    readonly excludedNamespaces: readonly string[];
}

export const kubernetesAdmission: RehearsalCheck = {
    name: NAME,
    description:
        "Kubernetes admission at apply time: CRD before custom resource, namespace before namespaced object, webhooks with ready pods before what they intercept, Pod Security of declared pods",
    run(context: RehearsalContext) {
        const findings: RehearsalFinding[] = [];
        const kube = context.steps.map((s) => s.resource).filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:"));
        const releases = kube.filter((r) => r.type === RELEASE_TYPE);
        const namespaces = kube.filter((r) => r.type === NAMESPACE_TYPE);
        const namespaceOptsIn = (namespace: string | undefined, labelKey: string): boolean => {
            const ns = namespaces.find((n) => metadataOf(n).name === namespace);
            const labels = ((ns ? metadataOf(ns).labels : undefined) ?? {}) as Values;
            return labels[labelKey] === "enabled";
        };
        const emit = (r: PlannedResource, why: string, source: string): void => {
            findings.push({ step: context.stepOf.get(r.urn)?.index ?? 0, urn: r.urn, check: NAME, why, source });
        };

        // Who installs which CRD group: releases (not with skipCrds), EKS add-ons, CRDs the plan creates.
        const crdProviders = new Map<string, PlannedResource[]>();
        const provide = (group: string, r: PlannedResource): void => void crdProviders.set(group, [...(crdProviders.get(group) ?? []), r]);
        for (const r of releases) {
            if (r.inputs.skipCrds === true) continue;
            chartFactsOf(r.inputs)
                .facts?.crdGroups(valuesOf(r))
                .forEach((g) => provide(g, r));
        }
        for (const step of context.steps) {
            const r = step.resource;
            if (r.type === "aws:eks/addon:Addon") (ADDON_CRD_GROUPS[String(r.inputs.addonName)] ?? []).forEach((g) => provide(g, r));
            if (r.type === CRD_TYPE) {
                const spec = (r.inputs.spec ?? {}) as Values;
                if (typeof spec.group === "string") provide(spec.group, r);
            }
        }

        // Webhooks the releases register, with whether each release waits for its pods.
        const webhooks: ActiveWebhook[] = releases.flatMap((release) => {
            const { facts, name, version } = chartFactsOf(release.inputs);
            const values = valuesOf(release);
            return (facts?.webhooks ?? [])
                .filter((w) => w.enabled(values) && w.failurePolicy(values) === "Fail")
                .map((webhook) => ({
                    release,
                    webhook,
                    chart: `${name} ${version}`,
                    waits: releaseWaits(release),
                    excludedNamespaces: [],
                }));
        });
        // Kyverno's resource webhooks, one per policy with failurePolicy Fail (the default), for the kinds it matches.
        for (const release of releases) {
            const { facts, name, version } = chartFactsOf(release.inputs);
            if (facts?.runtimeWebhooks?.kind !== "kyverno-policies") continue;
            const runtime = facts.runtimeWebhooks;
            const excluded = runtime.excludedNamespaces(valuesOf(release), String(release.inputs.namespace ?? "default"));
            for (const policy of kube.filter((p) => KYVERNO_POLICY_TYPES.has(p.type))) {
                const spec = (policy.inputs.spec ?? {}) as Values;
                const webhookConfiguration = (spec.webhookConfiguration ?? {}) as Values;
                const failurePolicy = webhookConfiguration.failurePolicy ?? spec.failurePolicy ?? "Fail";
                if (failurePolicy !== "Fail") continue;
                const policyNamespace = policy.type.endsWith(":Policy") ? String(metadataOf(policy).namespace ?? "default") : undefined;
                webhooks.push({
                    release,
                    policy,
                    chart: `${name} ${version}`,
                    waits: releaseWaits(release),
                    excludedNamespaces: excluded,
                    webhook: {
                        name: `validate.kyverno.svc-fail for ${label(policy)}${policyNamespace ? ` (namespace ${policyNamespace})` : ""}`,
                        rules: kyvernoPolicyRules(policy),
                        enabled: () => true,
                        failurePolicy: () => "Fail",
                        source: runtime.source,
                    },
                });
            }
        }

        const levels = new Map<string, PodSecurityLevel>();
        for (const ns of namespaces) {
            const meta = metadataOf(ns);
            const labels = (meta.labels ?? {}) as Values;
            const level = labels["pod-security.kubernetes.io/enforce"];
            if (typeof meta.name === "string") levels.set(meta.name, isPodSecurityLevel(level) ? level : "privileged");
        }

        for (const r of kube) {
            const api = apiOf(r.type);
            const meta = metadataOf(r);
            // 1. CRD before custom resource.
            if (api && r.type !== RELEASE_TYPE && !BUILT_IN_GROUPS.has(api.group)) {
                const providers = crdProviders.get(api.group) ?? [];
                if (providers.length === 0) {
                    emit(
                        r,
                        `${api.group}/${api.version} ${api.kind}: no CRD of group ${api.group} is installed by this stack (no release, add-on or CustomResourceDefinition provides it): the API server answers "no matches for kind" (${SOURCES.crd})`,
                        SOURCES.crd,
                    );
                } else if (!providers.some((p) => context.createdBefore(r.urn, p.urn))) {
                    emit(
                        r,
                        `${api.group}/${api.version} ${api.kind} may be applied before its CRD: it does not depend on ${providers.map(label).join(" or ")}, which installs group ${api.group}; the API server answers "no matches for kind" until the CRD is established (${SOURCES.crd})`,
                        SOURCES.crd,
                    );
                }
            }
            // 2. Namespace before namespaced object (a release's namespace, unless it creates it).
            const ns =
                r.type === RELEASE_TYPE
                    ? r.inputs.createNamespace === true
                        ? undefined
                        : String(r.inputs.namespace ?? "default")
                    : typeof meta.namespace === "string"
                      ? meta.namespace
                      : undefined;
            if (ns && !BUILT_IN_NAMESPACES.has(ns)) {
                const creators = [
                    ...namespaces.filter((n) => metadataOf(n).name === ns),
                    ...releases.filter((rel) => rel.inputs.createNamespace === true && rel.inputs.namespace === ns),
                ].filter((c) => c.urn !== r.urn);
                if (creators.length === 0) {
                    emit(
                        r,
                        `namespace "${ns}" is neither built in nor created by this stack: the API server answers 404 namespaces "${ns}" not found (${SOURCES.namespace})`,
                        SOURCES.namespace,
                    );
                } else if (!creators.some((c) => context.createdBefore(r.urn, c.urn))) {
                    emit(
                        r,
                        `namespace "${ns}" may not exist yet: it does not depend on ${creators.map(label).join(" or ")}; the API server answers 404 namespaces "${ns}" not found (${SOURCES.namespace})`,
                        SOURCES.namespace,
                    );
                }
            }
            // 3. Webhooks registered so far need ready pods before what they intercept.
            for (const target of interceptable(r)) {
                for (const w of webhooks) {
                    if (w.release.urn === r.urn || w.policy?.urn === r.urn || !intercepts(w.webhook, target.group, target.resource))
                        continue;
                    if (target.namespace !== undefined && w.excludedNamespaces.includes(target.namespace)) continue;
                    if (w.policy?.type.endsWith(":Policy") && target.namespace !== String(metadataOf(w.policy).namespace ?? "default"))
                        continue;
                    // An opt-in webhook intercepts only namespaces labelled for it (e.g. the LB controller's pod readiness gate).
                    if (w.webhook.optInNamespaceLabel && !namespaceOptsIn(target.namespace, w.webhook.optInNamespaceLabel)) continue;
                    const after = context.createdBefore(r.urn, w.release.urn);
                    if (after && w.waits) continue;
                    if (context.createdBefore(w.release.urn, r.urn)) continue;
                    // Kyverno registers a policy's webhook itself, once the policy exists: what comes before the policy is not
                    // intercepted, and when the policy waits for Kyverno's release, which waits for its pods, nothing created
                    // after it meets the webhook without ready pods. Only a policy that may exist before Kyverno is ready
                    // (the release does not wait, or the policy does not depend on it) leaves a window.
                    if (
                        w.policy &&
                        (context.createdBefore(w.policy.urn, r.urn) || (w.waits && context.createdBefore(w.policy.urn, w.release.urn)))
                    )
                        continue;
                    emit(
                        r,
                        `${target.what} (${target.group || "core"}/${target.resource}${target.namespace ? ` in ${target.namespace}` : ""}) may be created while ${label(w.release)} (${w.chart}) has registered webhook ${w.webhook.name} with failurePolicy Fail and its pods are not ready ` +
                            `(${after ? "it depends on the release, which does not wait for its pods (skipAwait)" : "it does not depend on that release"}): the API server rejects the create. ` +
                            `Order them: make it depend on the release (which waits for its pods)${w.policy ? ", or the policy on it" : ", or the release on it"}. Sources: ${w.webhook.source}; ${SOURCES.webhook}`,
                        w.webhook.source,
                    );
                }
            }
            // 4. Pod Security of pods the program declares, against their namespace's level.
            if (api) {
                const template = podTemplateOf(api.kind, r.inputs.spec);
                const namespace = typeof meta.namespace === "string" ? meta.namespace : "default";
                const level = levels.get(namespace) ?? "privileged";
                if (template) {
                    const violations = checkPodSecurity(template.spec, template.metadata, level);
                    if (violations.length > 0) {
                        emit(
                            r,
                            `its pods violate the "${level}" Pod Security level namespace "${namespace}" enforces: ${violations.map((v) => `${v.check}: ${v.message}`).join("; ")}; the API server rejects the pods (${SOURCES.pss})`,
                            SOURCES.pss,
                        );
                    }
                }
            }
        }
        return findings;
    },
};
