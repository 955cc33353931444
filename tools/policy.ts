/**
 * `npm run policy -- <file> [--json] [--policy-config <file>]`
 * `npm run policy -- --stack-export <file> [--asff [--aws-account <id>] [--aws-region <region>]] [--json] [--policy-config <file>]`
 * Evaluates the policy pack, started under the real policy host, over the resources of a plan file, or of a JSON array of
 * `{ "type", "name", "inputs" }`, or of a deployed stack (`pulumi stack export`, see tools/policy/stack-export.ts); `--asff`
 * prints the findings as AWS Security Finding Format (tools/policy/asff.ts), one JSON array of at most 100 per line.
 * Exit codes: 0 clean, 1 a mandatory violation, 2 bad usage, input or policy config. Every resource whose type no rule
 * judges (a service the pack does not cover, or a misspelt type token) is named as "not checked by any rule", and the
 * summary lists the types checked and unchecked.
 */
import * as fs from "node:fs";
import { PolicyConfigError, PolicyHost, PolicyHostError, PolicyPackConfig } from "./offline/analyzer";
import { analyzerInputsFrom, PolicyInputError } from "./offline/input";
import { renderViolations } from "./offline/report";
import { coverageOf } from "../policypack/coverage";
import { stackExportInputs, stackExportTimes, stackOfExport, StackExportTimes } from "./policy/stack-export";
import { accountAndRegionOf, asffBatches, toAsff } from "./policy/asff";
import { CliSpec, parseCli, renderHelp, usageLine } from "./cli/args";

export const POLICY_CLI: CliSpec = {
    command: "npm run policy --",
    summary:
        "Evaluate the policy pack, under the real policy host, over a plan file, a JSON list of { type, name, inputs }, or a deployed stack's export.",
    positionals: "[<file>]",
    options: {
        json: { type: "boolean", description: "print the findings, coverage and summary as JSON" },
        "policy-config": {
            type: "string",
            arg: "<file>",
            description: 'policy config, as --policy-pack-config takes it (or once under "*")',
        },
        "stack-export": {
            type: "string",
            arg: "<file>",
            description: "evaluate a deployed stack (`pulumi stack export`) instead of <file>",
        },
        asff: {
            type: "boolean",
            description: "with --stack-export: print the findings as AWS Security Finding Format, one JSON array of at most 100 per line",
        },
        "aws-account": {
            type: "string",
            arg: "<id>",
            description: "with --asff: the account of the findings",
            defaultText: "read from the export",
        },
        "aws-region": {
            type: "string",
            arg: "<region>",
            description: "with --asff: the region of the findings",
            defaultText: "read from the export",
        },
    },
    examples: [
        "npm run plan -- --stack prod --json prod.plan.json && npm run policy -- prod.plan.json   # a plan file",
        "npm run policy -- resources.json --json                                                 # a resource list, JSON out",
        "npm run policy -- prod.plan.json --policy-config pc.json                                # with policy config",
        "pulumi stack export --stack dev > dev.json && npm run policy -- --stack-export dev.json  # a deployed stack",
        "npm run policy -- --stack-export dev.json --asff --aws-account 123456789012 --aws-region eu-west-1 > findings.jsonl",
    ],
    exitCodes: ["0  clean", "1  a mandatory violation", "2  usage, an unreadable input or bad policy config"],
};

const USAGE = `${usageLine(POLICY_CLI)}\n(npm run policy -- --help for every option)`;

/** Where the CLI writes: stdout and stderr lines. */
export interface PolicyCliOutput {
    log(line: string): void;
    error(line: string): void;
}

/**
 * The CLI: evaluates `args` (the command line after the script) and returns the exit code. `startHost`
 * starts the policy host the run uses (and stops once done); `out` receives the lines it prints.
 */
