/**
 * `npm run rehearse -- --stack <name> [--project platform|foundation] [--json <file>]`
 * `npm run rehearse -- <plan.json> [--json <file>]`
 * The first `pulumi up` rehearsed offline: plans the stack as `npm run plan` does (or reads a plan
 * file, version 1 or 2), replays its creates in the engine's order and applies, at each create, the
 * checks AWS and Kubernetes apply then (tools/rehearse/checks/). Exit 0 clean, 1 a step would fail,
 * 2 bad usage, an unreadable plan or a program that fails to plan.
 */
import * as fs from "node:fs";
import { CliSpec, parseCli, renderHelp, usageLine } from "./cli/args";
import type { PlanFile } from "./offline/plan";

export const REHEARSE_CLI: CliSpec = {
    command: "npm run rehearse --",
    summary:
        "Rehearse the first `pulumi up` offline: replay a plan's creates in the engine's order under the checks AWS and Kubernetes apply (docs/rehearsal.md).",
    positionals: "[<plan.json>]",
    options: {
        stack: {
            type: "string",
            arg: "<name>",
            description: "plan this stack first, as `npm run plan -- --stack <name>` does (dev, staging, prod; account for the foundation)",
        },
        project: {
            type: "string",
            arg: "<name>",
            description: "with --stack: platform or foundation, or a project folder",
            defaultText: "platform",
        },
        json: {
            type: "string",
            arg: "<file>",
            description: "also write the report (failures per resource, every finding, summary) as JSON",
        },
    },
    examples: [
        "npm run rehearse -- --stack dev                                                      # plan dev, then rehearse it",
        "npm run rehearse -- --project foundation --stack account --json rehearsal-foundation.json",
        "npm run plan -- --stack prod --json prod.json && npm run rehearse -- prod.json        # a plan file (versions 1 and 2)",
    ],
    exitCodes: ["0  no step would fail", "1  a step would fail", "2  bad usage, an unreadable plan or a program that fails to plan"],
};

const USAGE = `${usageLine(REHEARSE_CLI)}\n(npm run rehearse -- --help for every option)`;

async function main(argv: readonly string[]): Promise<number> {
    let values: { stack?: string; project?: string; json?: string; help?: boolean };
    let positionals: string[];
    try {
        ({ values, positionals } = parseCli<typeof values>(REHEARSE_CLI, argv));
    } catch (err) {
        console.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    if (values.help) {
        console.log(renderHelp(REHEARSE_CLI));
        return 0;
    }
    if (positionals.length > 1 || (positionals.length === 1) === (values.stack !== undefined)) {
        console.error(
            `give either --stack <name> or one plan file (got ${positionals.length} file(s)${values.stack ? " and --stack" : ""})\n${USAGE}`,
        );
        return 2;
    }
    if (positionals.length === 1 && values.project) {
        console.error(`--project applies to --stack only: a plan file names its project\n${USAGE}`);
        return 2;
    }
    // Loaded after the arguments are checked: bad usage and --help answer at once, before the SDKs load.
    const { PolicyHostError } = await import("./offline/analyzer.js");
    const { PlanUsageError, ProgramError, runPlan } = await import("./offline/plan.js");
    const { formatReport, loadChecks, readPlanFile, rehearse, RehearsalInputError } = await import("./rehearse/run.js");
    let plan: PlanFile;
    try {
        if (values.stack !== undefined) {
            plan = await runPlan({ stack: values.stack, project: values.project ?? "platform" });
        } else {
            plan = readPlanFile(positionals[0]);
        }
    } catch (err) {
        if (
            err instanceof PlanUsageError ||
            err instanceof ProgramError ||
            err instanceof PolicyHostError ||
            err instanceof RehearsalInputError
        ) {
            console.error(err.message);
            return 2;
        }
        throw err;
    }
    const report = rehearse(plan, await loadChecks());
    console.log(formatReport(report));
    if (values.json) {
        fs.writeFileSync(values.json, JSON.stringify(report, null, 2) + "\n");
        console.log(`Wrote ${values.json}`);
    }
    return report.failures.length > 0 ? 1 : 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
            process.exit(2);
        },
    );
}
