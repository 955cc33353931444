/**
 * The render check over a plan: for each Helm release, its chart (found or not), the value keys
 * the chart does not have, the pods (chart-rendered, project-defined, runner job pods from
 * `config.toml`, Jenkins agent pod templates) that the Pod Security level of their namespace
 * rejects, and the custom resources whose CRD nothing they depend on installs. Charts come from a
 * `ChartSource`, so the logic is tested with fixtures and no helm.
 */
import {
    apiString,
    ApiKind,
    checkCrdCoverage,
    CrdFinding,
    CrdProvider,
    crdKinds,
    CustomResourceUse,
    dependencyClosure,
    ADDON_CRDS,
    BUILT_IN_GROUPS,
    parseApiVersion,
} from "./crds";
import { ChartRef, chartRefOf } from "./charts";
import { checkPod, PodSecurityLevel, PodSpecLike, PodTemplate, podTemplates, PssFinding } from "./pss";
import { jenkinsAgentPods } from "./jenkins-agents";
import { placementModelProblems } from "./placement-models";
import { runnerJobPods } from "./runner-pods";
import { ChartValueFacts, isTree, unknownValueKeys, ValueTree } from "./values";

/** The parts of a plan file (version 1) the check reads. */
export interface PlanLike {
    readonly stack: string;
    readonly resources: ReadonlyArray<{
        urn: string;
        type: string;
        name: string;
        parent: string | null;
        dependsOn: readonly string[];
        inputs: Record<string, unknown>;
    }>;
}

/** A chart ready to render, or why there is none. */
export type LoadedChart =
    | {
          readonly found: true;
          /** The version rendered (differs from the pin when only a nearest version is stored). */
          readonly version: string;
          readonly facts: ChartValueFacts;
          readonly render: (
              values: ValueTree,
              namespace: string,
              includeCrds: boolean,
          ) => { docs?: Array<Record<string, unknown>>; error?: string };
      }
    | { readonly found: false; readonly error: string; readonly unverified?: boolean };

export type ChartSource = (ref: ChartRef, releaseName: string) => LoadedChart;

export interface PodFinding {
    readonly release: string;
    readonly pod: string;
    readonly namespace: string;
    readonly level: PodSecurityLevel;
    readonly findings: readonly PssFinding[];
}

export interface ReleaseReport {
    readonly release: string;
    readonly chart: string;
    readonly pinned: string;
    readonly rendered?: string;
    readonly namespace: string;
    readonly level: PodSecurityLevel;
    /** Chart missing or failing to render. */
    readonly error?: string;
    /** The chart could not be looked at (not stored locally): neither passed nor failed. */
    readonly unverified?: boolean;
    readonly unknownKeys: readonly string[];
    readonly pods: number;
    readonly podViolations: readonly PodFinding[];
    /** Where the scheduling check's placement model of the chart disagrees with the rendered chart (with `placementModels`). */
    readonly placementProblems?: readonly string[];
}

export interface CheckOptions {
    /** Cross-check the scheduling check's per-chart placement models against the rendered charts. @default false */
    readonly placementModels?: boolean;
}

export interface RenderReport {
    readonly stack: string;
    readonly releases: readonly ReleaseReport[];
    /** Pods the project defines itself (not from a chart). */
    readonly projectPods: { readonly checked: number; readonly violations: readonly PodFinding[] };
    readonly crdFindings: readonly CrdFinding[];
    readonly failed: boolean;
}

const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";
const WORKLOAD_TYPES = new Set([
    "core/v1:Pod",
    "apps/v1:Deployment",
    "apps/v1:StatefulSet",
    "apps/v1:DaemonSet",
    "apps/v1:ReplicaSet",
    "batch/v1:Job",
    "batch/v1:CronJob",
]);

/** `kubernetes:<group>/<version>:<Kind>` → the API kind (`core` is the empty group). */
export function apiOfType(type: string): ApiKind | undefined {
    const m = /^kubernetes:([^:]+)\/([^/:]+):(\w+)$/.exec(type);
    if (!m) return undefined;
    return { group: m[1] === "core" ? "" : m[1], version: m[2], kind: m[3] };
}

