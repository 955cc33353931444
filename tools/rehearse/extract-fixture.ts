/**
 * `npx tsx tools/rehearse/extract-fixture.ts <plan.json> <out.json> <resource name>...`: cuts a small
 * fixture plan out of a full one (e.g. the plan of the commit before a fix), keeping the named resources
 * and, in place of their dependencies, every named resource they transitively wait for in the full plan
 * (the engine's order as `order.ts` reconstructs it), so "created before" among them is what it was.
 */
import * as fs from "node:fs";
import type { PlannedResource } from "../offline/plan";
import { rehearsalContext } from "./order";
import { readPlanFile } from "./run";

export function extractFixture(plan: ReturnType<typeof readPlanFile>, names: readonly string[]): ReturnType<typeof readPlanFile> {
    const context = rehearsalContext(plan);
    const kept = plan.resources.filter((r) => names.includes(r.name));
    const missing = names.filter((n) => !kept.some((r) => r.name === n));
    if (missing.length > 0) throw new Error(`not in the plan: ${missing.join(", ")}`);
    const keptUrns = new Set(kept.map((r) => r.urn));
    const resources: PlannedResource[] = kept.map((r) => ({
        ...r,
        parent: r.parent && keptUrns.has(r.parent) ? r.parent : null,
        provider: null,
        dependsOn: [...context.dependenciesOf(r.urn)].filter((u) => keptUrns.has(u) && u !== r.urn).sort(),
        propertyDependencies: {},
    }));
    // The rest of the plan (policy findings, config, invokes, outputs) is not what a fixture is about.
    return {
        version: plan.version,
        project: plan.project,
        stack: plan.stack,
        resources,
        policy: { pack: plan.policy.pack, violations: [] },
        summary: { resources: resources.length, byType: {}, mandatory: 0, advisory: 0 },
        stackReferences: [],
    };
}

if (require.main === module) {
    const [from, to, ...names] = process.argv.slice(2);
    if (!from || !to || names.length === 0) {
        console.error("usage: npx tsx tools/rehearse/extract-fixture.ts <plan.json> <out.json> <resource name>...");
        process.exit(2);
    }
    fs.writeFileSync(to, `${JSON.stringify(extractFixture(readPlanFile(from), names), null, 2)}\n`);
}
