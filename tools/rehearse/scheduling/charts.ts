/**
 * Where each chart the platform installs puts its pods: for every workload a chart renders, which
 * values give its nodeSelector, tolerations and affinity at the pinned chart version, and the
 * chart's defaults for them (values.yaml), read from the chart's templates (cited per workload).
 * Helm coalesces the release's values over the defaults (maps merge, lists and scalars replace).
 * Pods the chart's software creates from its values (GitLab job pods from `config.toml`, Jenkins
 * agents) are modelled too. `npm run render -- --charts <dir>` checks every model against the real
 * rendered chart (`tools/render/check.ts`), so a model that drifts from its chart fails there.
 */
import { parse } from "smol-toml";
import { jenkinsAgentPods } from "../../render/jenkins-agents";
import type { PodSpecLike } from "../../render/pss";
import { runnerJobPods } from "../../render/runner-pods";
import { isTree, ValueTree } from "../../render/values";
import { Placement, placementOfSpec, requiredTermsOf, Toleration } from "./placement";

export interface ChartWorkload {
    /** Short id, e.g. `controller`, `webhook`. */
    readonly id: string;
    readonly kind: "Deployment" | "StatefulSet" | "DaemonSet" | "Job";
    /** The rendered name ends with this (`""`: the chart's full name). */
    readonly suffix: string;
    /** The chart template that renders it. */
    readonly template: string;
    /** Whether the values render it. @default always */
    readonly enabled?: (values: ValueTree) => boolean;
    /** Its scheduling fields, from the effective values (defaults coalesced). */
    readonly placement: (values: ValueTree) => Placement;
}

/** A pod the chart's software creates from the release's values. */
export interface SoftwarePod {
    readonly name: string;
    readonly namespace?: string;
    readonly spec: PodSpecLike;
    readonly annotations: Record<string, string>;
    readonly placement: Placement;
    readonly source: string;
}

export interface ChartModel {
    readonly chart: string;
    /** Chart versions whose templates the model was read from (inclusive minimum, exclusive maximum). */
    readonly versions: { readonly min: string; readonly below: string };
    /** Upstream repository and path of the chart. */
    readonly source: string;
    /** values.yaml defaults of the keys the model reads. */
    readonly defaults: ValueTree;
    readonly workloads: readonly ChartWorkload[];
    readonly softwarePods?: (values: ValueTree, namespace: string) => SoftwarePod[];
}

/** Helm's coalescing of user values over chart defaults: maps merge, everything else replaces, null deletes. */
export function coalesce(defaults: ValueTree, values: ValueTree): ValueTree {
    const out: ValueTree = { ...defaults };
    for (const [k, v] of Object.entries(values)) {
        if (v === null) delete out[k];
        else out[k] = isTree(v) && isTree(out[k]) ? coalesce(out[k] as ValueTree, v) : v;
    }
    return out;
}

function at(values: ValueTree, path: readonly string[]): unknown {
    let cur: unknown = values;
    for (const p of path) cur = isTree(cur) ? cur[p] : undefined;
    return cur;
}

function map(value: unknown): Record<string, string> {
    return isTree(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)])) : {};
}

function list(value: unknown): Toleration[] {
    return Array.isArray(value) ? (value as Toleration[]) : [];
}

/** sprig `empty`: nil, false, 0, "", and empty maps and lists. */
function empty(value: unknown): boolean {
    if (value === undefined || value === null || value === false || value === 0 || value === "") return true;
    if (Array.isArray(value)) return value.length === 0;
    return isTree(value) && Object.keys(value).length === 0;
}

/** `nodeSelector`, `tolerations`, `affinity` read at `path` (the common `{{- with .Values.x }}` pattern). */
function plainPlacement(path: readonly string[]): (values: ValueTree) => Placement {
    return (values) => ({
        nodeSelector: map(at(values, [...path, "nodeSelector"])),
        tolerations: list(at(values, [...path, "tolerations"])),
        requiredTerms: requiredTermsOf(at(values, [...path, "affinity"])),
    });
}