/** Pod Security level each namespace enforces (`privileged` where unlabelled: the EKS default). */
/** The EKS cluster types whose `version` input is the Kubernetes version the stack pins (`cluster:kubernetesVersion`). */
const CLUSTER_TYPES = new Set(["eks:index:Cluster", "aws:eks/cluster:Cluster"]);

/**
 * The Kubernetes version to render for: the one the plan's EKS cluster runs, which comes from the stack's
 * `cluster:kubernetesVersion` (so the stack config stays the one source of truth). Throws when the plan has no
 * cluster or clusters of different versions: the caller must then be told to pass one.
 */
export function clusterKubeVersion(plan: PlanLike): string {
    const versions = new Set(
        plan.resources
            .filter((r) => CLUSTER_TYPES.has(r.type) && typeof r.inputs.version === "string")
            .map((r) => r.inputs.version as string),
    );
    if (versions.size !== 1) {
        throw new Error(
            versions.size === 0
                ? `the plan of ${plan.stack} has no EKS cluster (${[...CLUSTER_TYPES].join(" or ")}) with a version to render for`
                : `the plan of ${plan.stack} has clusters of versions ${[...versions].sort().join(", ")}`,
        );
    }
    return [...versions][0];
}

export function namespaceLevels(plan: PlanLike): Map<string, PodSecurityLevel> {
    const levels = new Map<string, PodSecurityLevel>();
    for (const r of plan.resources.filter((x) => x.type === NAMESPACE_TYPE)) {
        const metadata = isTree(r.inputs.metadata) ? r.inputs.metadata : {};
        const labels = isTree(metadata.labels) ? metadata.labels : {};
        const level = labels["pod-security.kubernetes.io/enforce"];
        if (typeof metadata.name === "string")
            levels.set(metadata.name, level === "restricted" || level === "baseline" ? level : "privileged");
    }
    return levels;
}

function judge(
    release: string,
    pod: string,
    namespace: string,
    levels: Map<string, PodSecurityLevel>,
    spec: PodSpecLike,
    annotations: Record<string, string>,
): PodFinding | undefined {
    const level = levels.get(namespace) ?? "privileged";
    const findings = checkPod(spec, level, annotations);
    return findings.length > 0 ? { release, pod, namespace, level, findings } : undefined;
}

