/**
 * `npm run rehearse -- --stack <name> [--project platform|foundation] [--json <file>]`
 * `npm run rehearse -- <plan.json> [--json <file>]`
 * The first `pulumi up` rehearsed offline: plans the stack as `npm run plan` does (or reads a plan
 * file, version 1 or 2), replays its creates in the engine's order and applies, at each create, the
 * checks AWS and Kubernetes apply then (tools/rehearse/checks/). Exit 0 clean, 1 a step would fail,
 * 2 bad usage, an unreadable plan or a program that fails to plan.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { PolicyHostError } from "./offline/analyzer";
import { PlanUsageError, ProgramError, runPlan, type PlanFile } from "./offline/plan";
import { formatReport, loadChecks, readPlanFile, rehearse, RehearsalInputError } from "./rehearse/run";

const USAGE = `usage: npm run rehearse -- --stack <name> [--project platform|foundation] [--json <file>]
       npm run rehearse -- <plan.json> [--json <file>]

  --stack <name>      plan this stack first, as \`npm run plan -- --stack <name>\` does (dev, staging, prod; account for the foundation)
  --project <name>    platform (default) or foundation, or a project folder
  <plan.json>         rehearse a plan file instead (\`npm run plan -- --json <file>\`; versions 1 and 2, tools/offline/plan.schema.json)
  --json <file>       also write the report (failures per resource, every finding, summary) as JSON
  --help, -h          this text

examples:
  npm run rehearse -- --stack dev
  npm run rehearse -- --project foundation --stack account --json rehearsal-foundation.json
  npm run plan -- --stack prod --json prod.json && npm run rehearse -- prod.json

exit: 0 no step would fail, 1 a step would fail, 2 bad usage / unreadable plan / the program fails to plan.
What it checks and cannot check: docs/rehearsal.md.`;

async function main(argv: readonly string[]): Promise<number> {
    let values: { stack?: string; project?: string; json?: string; help?: boolean };
    let positionals: string[];
    try {
        ({ values, positionals } = parseArgs({
            args: [...argv],
            options: {
                stack: { type: "string" },
                project: { type: "string" },
                json: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: true,
        }));
    } catch (err) {
        console.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    if (values.help) {
        console.log(USAGE);
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

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
        process.exit(2);
    },
);
