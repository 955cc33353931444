/**
 * `npm run plan -- [options]` (`--help` lists them): plans a stack offline exactly as `pulumi preview` runs it
 * (the CLI's config, Pulumi's loader, a local engine; no cloud, no CLI) and runs the policy pack over it under
 * the real policy host. Progress on stderr as it runs; the tree, the stack outputs and the findings on stdout.
 * Exit codes: 0 clean, 1 a mandatory policy violation, 2 bad config, usage or a failing program.
 */
import * as fs from "node:fs";
import { CliSpec, parseCli, renderHelp, usageLine, UsageError } from "./cli/args";
import { Progress, renderFindings, renderOutputs, styles, useColour } from "./cli/output";
import { renderTree } from "./offline/report";

export const PLAN_CLI: CliSpec = {
    command: "npm run plan --",
    summary: "Plan a stack offline as `pulumi preview` would (Pulumi's loader, a local engine, the policy pack under its real host).",
    options: {
        project: {
            type: "string",
            arg: "platform|foundation",
            description: "the project to plan, or a project folder",
            default: "platform",
        },
        stack: {
            type: "string",
            arg: "<name>",
            description: "the stack (its Pulumi.<name>.yaml)",
            // Decided after parsing (it depends on --project): shown in the help, never parsed as a stack name.
            defaultText: "dev (account for the foundation)",
        },
        "new-stack": { type: "boolean", description: "answer computed outputs as unknown, as the first preview of a new stack" },
        json: { type: "string", arg: "<file>", description: "write the plan file (resources, findings, summary, stack outputs)" },
        "policy-config": {
            type: "string",
            arg: "<file>",
            description:
                'policy config, as --policy-pack-config takes it (or once under "*"); default: policy-config.json, the platform exemptions',
        },
    },
    examples: [
        "npm run plan                                           # the dev stack",
        "npm run plan -- --stack prod --json prod.plan.json     # any stack; write the plan file",
        "npm run plan -- --project foundation --stack account   # the foundation project",
        "npm run plan -- --stack prod --new-stack               # as the first preview of a new stack",
        "npm run plan -- --stack dev --policy-config pc.json    # with policy config",
        "NO_COLOR=1 npm run plan | less                         # no colour (never in pipes anyway)",
    ],
    exitCodes: ["0  clean", "1  a mandatory policy violation", "2  bad config, usage, or a program that fails under the loader"],
};

interface PlanCliValues {
    project: string;
    stack?: string;
    "new-stack"?: boolean;
    json?: string;
    "policy-config"?: string;
}

/** Where the CLI writes: stdout and stderr lines, and the stream progress goes to. */
export interface PlanCliOutput {
    log(line: string): void;
    error(line: string): void;
    readonly progress: { isTTY?: boolean; write(s: string): unknown };
}

const CONSOLE: PlanCliOutput = { log: (line) => console.log(line), error: (line) => console.error(line), progress: process.stderr };

/**
 * The CLI: plans as `args` (the command line after the script) ask and returns the exit code. `plan` is the
 * offline planner (tools/offline/plan.ts `runPlan`, loaded only once the arguments are valid); `out` receives the lines it prints.
 */