const LINUX = { "kubernetes.io/os": "linux" };

export const CHART_MODELS: readonly ChartModel[] = [
    {
        chart: "karpenter",
        versions: { min: "1.14.0", below: "1.15.0" },
        source: "aws/karpenter-provider-aws charts/karpenter",
        defaults: {
            nodeSelector: LINUX,
            // Never on a node Karpenter itself launched.
            affinity: {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [{ matchExpressions: [{ key: "karpenter.sh/nodepool", operator: "DoesNotExist" }] }],
                    },
                },
            },
            tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
        },
        workloads: [
            { id: "controller", kind: "Deployment", suffix: "", template: "templates/deployment.yaml", placement: plainPlacement([]) },
        ],
    },
    {
        chart: "karpenter-crd",
        versions: { min: "1.14.0", below: "1.15.0" },
        source: "aws/karpenter-provider-aws charts/karpenter-crd",
        defaults: {},
        workloads: [],
    },
    {
        chart: "cert-manager",
        versions: { min: "1.21.0", below: "1.22.0" },
        source: "cert-manager/cert-manager deploy/charts/cert-manager",
        defaults: {
            global: { nodeSelector: {} },
            nodeSelector: LINUX,
            tolerations: [],
            affinity: {},
            webhook: { nodeSelector: LINUX, tolerations: [], affinity: {} },
            cainjector: { enabled: true, nodeSelector: LINUX, tolerations: [], affinity: {} },
            startupapicheck: { enabled: true, nodeSelector: LINUX, tolerations: [], affinity: {} },
        },
        workloads: (
            [
                ["controller", "Deployment", "", [], "templates/deployment.yaml"],
                ["webhook", "Deployment", "-webhook", ["webhook"], "templates/webhook-deployment.yaml"],
                ["cainjector", "Deployment", "-cainjector", ["cainjector"], "templates/cainjector-deployment.yaml"],
                ["startupapicheck", "Job", "-startupapicheck", ["startupapicheck"], "templates/startupapicheck-job.yaml"],
            ] as const
        ).map(([id, kind, suffix, path, template]) => ({
            id,
            kind,
            suffix,
            template,
            enabled: path.length === 0 || path[0] === "webhook" ? undefined : (v: ValueTree) => at(v, [...path, "enabled"]) !== false,
            // `merge (global.nodeSelector) (<component>.nodeSelector)`: sprig's merge keeps the first map's keys.
            placement: (v: ValueTree) => ({
                ...plainPlacement(path)(v),
                nodeSelector: { ...map(at(v, [...path, "nodeSelector"])), ...map(at(v, ["global", "nodeSelector"])) },
            }),
        })),
    },
    {
        chart: "aws-load-balancer-controller",
        versions: { min: "3.5.0", below: "3.6.0" },
        source: "kubernetes-sigs/aws-load-balancer-controller helm/aws-load-balancer-controller",
        // Without `affinity`, the template adds only a preferred pod anti-affinity (configureDefaultAffinity).
        defaults: { nodeSelector: {}, tolerations: [], affinity: {} },
        workloads: [
            { id: "controller", kind: "Deployment", suffix: "", template: "templates/deployment.yaml", placement: plainPlacement([]) },
        ],
    },
    {
        chart: "aws-privateca-issuer",
        versions: { min: "1.9.0", below: "1.10.0" },
        source: "cert-manager/aws-privateca-issuer charts/aws-pca-issuer",
        defaults: {
            nodeSelector: {},
            tolerations: [],
            affinity: {
                nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                        nodeSelectorTerms: [
                            {
                                matchExpressions: [
                                    { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
                                    { key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] },
                                ],
                            },
                        ],
                    },
                },
            },
        },
        workloads: [
            { id: "controller", kind: "Deployment", suffix: "", template: "templates/deployment.yaml", placement: plainPlacement([]) },
        ],
    },
    {
        chart: "external-secrets",
        versions: { min: "2.9.0", below: "2.10.0" },
        source: "external-secrets/external-secrets deploy/charts/external-secrets",
        defaults: {
            global: { nodeSelector: {}, tolerations: [], affinity: {} },
            nodeSelector: {},
            tolerations: [],
            affinity: {},
            createOperator: true,
            webhook: { create: true, nodeSelector: {}, tolerations: [], affinity: {}, certManager: { enabled: false } },
            certController: { create: true, nodeSelector: {}, tolerations: [], affinity: {} },
        },
        workloads: (
            [
                ["controller", "", [], "templates/deployment.yaml", (v: ValueTree) => at(v, ["createOperator"]) !== false],
                [
                    "webhook",
                    "-webhook",
                    ["webhook"],
                    "templates/webhook-deployment.yaml",
                    (v: ValueTree) => at(v, ["webhook", "create"]) !== false,
                ],
                [
                    "cert-controller",
                    "-cert-controller",
                    ["certController"],
                    "templates/cert-controller-deployment.yaml",
                    (v: ValueTree) =>
                        at(v, ["certController", "create"]) !== false && at(v, ["webhook", "certManager", "enabled"]) !== true,
                ],
            ] as const
        ).map(([id, suffix, path, template, enabled]) => ({
            id,
            kind: "Deployment" as const,
            suffix,
            template,
            enabled,
            // `{{- with .Values.<c>.x | default .Values.global.x }}`: the global value when the component's is empty.
            placement: (v: ValueTree) => {
                const pick = (key: string): unknown => {
                    const own = at(v, [...path, key]);
                    return empty(own) ? at(v, ["global", key]) : own;
                };
                return {
                    nodeSelector: map(pick("nodeSelector")),
                    tolerations: list(pick("tolerations")),
                    requiredTerms: requiredTermsOf(pick("affinity")),
                };
            },
        })),
    },
    {
        chart: "gitlab-runner",
        versions: { min: "0.68.0", below: "0.94.0" },
        source: "gitlab-org/charts/gitlab-runner",
        defaults: { nodeSelector: {}, tolerations: [], affinity: {} },
        workloads: [
            { id: "manager", kind: "Deployment", suffix: "", template: "templates/deployment.yaml", placement: plainPlacement([]) },
        ],
        softwarePods: (values, namespace) => {
            const config = isTree(values.runners) ? values.runners.config : undefined;
            if (typeof config !== "string") return [];
            const toml = parse(config) as { runners?: Array<{ kubernetes?: Record<string, unknown> }> };
            const jobs = runnerJobPods(config);
            return (toml.runners ?? [])
                .filter((r) => r.kubernetes !== undefined)
                .map((r, i) => {
                    const k = r.kubernetes ?? {};
                    // `node_tolerations = { "key=value" = "Effect" }`; a key without `=value` is operator Exists,
                    // an empty effect matches every effect (gitlab-runner executors/kubernetes `getTolerations`).
                    const tolerations = Object.entries(isTree(k.node_tolerations) ? k.node_tolerations : {}).map(([kv, effect]) => {
                        const [key, value] = kv.split("=", 2);
                        return value === undefined
                            ? { key, operator: "Exists", ...(effect ? { effect: String(effect) } : {}) }
                            : { key, operator: "Equal", value, ...(effect ? { effect: String(effect) } : {}) };
                    });
                    return {
                        name: `job pod of ${jobs[i]?.runner ?? `runners[${i}]`} (config.toml)`,
                        namespace: typeof k.namespace === "string" ? k.namespace : namespace,
                        spec: jobs[i]?.spec ?? {},
                        annotations: map(k.pod_annotations),
                        placement: { nodeSelector: map(k.node_selector), tolerations },
                        source: "gitlab-runner executors/kubernetes (node_selector, node_tolerations)",
                    };
                });
        },
    },
    {
        chart: "piraeus",
        versions: { min: "2.6.0", below: "2.9.0" },
        source: "piraeusdatastore/piraeus-operator charts/piraeus",
        defaults: {
            nodeSelector: {},
            tolerations: [
                { key: "drbd.linbit.com/lost-quorum", effect: "NoSchedule" },
                { key: "drbd.linbit.com/force-io-error", effect: "NoSchedule" },
            ],
            affinity: {},
        },
        workloads: [
            {
                id: "operator",
                kind: "Deployment",
                suffix: "-controller-manager",
                template: "templates/deployment.yaml",
                placement: plainPlacement([]),
            },
        ],
    },
    {
        chart: "jenkins",
        versions: { min: "5.9.0", below: "5.10.0" },
        source: "jenkinsci/helm-charts charts/jenkins",
        defaults: { controller: { nodeSelector: {}, tolerations: [], affinity: {} }, agent: { nodeSelector: {} } },
        workloads: [
            {
                id: "controller",
                kind: "StatefulSet",
                suffix: "",
                template: "templates/jenkins-controller-statefulset.yaml",
                placement: plainPlacement(["controller"]),
            },
        ],
        softwarePods: (values, namespace) => {
            const agent = isTree(values.agent) ? values.agent : {};
            const agentNamespace = typeof agent.namespace === "string" ? agent.namespace : namespace;
            // The kubernetes plugin merges the chart's `agent.nodeSelector` (templates/_helpers.tpl) with the pod YAML.
            const chartSelector = map(agent.nodeSelector);
            return jenkinsAgentPods(values).map((a) => {
                const own = placementOfSpec(a.spec);
                return {
                    name: a.name,
                    namespace: agentNamespace,
                    spec: a.spec,
                    annotations: a.annotations,
                    placement: { ...own, nodeSelector: { ...chartSelector, ...own.nodeSelector } },
                    source: "jenkins chart agent.podTemplates (kubernetes plugin)",
                };
            });
        },
    },
    {
        chart: "kyverno",
        versions: { min: "3.9.0", below: "3.10.0" },
        source: "kyverno/kyverno charts/kyverno",
        defaults: {
            global: { nodeSelector: LINUX, tolerations: [] },
            admissionController: { nodeSelector: {}, tolerations: [], nodeAffinity: {} },
            backgroundController: { enabled: true, nodeSelector: {}, tolerations: [], nodeAffinity: {} },
            cleanupController: { enabled: true, nodeSelector: {}, tolerations: [], nodeAffinity: {} },
            reportsController: { enabled: true, nodeSelector: {}, tolerations: [], nodeAffinity: {} },
            crds: { migration: { enabled: true, nodeSelector: {}, tolerations: [], nodeAffinity: {} } },
            webhooksCleanup: { enabled: true, nodeSelector: {}, tolerations: [], nodeAffinity: {} },
        },
        // The hook Jobs (post-upgrade migration, pre-delete webhook cleanup) run on upgrade and uninstall, not on a first
        // install, but `helm template` renders them and they must find a node then: modelled too. Test pods run only on `helm test`.
        workloads: (
            [
                ["admission-controller", "Deployment", ["admissionController"], "templates/admission-controller/deployment.yaml", false],
                ["background-controller", "Deployment", ["backgroundController"], "templates/background-controller/deployment.yaml", true],
                ["cleanup-controller", "Deployment", ["cleanupController"], "templates/cleanup-controller/deployment.yaml", true],
                ["reports-controller", "Deployment", ["reportsController"], "templates/reports-controller/deployment.yaml", true],
                ["migrate-resources", "Job", ["crds", "migration"], "templates/hooks/post-upgrade-migrate-resources.yaml", true],
                ["rm-webhooks", "Job", ["webhooksCleanup"], "templates/hooks/pre-delete-remove-webhooks.yaml", true],
                ["scale-to-zero", "Job", ["webhooksCleanup"], "templates/hooks/pre-delete-scale-to-zero.yaml", true],
            ] as const
        ).map(([id, kind, key, template, optional]) => ({
            id,
            kind,
            suffix: `-${id}`,
            template,
            // `{{- if .Values.<c>.enabled }}` around the optional ones; the admission controller always renders.
            enabled: optional ? (v: ValueTree) => at(v, [...key, "enabled"]) === true : undefined,
            // `with .Values.<c>.nodeSelector | default .Values.global.nodeSelector` (same for tolerations); the affinity
            // block renders `<c>.nodeAffinity` as the node affinity whenever it is set.
            placement: (v: ValueTree) => {
                const pick = (k: string): unknown => {
                    const own = at(v, [...key, k]);
                    return empty(own) ? at(v, ["global", k]) : own;
                };
                return {
                    nodeSelector: map(pick("nodeSelector")),
                    tolerations: list(pick("tolerations")),
                    requiredTerms: requiredTermsOf({ nodeAffinity: at(v, [...key, "nodeAffinity"]) }),
                };
            },
        })),
    },
    {
        chart: "kyverno-notation-aws",
        versions: { min: "1.1.0", below: "1.2.0" },
        source: "nirmata/kyverno-notation-aws charts/kyverno-notation-aws",
        defaults: { nodeSelector: {}, tolerations: [], affinity: {} },
        workloads: [
            { id: "controller", kind: "Deployment", suffix: "", template: "templates/deployment.yaml", placement: plainPlacement([]) },
        ],
    },
    {
        chart: "falco",
        versions: { min: "9.1.0", below: "9.2.0" },
        source: "falcosecurity/charts charts/falco",
        defaults: {
            controller: { kind: "daemonset" },
            nodeSelector: {},
            // Only the control plane's taints: on EKS every other tainted node kind needs the release's own tolerations.
            tolerations: [
                { effect: "NoSchedule", key: "node-role.kubernetes.io/master" },
                { effect: "NoSchedule", key: "node-role.kubernetes.io/control-plane" },
            ],
            affinity: {},
        },
        // One pod template (templates/pod-template.tpl: `with .Values.nodeSelector`, `.affinity`, `.tolerations`) for either controller kind.
        // The falcosidekick, k8s-metacollector and falco-talon subcharts are off by default (Chart.yaml conditions); the platform installs falcosidekick itself.
        workloads: [
            {
                id: "daemonset",
                kind: "DaemonSet",
                suffix: "",
                template: "templates/daemonset.yaml",
                enabled: (v: ValueTree) => at(v, ["controller", "kind"]) === "daemonset",
                placement: plainPlacement([]),
            },
            {
                id: "deployment",
                kind: "Deployment",
                suffix: "",
                template: "templates/deployment.yaml",
                enabled: (v: ValueTree) => at(v, ["controller", "kind"]) === "deployment",
                placement: plainPlacement([]),
            },
        ],
    },
    {
        chart: "falcosidekick",
        versions: { min: "0.14.0", below: "0.15.0" },
        source: "falcosecurity/charts charts/falcosidekick",
        defaults: {
            nodeSelector: {},
            tolerations: [],
            affinity: {},
            webui: {
                enabled: false,
                nodeSelector: {},
                tolerations: [],
                affinity: {},
                redis: { enabled: true, nodeSelector: {}, tolerations: [], affinity: {} },
            },
        },
        workloads: [
            { id: "falcosidekick", kind: "Deployment", suffix: "", template: "templates/deployment.yaml", placement: plainPlacement([]) },
            {
                id: "ui",
                kind: "Deployment",
                suffix: "-ui",
                template: "templates/deployment-ui.yaml",
                enabled: (v: ValueTree) => at(v, ["webui", "enabled"]) === true,
                placement: plainPlacement(["webui"]),
            },
            {
                id: "ui-redis",
                kind: "StatefulSet",
                suffix: "-ui-redis",
                template: "templates/deployment-ui.yaml",
                enabled: (v: ValueTree) => at(v, ["webui", "enabled"]) === true && at(v, ["webui", "redis", "enabled"]) === true,
                placement: plainPlacement(["webui", "redis"]),
            },
        ],
    },
    {
        chart: "policy-reporter",
        versions: { min: "3.9.1", below: "3.10.0" },
        source: "kyverno/policy-reporter charts/policy-reporter",
        defaults: {
            nodeSelector: {},
            tolerations: [],
            affinity: {},
            ui: { enabled: false, nodeSelector: {}, tolerations: [], affinity: {} },
            plugin: {
                kyverno: { enabled: false, nodeSelector: {}, tolerations: [], affinity: {} },
                trivy: { enabled: false, nodeSelector: {}, tolerations: [], affinity: {} },
            },
            emailReports: { summary: { enabled: false }, violations: { enabled: false } },
        },
        workloads: [
            { id: "policy-reporter", kind: "Deployment", suffix: "", template: "templates/deployment.yaml", placement: plainPlacement([]) },
            ...(
                [
                    ["ui", "-ui", ["ui"], "templates/ui/deployment.yaml"],
                    ["kyverno-plugin", "-kyverno-plugin", ["plugin", "kyverno"], "templates/plugins/kyverno/deployment.yaml"],
                    ["trivy-plugin", "-trivy-plugin", ["plugin", "trivy"], "templates/plugins/trivy/deployment.yaml"],
                ] as const
            ).map(([id, suffix, path, template]) => ({
                id,
                kind: "Deployment" as const,
                suffix,
                template,
                enabled: (v: ValueTree) => at(v, [...path, "enabled"]) === true,
                placement: plainPlacement(path),
            })),
            // The e-mail reports are CronJobs whose pod templates take the top-level nodeSelector/affinity/tolerations.
            ...(
                [
                    ["summary-report", "summary", "templates/cronjob-summary-report.yaml"],
                    ["violations-report", "violations", "templates/cronjob-violations-report.yaml"],
                ] as const
            ).map(([id, key, template]) => ({
                id,
                kind: "Job" as const,
                suffix: `-${id}`,
                template,
                enabled: (v: ValueTree) => at(v, ["emailReports", key, "enabled"]) === true,
                placement: plainPlacement([]),
            })),
        ],
    },
];

