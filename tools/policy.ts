/**
 * `npm run policy -- <file> [--json] [--policy-config <file>]`
 * Evaluates the policy pack, started under the real policy host, over the resources of a plan file, or of a JSON array of
 * `{ "type", "name", "inputs" }`. Exit codes: 0 clean, 1 a mandatory violation, 2 bad usage, input or policy config.
 * Every resource whose type no rule judges (a service the pack does not cover, or a misspelt type
 * token) is named as "not checked by any rule", and the summary lists the types checked and unchecked.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { PolicyHost, PolicyHostError, PolicyPackConfig } from "./offline/analyzer";
import { analyzerInputsFrom, PolicyInputError } from "./offline/input";
import { renderViolations } from "./offline/report";
import { coverageOf } from "../policypack/coverage";

const USAGE = "usage: npm run policy -- <file> [--json] [--policy-config <file>]";

async function main(): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({
            options: { json: { type: "boolean" }, "policy-config": { type: "string" }, help: { type: "boolean", short: "h" } },
            allowPositionals: true,
            strict: true,
        });
    } catch (err) {
        console.error(`${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    const { values, positionals } = parsed;
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    if (positionals.length !== 1) {
        console.error(`expected exactly one input file\n${USAGE}`);
        return 2;
    }
    let inputs;
    let policyConfig: PolicyPackConfig | undefined;
    try {
        inputs = analyzerInputsFrom(JSON.parse(fs.readFileSync(positionals[0], "utf8")));
        if (values["policy-config"]) {
            policyConfig = JSON.parse(fs.readFileSync(values["policy-config"], "utf8")) as PolicyPackConfig;
        }
    } catch (err) {
        if (err instanceof PolicyInputError || err instanceof SyntaxError || (err as NodeJS.ErrnoException).code === "ENOENT") {
            console.error(`${positionals[0]}: ${(err as Error).message}`);
            return 2;
        }
        throw err;
    }
    let host: PolicyHost;
    try {
        host = await PolicyHost.start();
    } catch (err) {
        if (err instanceof PolicyHostError) {
            console.error(err.message);
            return 2;
        }
        throw err;
    }
    let violations;
    try {
        violations = await host.analyze(inputs, policyConfig);
    } catch (err) {
        console.error((err as Error).message);
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
    if (values.json) {
        console.log(
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
        console.log(renderViolations(violations));
        for (const line of notChecked) {
            console.log(`  [not checked] ${line}`);
        }
        console.log(`Summary: ${inputs.length} resources, ${mandatory} mandatory, ${advisory} advisory violation(s).`);
        console.log(`Types checked (${checkedTypes.length}): ${checkedTypes.join(", ") || "none"}`);
        console.log(`Types not checked by any rule (${uncheckedTypes.length}): ${uncheckedTypes.join(", ") || "none"}`);
    }
    return mandatory > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(err);
        process.exit(2);
    },
);