export async function runPlanCli(
    args: readonly string[],
    out: PlanCliOutput = CONSOLE,
    plan?: typeof import("./offline/plan.js").runPlan,
): Promise<number> {
    const s = styles(useColour(process.stdout) && out === CONSOLE);
    const e = styles(useColour(process.stderr) && out === CONSOLE);
    let values: PlanCliValues & { help?: boolean };
    try {
        ({ values } = parseCli<PlanCliValues>(PLAN_CLI, [...args]));
    } catch (err) {
        out.error(`${(err as Error).message}\n${usageLine(PLAN_CLI)}\n(npm run plan -- --help for every option)`);
        return 2;
    }
    if (values.help) {
        out.log(renderHelp(PLAN_CLI));
        return 0;
    }
    const project = values.project ?? "platform";
    const stack = values.stack ?? (project === "foundation" ? "account" : "dev");
    const progress = new Progress(out.progress);
    // The first line comes before the SDKs load, so a plan is never silent.
    progress.phase(`Planning stack ${stack} (project ${project}): checking config`);

    const { PlanUsageError, ProgramError, runPlan } = await import("./offline/plan.js");
    const planStack = plan ?? runPlan;
    const { PolicyConfigError, PolicyHostError, readPolicyConfigFile, sharedPolicyHost } = await import("./offline/analyzer.js");
    // Without --policy-config, runPlan gives the pack this platform's policy-config.json (and names it in its errors).
    const configWhere = values["policy-config"] ? `--policy-config ${values["policy-config"]}: ` : "";
    let policyConfig;
    if (values["policy-config"]) {
        try {
            policyConfig = readPolicyConfigFile(values["policy-config"]);
        } catch (err) {
            progress.done();
            // The reader names the file itself.
            out.error(e.red(`--policy-config ${(err as Error).message}`));
            return 2;
        }
    }
    try {
        const plan = await planStack({
            project,
            stack,
            policyConfig,
            newStack: values["new-stack"],
            onProgress: (p) => {
                switch (p.phase) {
                    case "program":
                        progress.phase("running the program under Pulumi's loader (ts-node type-checks it first)");
                        break;
                    case "reference":
                        progress.phase(
                            p.kept
                                ? `reading the outputs of ${p.stack} (StackReference; kept from its last plan, its sources and config unchanged)`
                                : `planning ${p.stack} to answer its StackReference (its outputs are kept until its sources or config change)`,
                        );
                        break;
                    case "register":
                        progress.update(`${p.stack.split("/").slice(1).join("/")}: ${p.registered} resources registered (${p.type})`);
                        break;
                    case "policy":
                        // The first and the last count are always shown, so a pipe's log has the phase and its end.
                        if (p.analysed <= 1 || p.analysed === p.total) {
                            progress.phase(`policy pack: ${p.analysed}/${p.total} analysed`);
                        } else {
                            progress.update(`policy pack: ${p.analysed}/${p.total} analysed`);
                        }
                        break;
                }
            },
        });
        progress.done();
        const mode = values["new-stack"] ? "as a new stack (computed outputs unknown)" : "with realistic outputs";
        out.log(
            s.bold(
                `Offline preview of stack "${stack}" (project ${plan.project}) ${mode}: Pulumi's loader, a local engine, no cloud calls.\n`,
            ),
        );
        out.log(renderTree(plan.resources));
        for (const log of plan.logs.filter((l) => l.severity === "warning")) {
            out.log(s.yellow(`warning: ${log.message.trim()}`));
        }
        out.log("");
        out.log(renderOutputs(plan.outputs, s));
        out.log("");
        const host = await sharedPolicyHost();
        out.log(renderFindings(plan.policy.violations, host.info.descriptions ?? new Map(), s));
        out.log("");
        const summary = `Summary: ${plan.summary.resources} resources in ${Object.keys(plan.summary.byType).length} types, ${plan.summary.mandatory} mandatory, ${plan.summary.advisory} advisory violation(s).`;
        out.log(plan.summary.mandatory > 0 ? s.red(summary) : s.green(summary));
        if (values.json) {
            // The engine's log is the run's, not the plan's: left out of the file (JSON drops undefined).
            fs.writeFileSync(values.json, JSON.stringify({ ...plan, logs: undefined }, null, 2) + "\n");
            out.log(`Wrote ${values.json}`);
        }
        return plan.summary.mandatory > 0 ? 1 : 0;
    } catch (err) {
        progress.done();
        if (err instanceof PlanUsageError || err instanceof ProgramError || err instanceof PolicyHostError) {
            const where = err instanceof PolicyConfigError ? configWhere : "";
            out.error(e.red(`${where}${err.message}`));
            return 2;
        }
        if (err instanceof UsageError) {
            out.error(err.message);
            return 2;
        }
        out.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
        return 2;
    }
}

// Stryker disable all: the script entry runs only as a script (the child-process tests in test/tools run it), never in a test process.
if (require.main === module) {
    runPlanCli(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            console.error(err);
            process.exit(2);
        },
    );
}
// Stryker restore all