function versionParts(version: string): number[] {
    return version
        .replace(/^v/, "")
        .split(/[.+-]/)
        .slice(0, 3)
        .map((p) => Number.parseInt(p, 10) || 0);
}

/** a < b, comparing major.minor.patch. */
function versionBelow(a: string, b: string): boolean {
    const [x, y] = [versionParts(a), versionParts(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i];
    return false;
}

/** The model of a chart at a version, or why there is none. */
export function chartModel(chart: string, version: string): { model: ChartModel } | { problem: string } {
    const candidates = CHART_MODELS.filter((m) => m.chart === chart);
    if (candidates.length === 0) return { problem: `no placement model of chart ${chart}: add one to tools/rehearse/scheduling/charts.ts` };
    const model = candidates.find((m) => !versionBelow(version, m.versions.min) && versionBelow(version, m.versions.below));
    if (!model)
        return {
            problem: `no placement model of chart ${chart} at ${version} (modelled: ${candidates
                .map((m) => `${m.versions.min} to below ${m.versions.below}`)
                .join(", ")}): read its templates at that version and extend the model`,
        };
    return { model };
}

/** The chart name of a release's `chart` input (`oci://…/karpenter` → `karpenter`). */
export function chartNameOf(chart: string): string {
    return chart.split("/").pop() ?? chart;
}