/** Runs every check over a plan with charts from `source`. */
export function checkPlan(plan: PlanLike, source: ChartSource, options: CheckOptions = {}): RenderReport {
    const levels = namespaceLevels(plan);
    const closure = dependencyClosure(plan.resources);
    const providers: CrdProvider[] = [];
    const uses: CustomResourceUse[] = [];
    const releases: ReleaseReport[] = [];

    for (const r of plan.resources) {
        if (r.type === NAMESPACE_TYPE || r.type === RELEASE_TYPE) continue;
        if (r.type === "aws:eks/addon:Addon") {
            const kinds = ADDON_CRDS[String(r.inputs.addonName)];
            if (kinds) providers.push({ urn: r.urn, label: `add-on ${String(r.inputs.addonName)}`, kinds });
            continue;
        }
        const api =
            apiOfType(r.type) ??
            (r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResource"
                ? parseApiVersion(String(r.inputs.apiVersion), String(r.inputs.kind))
                : undefined);
        if (!api) continue;
        if (r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition") {
            providers.push({ urn: r.urn, label: `CRD ${r.name}`, kinds: crdKinds(r.inputs as Parameters<typeof crdKinds>[0]) });
            continue;
        }
        if (!BUILT_IN_GROUPS.has(api.group)) uses.push({ label: `${api.kind} ${r.name}`, api, dependsOn: closure.get(r.urn) ?? new Set() });
    }

    // Pods the project defines itself.
    const projectViolations: PodFinding[] = [];
    let projectChecked = 0;
    for (const r of plan.resources) {
        const api = apiOfType(r.type);
        if (!api || !WORKLOAD_TYPES.has(`${api.group || "core"}/${api.version}:${api.kind}`)) continue;
        for (const t of podTemplates({
            kind: api.kind,
            metadata: r.inputs.metadata as PodTemplate["annotations"] & { name?: string },
            spec: r.inputs.spec as Record<string, unknown>,
        })) {
            projectChecked++;
            const namespace = t.namespace ?? "default";
            const found = judge("(project)", `${t.kind} ${t.name || r.name}`, namespace, levels, t.spec, t.annotations);
            if (found) projectViolations.push(found);
        }
    }

    for (const r of plan.resources.filter((x) => x.type === RELEASE_TYPE)) {
        const ref = chartRefOf(r.inputs);
        const namespace = String(r.inputs.namespace ?? "default");
        const level = levels.get(namespace) ?? "privileged";
        const values = isTree(r.inputs.values) ? r.inputs.values : {};
        const base = {
            release: r.name,
            chart: ref.repository ? `${ref.repository}/${ref.name}` : ref.name,
            pinned: ref.version,
            namespace,
            level,
        };
        const loaded = source(ref, r.name);
        if (!loaded.found) {
            releases.push({ ...base, error: loaded.error, unverified: loaded.unverified, unknownKeys: [], pods: 0, podViolations: [] });
            continue;
        }
        const unknownKeys = unknownValueKeys(values, loaded.facts);
        const rendered = loaded.render(values, namespace, r.inputs.skipCrds !== true);
        if (!rendered.docs) {
            releases.push({ ...base, rendered: loaded.version, error: rendered.error, unknownKeys, pods: 0, podViolations: [] });
            continue;
        }
        const podViolations: PodFinding[] = [];
        let pods = 0;
        const kinds: ApiKind[] = [];
        for (const doc of rendered.docs) {
            const kind = String(doc.kind);
            if (kind === "CustomResourceDefinition") kinds.push(...crdKinds(doc as Parameters<typeof crdKinds>[0]));
            const api = parseApiVersion(String(doc.apiVersion ?? ""), kind);
            const metadata = isTree(doc.metadata) ? doc.metadata : {};
            if (!BUILT_IN_GROUPS.has(api.group))
                uses.push({
                    label: `${kind} ${String(metadata.name)} (rendered by ${r.name})`,
                    api,
                    dependsOn: closure.get(r.urn) ?? new Set(),
                    providedBy: r.urn,
                });
            for (const t of podTemplates(doc)) {
                pods++;
                const found = judge(r.name, `${t.kind} ${t.name}`, t.namespace ?? namespace, levels, t.spec, t.annotations);
                if (found) podViolations.push(found);
            }
        }
        providers.push({ urn: r.urn, label: `release ${r.name}`, kinds });
        // Pods the chart's software creates from its configuration.
        const runnerConfig = isTree(values.runners) ? values.runners.config : undefined;
        if (ref.name === "gitlab-runner" && typeof runnerConfig === "string") {
            for (const job of runnerJobPods(runnerConfig)) {
                pods++;
                const found = judge(r.name, `job pod of ${job.runner} (config.toml)`, job.namespace ?? namespace, levels, job.spec, {});
                if (found) podViolations.push(found);
            }
        }
        if (ref.name === "jenkins") {
            const agentNamespace = isTree(values.agent) && typeof values.agent.namespace === "string" ? values.agent.namespace : namespace;
            for (const agent of jenkinsAgentPods(values)) {
                pods++;
                const found = judge(r.name, agent.name, agentNamespace, levels, agent.spec, agent.annotations);
                if (found) podViolations.push(found);
            }
        }
        const placementProblems = options.placementModels
            ? placementModelProblems(ref.name, loaded.version, values, rendered.docs)
            : undefined;
        releases.push({
            ...base,
            rendered: loaded.version,
            unknownKeys,
            pods,
            podViolations,
            ...(placementProblems ? { placementProblems } : {}),
        });
    }

    const crdFindings = checkCrdCoverage(uses, providers);
    const failed =
        releases.some(
            (r) =>
                (r.error !== undefined && !r.unverified) ||
                r.unknownKeys.length > 0 ||
                r.podViolations.length > 0 ||
                (r.placementProblems ?? []).length > 0,
        ) ||
        projectViolations.length > 0 ||
        crdFindings.length > 0;
    return { stack: plan.stack, releases, projectPods: { checked: projectChecked, violations: projectViolations }, crdFindings, failed };
}

