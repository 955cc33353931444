/**
 * Running the rehearsal: read a plan file (version 1 or 2), find the checks, replay the plan in
 * engine order and collect, per resource, the first step that would fail.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PlanFile } from "../offline/plan";
import { isRehearsalCheck, RehearsalCheck, RehearsalFinding } from "./model";
import { rehearsalContext } from "./order";

/** Raised for a plan file the rehearsal cannot read: exit 2. */
export class RehearsalInputError extends Error {}

const CHECKS_DIR = path.join(__dirname, "checks");

/** Every `RehearsalCheck` exported by a module of `tools/rehearse/checks/`, in file-name order. */
export async function loadChecks(dir = CHECKS_DIR): Promise<RehearsalCheck[]> {
    const files = fs
        .readdirSync(dir)
        .filter((f) => /\.(?:ts|js)$/.test(f) && !f.endsWith(".d.ts"))
        .sort();
    const checks: RehearsalCheck[] = [];
    for (const file of files) {
        const mod = (await import(path.join(dir, file))) as Record<string, unknown>;
        for (const value of Object.values(mod)) {
            if (isRehearsalCheck(value) && !checks.some((c) => c.name === value.name)) checks.push(value);
        }
    }
    return checks;
}

/** Reads and validates a plan file's shape (the fields the rehearsal uses), naming the file and the field that is wrong. */
export function readPlanFile(file: string): PlanFile {
    let doc: unknown;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new RehearsalInputError(`${file}: not a readable JSON plan file (${(err as Error).message})`);
    }
    return validatePlan(doc, file);
}

export function validatePlan(doc: unknown, file = "plan"): PlanFile {
    const fail = (what: string): never => {
        throw new RehearsalInputError(`${file}: ${what} (the plan file schema: tools/offline/plan.schema.json, versions 1 and 2)`);
    };
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return fail("expected a JSON object");
    const plan = doc as Partial<PlanFile>;
    if (plan.version !== 1 && plan.version !== 2) return fail(`"version" is ${JSON.stringify(plan.version)}; allowed: 1, 2`);
    if (typeof plan.project !== "string" || typeof plan.stack !== "string") return fail('"project" and "stack" must be strings');
    if (!Array.isArray(plan.resources)) return fail('"resources" must be an array');
    plan.resources.forEach((r, i) => {
        if (typeof r?.urn !== "string" || typeof r.type !== "string" || typeof r.name !== "string")
            fail(`resources[${i}] needs string "urn", "type" and "name"`);
        if (!Array.isArray(r.dependsOn)) fail(`resources[${i}] (${r.name}): "dependsOn" must be an array`);
        if (r.inputs === null || typeof r.inputs !== "object") fail(`resources[${i}] (${r.name}): "inputs" must be an object`);
    });
    if (plan.stackReferences !== undefined && !Array.isArray(plan.stackReferences)) return fail('"stackReferences" must be an array');
    return plan as PlanFile;
}

export interface ResourceFailure {
    /** The first failing step of this resource. */
    readonly step: number;
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly check: string;
    readonly why: string;
    readonly source: string;
    /** Further findings on the same resource (other checks, later steps). */
    readonly also: readonly RehearsalFinding[];
}

export interface RehearsalReport {
    readonly project: string;
    readonly stack: string;
    readonly planVersion: number;
    readonly steps: number;
    readonly checks: ReadonlyArray<{ readonly name: string; readonly description: string; readonly findings: number }>;
    /** Per resource, its first failing step, in step order. */
    readonly failures: readonly ResourceFailure[];
    readonly findings: readonly RehearsalFinding[];
    readonly summary: { readonly failingResources: number; readonly findings: number; readonly byCheck: Record<string, number> };
}

/** Replays `plan` under `checks`. A check that throws is a finding of its own, never a silent pass. */
export function rehearse(plan: PlanFile, checks: readonly RehearsalCheck[]): RehearsalReport {
    const context = rehearsalContext(plan);
    const findings: RehearsalFinding[] = [];
    const perCheck: Array<{ name: string; description: string; findings: number }> = [];
    for (const check of checks) {
        let found: RehearsalFinding[];
        try {
            found = check.run(context);
        } catch (err) {
            found = [
                {
                    step: 0,
                    urn: `urn:pulumi:${plan.stack}::${plan.project}::pulumi:pulumi:Stack::${plan.project}-${plan.stack}`,
                    check: check.name,
                    why: `the check itself failed: ${(err as Error).stack ?? String(err)}`,
                    source: "tools/rehearse/checks",
                },
            ];
        }
        findings.push(...found);
        perCheck.push({ name: check.name, description: check.description, findings: found.length });
    }
    findings.sort((a, b) => a.step - b.step || a.urn.localeCompare(b.urn) || a.check.localeCompare(b.check));
    const byResource = new Map<string, RehearsalFinding[]>();
    for (const f of findings) byResource.set(f.urn, [...(byResource.get(f.urn) ?? []), f]);
    const failures: ResourceFailure[] = [...byResource.entries()].map(([urn, list]) => {
        const [first, ...also] = list;
        const r = context.stepOf.get(urn)?.resource;
        return {
            step: first.step,
            urn,
            type: r?.type ?? urn.split("::")[2]?.split("$").pop() ?? "",
            name: r?.name ?? urn.split("::").pop() ?? urn,
            check: first.check,
            why: first.why,
            source: first.source,
            also,
        };
    });
    failures.sort((a, b) => a.step - b.step || a.urn.localeCompare(b.urn));
    const byCheck: Record<string, number> = {};
    for (const f of findings) byCheck[f.check] = (byCheck[f.check] ?? 0) + 1;
    return {
        project: plan.project,
        stack: plan.stack,
        planVersion: plan.version,
        steps: context.steps.length,
        checks: perCheck,
        failures,
        findings,
        summary: { failingResources: failures.length, findings: findings.length, byCheck },
    };
}

/** The human report: one block per failing resource (its first failing step), then the summary. */
export function formatReport(report: RehearsalReport): string {
    const lines: string[] = [
        `Rehearsal of the first \`pulumi up\` of ${report.project}/${report.stack} (plan version ${report.planVersion}): ` +
            `${report.steps} steps in engine order, ${report.checks.length} checks (${report.checks.map((c) => c.name).join(", ")}).`,
        "",
    ];
    for (const f of report.failures) {
        lines.push(`${f.step === 0 ? "read before create #1" : `create #${f.step}`}  ${f.type} "${f.name}"`);
        lines.push(`  check:  ${f.check}`);
        lines.push(`  why:    ${f.why}`);
        lines.push(`  source: ${f.source}`);
        for (const more of f.also) lines.push(`  also (#${more.step}, ${more.check}): ${more.why}`);
        lines.push("");
    }
    const byCheck = Object.entries(report.summary.byCheck)
        .map(([c, n]) => `${c} ${n}`)
        .join(", ");
    lines.push(
        report.failures.length === 0
            ? `Summary: clean. No step of the ${report.steps} would fail under the modelled checks.`
            : `Summary: ${report.summary.failingResources} resource(s) would fail (${report.summary.findings} finding(s): ${byCheck}).`,
    );
    return lines.join("\n");
}