export async function runPolicyCli(
    args: readonly string[],
    startHost: () => Promise<PolicyHost> = () => PolicyHost.start(),
    out: PolicyCliOutput = { log: (line) => console.log(line), error: (line) => console.error(line) },
): Promise<number> {
    let parsed;
    try {
        parsed = parseCli<{
            json?: boolean;
            "policy-config"?: string;
            "stack-export"?: string;
            asff?: boolean;
            "aws-account"?: string;
            "aws-region"?: string;
        }>(POLICY_CLI, [...args]);
    } catch (err) {
        out.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    const { values, positionals } = parsed;
    if (values.help) {
        out.log(renderHelp(POLICY_CLI));
        return 0;
    }
    const exportFile = values["stack-export"];
    if (exportFile ? positionals.length !== 0 : positionals.length !== 1) {
        out.error(`expected exactly one input file (a plan file or resource list, or --stack-export <file>)\n${USAGE}`);
        return 2;
    }
    if (values.asff && !exportFile) {
        out.error(`--asff reports on a deployed stack: give it --stack-export <file>\n${USAGE}`);
        return 2;
    }
    const inputFile = exportFile ?? positionals[0];
    let inputs;
    let policyConfig: PolicyPackConfig | undefined;
    let times: StackExportTimes | undefined;
    try {
        const document: unknown = JSON.parse(fs.readFileSync(inputFile, "utf8"));
        inputs = exportFile ? stackExportInputs(document) : analyzerInputsFrom(document);
        if (exportFile) times = stackExportTimes(document);
    } catch (err) {
        if (err instanceof PolicyInputError || err instanceof SyntaxError || (err as NodeJS.ErrnoException).code === "ENOENT") {
            out.error(`${inputFile}: ${(err as Error).message}`);
            return 2;
        }
        throw err;
    }
    const configFile = values["policy-config"];
    if (configFile) {
        try {
            policyConfig = JSON.parse(fs.readFileSync(configFile, "utf8")) as PolicyPackConfig;
        } catch (err) {
            out.error(`--policy-config ${configFile}: ${(err as Error).message}`);
            return 2;
        }
    }
    let host: PolicyHost;
    try {
        host = await startHost();
    } catch (err) {
        if (err instanceof PolicyHostError) {
            out.error(err.message);
            return 2;
        }
        throw err;
    }
    const exported = exportFile ? stackOfExport(inputs) : {};
    let violations;
    try {
        violations = await host.analyze(inputs, policyConfig, { ...exported, dryRun: false });
    } catch (err) {
        out.error(`${err instanceof PolicyConfigError ? `--policy-config ${configFile}: ` : ""}${(err as Error).message}`);
        return 2;
    } finally {
        host.stop();
    }
    const pack = host.info.name;
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    const advisory = violations.filter((v) => v.enforcementLevel === "advisory").length;
    const coverage = coverageOf(inputs.map((i) => i.type));
    const notChecked = inputs
        .filter((i) => coverage.unchecked[i.type] !== undefined)
        .map((i) => {
            const hint = coverage.unchecked[i.type].didYouMean;
            return `${i.type} "${i.name}": not checked by any rule${hint ? ` (unknown type token; did you mean ${hint}?)` : ""}`;
        });
    const checkedTypes = Object.keys(coverage.checked).sort();
    const uncheckedTypes = Object.keys(coverage.unchecked).sort();
    if (values.asff) {
        const found = accountAndRegionOf(inputs);
        const accountId = values["aws-account"] ?? found.accountId;
        const region = values["aws-region"] ?? found.region;
        if (!accountId || !/^\d{12}$/.test(accountId) || !region) {
            out.error(
                `${inputFile}: the account (${accountId ?? "not found"}) or region (${region ?? "not found"}) of the findings is not in the export: pass --aws-account <12 digits> and --aws-region <region>`,
            );
            return 2;
        }
        const stack = `${exported.project ?? "unknown"}/${exported.stack ?? "unknown"}`;
        // JSON Lines: one array per BatchImportFindings call (at most 100 findings each).
        out.log(
            asffBatches(toAsff(violations, inputs, { accountId, region, stack, pack, now: new Date().toISOString(), times })).join("\n"),
        );
        out.error(`Summary: ${inputs.length} resources, ${mandatory} mandatory, ${advisory} advisory violation(s).`);
    } else if (values.json) {
        out.log(
            JSON.stringify(
                {
                    policy: { pack, violations },
                    coverage,
                    summary: { resources: inputs.length, mandatory, advisory, typesChecked: checkedTypes, typesUnchecked: uncheckedTypes },
                },
                null,
                2,
            ),
        );
    } else {
        out.log(renderViolations(violations));
        for (const line of notChecked) {
            out.log(`  [not checked] ${line}`);
        }
        out.log(`Summary: ${inputs.length} resources, ${mandatory} mandatory, ${advisory} advisory violation(s).`);
        out.log(`Types checked (${checkedTypes.length}): ${checkedTypes.join(", ") || "none"}`);
        out.log(`Types not checked by any rule (${uncheckedTypes.length}): ${uncheckedTypes.join(", ") || "none"}`);
    }
    return mandatory > 0 ? 1 : 0;
}

// Stryker disable all: the script entry runs only as a script (the child-process tests in test/tools run it), never in a test process.
if (require.main === module) {
    runPolicyCli(process.argv.slice(2)).then(
        // Exit once stdout has flushed: a large --asff or --json report written to a pipe is otherwise cut short by process.exit.
        (code) => process.stdout.write("", () => process.exit(code)),
        (err: unknown) => {
            console.error(err);
            process.exit(2);
        },
    );
}
// Stryker restore all
