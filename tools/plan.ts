/**
 * `npm run plan -- [--project platform|foundation] [--stack <name>] [--new-stack] [--json <file>] [--policy-config <file>]`
 * Plans a stack offline exactly as `pulumi preview` runs it (the CLI's config, Pulumi's loader, a
 * local engine; no cloud, no CLI) and runs the policy pack over it under the real policy host.
 * Exit codes: 0 clean, 1 a mandatory policy violation, 2 bad config, usage or a failing program.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { PlanUsageError, ProgramError, runPlan } from "./offline/plan";
import { PolicyHostError, type PolicyPackConfig } from "./offline/analyzer";
import { renderTree, renderViolations } from "./offline/report";

const USAGE =
    "usage: npm run plan -- [--project platform|foundation] [--stack <name>] [--new-stack] [--json <file>] [--policy-config <file>]";

async function main(): Promise<number> {
    let values: { project?: string; stack?: string; "new-stack"?: boolean; json?: string; "policy-config"?: string; help?: boolean };
    try {
        ({ values } = parseArgs({
            options: {
                project: { type: "string", default: "platform" },
                stack: { type: "string" },
                "new-stack": { type: "boolean", default: false },
                json: { type: "string" },
                "policy-config": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }));
    } catch (err) {
        console.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    const project = values.project ?? "platform";
    const stack = values.stack ?? (project === "foundation" ? "account" : "dev");
    let policyConfig: PolicyPackConfig | undefined;
    if (values["policy-config"]) {
        try {
            policyConfig = JSON.parse(fs.readFileSync(values["policy-config"], "utf8")) as PolicyPackConfig;
        } catch (err) {
            console.error(`--policy-config ${values["policy-config"]}: ${(err as Error).message}`);
            return 2;
        }
    }
    try {
        const plan = await runPlan({ project, stack, policyConfig, newStack: values["new-stack"] });
        const mode = values["new-stack"] ? "as a new stack (computed outputs unknown)" : "with realistic outputs";
        console.log(
            `Offline preview of stack "${stack}" (project ${plan.project}) ${mode}: Pulumi's loader, a local engine, no cloud calls.\n`,
        );
        console.log(renderTree(plan.resources));
        console.log(`\n${plan.summary.resources} resources in ${Object.keys(plan.summary.byType).length} types.`);
        for (const log of plan.logs.filter((l) => l.severity === "warning")) {
            console.log(`warning: ${log.message.trim()}`);
        }
        console.log(renderViolations(plan.policy.violations));
        console.log(`Summary: ${plan.summary.mandatory} mandatory, ${plan.summary.advisory} advisory violation(s).`);
        if (values.json) {
            // The engine's log is the run's, not the plan's: left out of the file (JSON drops undefined).
            fs.writeFileSync(values.json, JSON.stringify({ ...plan, logs: undefined }, null, 2) + "\n");
            console.log(`Wrote ${values.json}`);
        }
        return plan.summary.mandatory > 0 ? 1 : 0;
    } catch (err) {
        if (err instanceof PlanUsageError || err instanceof ProgramError || err instanceof PolicyHostError) {
            console.error(err.message);
            return 2;
        }
        console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
        return 2;
    }
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(err);
        process.exit(2);
    },
);
