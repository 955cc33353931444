/**
 * `npm run plan -- [--stack <name>] [--json <file>] [--policy-config <file>]`
 * Plans a stack offline (mock runtime, no cloud, no CLI) and runs the policy pack over it.
 * Exit codes: 0 clean, 1 a mandatory policy violation, 2 bad config or usage (nothing planned).
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, PlanUsageError, runPlan } from "./offline/plan";
import type { PolicyPackConfig } from "./offline/analyzer";
import { renderTree, renderViolations } from "./offline/report";

const USAGE = "usage: npm run plan -- [--stack <name>] [--json <file>] [--policy-config <file>]";

async function main(): Promise<number> {
    let values: { stack?: string; json?: string; "policy-config"?: string; help?: boolean };
    try {
        ({ values } = parseArgs({
            options: {
                stack: { type: "string", default: "dev" },
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
    const stack = values.stack ?? "dev";
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
        const plan = await runPlan({ stack, policyConfig });
        console.log(`Offline plan of stack "${stack}" (project ${plan.project}): no cloud calls, fake ids and ARNs.\n`);
        console.log(renderTree(plan.resources));
        console.log(`\n${plan.summary.resources} resources in ${Object.keys(plan.summary.byType).length} types.`);
        console.log(renderViolations(plan.policy.violations));
        console.log(`Summary: ${plan.summary.mandatory} mandatory, ${plan.summary.advisory} advisory violation(s).`);
        if (values.json) {
            fs.writeFileSync(values.json, JSON.stringify(plan, null, 2) + "\n");
            console.log(`Wrote ${values.json}`);
        }
        return plan.summary.mandatory > 0 ? 1 : 0;
    } catch (err) {
        if (err instanceof ConfigError || err instanceof PlanUsageError) {
            console.error(err.message);
            return 2;
        }
        console.error(`The program failed while planning stack "${stack}":`);
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