/** The report as text: one row per release, then every finding. */
export function formatReport(report: RenderReport): string {
    const rows = report.releases.map((r) => {
        const version = r.rendered && r.rendered !== r.pinned ? `${r.pinned} (rendered ${r.rendered}, nearest stored)` : r.pinned;
        const status = r.unverified
            ? "UNVERIFIED"
            : r.error
              ? "FAIL"
              : r.unknownKeys.length + r.podViolations.length + (r.placementProblems ?? []).length > 0
                ? "FAIL"
                : "ok";
        return [
            r.release,
            `${r.chart}@${version}`,
            `${r.namespace} (${r.level})`,
            String(r.pods),
            String(r.podViolations.length),
            String(r.unknownKeys.length),
            status,
        ];
    });
    const header = ["release", "chart", "namespace (Pod Security)", "pods", "PSS violations", "unknown keys", "result"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (cells: string[]): string =>
        cells
            .map((c, i) => c.padEnd(widths[i]))
            .join("  ")
            .trimEnd();
    const out = [`Render check of stack "${report.stack}"`, line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
    out.push("");
    for (const r of report.releases) {
        if (r.rendered && r.rendered !== r.pinned)
            out.push(`note: ${r.release}: chart ${r.chart} ${r.pinned} is not stored; rendered the nearest stored version ${r.rendered}`);
        if (r.error) out.push(`${r.unverified ? "unverified" : "error"}: ${r.release}: ${r.error}`);
        for (const k of r.unknownKeys)
            out.push(`unknown value key: ${r.release}: ${k} does not exist in chart ${r.chart}@${r.rendered ?? r.pinned}`);
        for (const p of r.placementProblems ?? []) out.push(`placement model: ${r.release}: ${p}`);
        for (const p of r.podViolations)
            for (const f of p.findings)
                out.push(`pod security: ${r.release}: ${p.pod} in ${p.namespace} (${p.level}): ${f.check}: ${f.detail}`);
    }
    for (const p of report.projectPods.violations)
        for (const f of p.findings) out.push(`pod security: ${p.pod} in ${p.namespace} (${p.level}): ${f.check}: ${f.detail}`);
    for (const c of report.crdFindings) out.push(`crd: ${c.resource} (${c.api}): ${c.problem}`);
    const psCount = report.releases.reduce((n, r) => n + r.podViolations.length, 0) + report.projectPods.violations.length;
    const keyCount = report.releases.reduce((n, r) => n + r.unknownKeys.length, 0);
    const unverified = report.releases.filter((r) => r.unverified).length;
    const modelled = report.releases.filter((r) => r.placementProblems !== undefined);
    const placementCount = modelled.reduce((n, r) => n + (r.placementProblems ?? []).length, 0);
    out.push(
        `Summary: ${report.releases.length} releases, ${report.releases.reduce((n, r) => n + r.pods, 0) + report.projectPods.checked} pods checked; ` +
            `${psCount} Pod Security violation(s), ${keyCount} unknown value key(s), ${report.crdFindings.length} CRD finding(s), ` +
            `${report.releases.filter((r) => r.error && !r.unverified).length} chart error(s)${unverified > 0 ? `, ${unverified} release(s) unverified (chart not available)` : ""}` +
            `${modelled.length > 0 ? `; placement models of ${modelled.length} release(s) checked against the rendered charts: ${placementCount} difference(s)` : ""}.`,
    );
    return out.join("\n");
}

export { apiString, jenkinsAgentPods };
