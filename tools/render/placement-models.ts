/**
 * Cross-check of the scheduling check's per-chart placement models (tools/rehearse/scheduling/charts.ts)
 * against the real rendered chart: every workload the chart renders must be modelled, every
 * modelled workload the values enable must be rendered, and the nodeSelector, tolerations and
 * required node affinity the model predicts must be what the chart renders.
 */
import { chartModel, coalesce } from "../rehearse/scheduling/charts";
import { placementOfSpec, Placement } from "../rehearse/scheduling/placement";
import { podTemplates } from "./pss";
import { isTree, ValueTree } from "./values";

/** JSON with object keys sorted, so equal structures compare equal. */
function canonical(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    if (isTree(value))
        return `{${Object.keys(value)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
            .join(",")}}`;
    return JSON.stringify(value);
}

function differences(predicted: Placement, rendered: Placement): string[] {
    const out: string[] = [];
    for (const field of ["nodeSelector", "tolerations", "requiredTerms"] as const) {
        const [p, r] = [canonical(predicted[field] ?? null), canonical(rendered[field] ?? null)];
        if (p !== r) out.push(`${field === "requiredTerms" ? "required node affinity" : field}: model ${p}, chart ${r}`);
    }
    return out;
}

/** Helm test hooks run only on `helm test`, never on install. */
function isTestHook(doc: Record<string, unknown>): boolean {
    const metadata = isTree(doc.metadata) ? doc.metadata : {};
    const annotations = isTree(metadata.annotations) ? metadata.annotations : {};
    return String(annotations["helm.sh/hook"] ?? "")
        .split(",")
        .some((h) => h.trim().startsWith("test"));
}

/** Where the model of `chart` at `version` disagrees with the chart rendered with `values`. */
export function placementModelProblems(
    chart: string,
    version: string,
    values: ValueTree,
    docs: ReadonlyArray<Record<string, unknown>>,
): string[] {
    const found = chartModel(chart, version);
    if ("problem" in found) return [found.problem];
    const { model } = found;
    const effective = coalesce(model.defaults, values);
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const doc of docs) {
        if (isTestHook(doc)) continue;
        for (const t of podTemplates(doc)) {
            const candidates = model.workloads
                .filter((w) => w.kind === t.kind && t.name.endsWith(w.suffix))
                .sort((a, b) => b.suffix.length - a.suffix.length);
            const workload = candidates[0];
            if (!workload) {
                problems.push(`${t.kind} ${t.name} is rendered but not modelled (${model.source})`);
                continue;
            }
            seen.add(workload.id);
            if (workload.enabled && !workload.enabled(effective))
                problems.push(`${t.kind} ${t.name}: the model says these values do not render it`);
            for (const d of differences(workload.placement(effective), placementOfSpec(t.spec)))
                problems.push(`${t.kind} ${t.name} (${workload.template}): ${d}`);
        }
    }
    for (const w of model.workloads)
        if (!seen.has(w.id) && (!w.enabled || w.enabled(effective)))
            problems.push(`${w.kind} ${w.id} (${w.template}) is modelled but not rendered`);
    return problems;
}
