/**
 * The one shared mocks helper: every test that runs Pulumi code goes through `plan`, which installs
 * the platform's mocks, runs a program and returns the planned resources with the pack's findings.
 */
import { ConfigError, PlanFile, PlannedResource, readStackConfig, runPlan, StackConfig } from "../../tools/offline/plan";
import type { PolicyPackConfig } from "../../tools/offline/analyzer";
import type { RecordedResource } from "../../tools/offline/recorder";

export { ConfigError, PlanFile, PlannedResource };

export interface TestPlanOptions {
    /** Stack whose `Pulumi.<stack>.yaml` is the base config. @default "dev" */
    readonly stack?: string;
    /** Config keys to set (`key: value`, values as in YAML) or remove (`undefined`). */
    readonly configChanges?: Readonly<Record<string, unknown>>;
    /** Program to run instead of the project's. */
    readonly program?: () => Promise<unknown>;
    readonly policyConfig?: PolicyPackConfig;
    readonly onRegistrations?: (resources: readonly RecordedResource[]) => void;
}

/** A stack's config with some keys changed: the way tests make a bad or unusual config. */
export function configWith(stack: string, changes: Readonly<Record<string, unknown>> = {}): StackConfig {
    const base = readStackConfig(stack);
    const values = { ...base.values };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) {
            delete values[key];
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { values, secretKeys: base.secretKeys };
}

export function plan(options: TestPlanOptions = {}): Promise<PlanFile> {
    const stack = options.stack ?? "dev";
    return runPlan({
        stack,
        config: configWith(stack, options.configChanges),
        program: options.program,
        policyConfig: options.policyConfig,
        onRegistrations: options.onRegistrations,
    });
}

export function ofType(planned: PlanFile, type: string): PlannedResource[] {
    return planned.resources.filter((r) => r.type === type);
}

export function single(planned: PlanFile, type: string, nameIncludes = ""): PlannedResource {
    const matches = ofType(planned, type).filter((r) => r.name.includes(nameIncludes));
    if (matches.length !== 1) {
        throw new Error(`expected one ${type} named like "${nameIncludes}", found ${matches.length}: ${matches.map((m) => m.name).join(", ")}`);
    }
    return matches[0];
}

/** Plans with changed config and returns the config problems as `key: message` (fails if the config is accepted). */
export async function configIssues(changes: Readonly<Record<string, unknown>>, stack = "dev"): Promise<string[]> {
    try {
        await plan({ stack, configChanges: changes });
    } catch (err) {
        if (err instanceof ConfigError) {
            return err.issues.map((i) => `${i.key}: ${i.message}`);
        }
        throw err;
    }
    throw new Error(`config ${JSON.stringify(changes)} was accepted`);
}
