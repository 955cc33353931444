/**
 * The offline plan: runs the program for one stack's config under the mock runtime, records every
 * registration, and evaluates the policy pack over them through its analyzer handlers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { ConfigError } from "../../stacks/config";
import { program as projectProgram } from "../../stacks/program";
import { loadKubernetesModels } from "../../components/k8s-models";
import { PlatformMocks } from "./mocks";
import "./outputs";
import { recordRegistrations, RecordedResource } from "./recorder";
import { AnalyzerInput, analyzeResources, loadPolicyPack, PolicyPackConfig, Violation } from "./analyzer";
import { toPlainJson } from "./wire";

export const PROJECT_ROOT = path.join(__dirname, "..", "..");

/** One planned resource in the plan file (version 1 of the documented shape). */
export interface PlannedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent: string | null;
    readonly provider: string | null;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly dependsOn: readonly string[];
    readonly inputs: Record<string, unknown>;
}

export interface PlanFile {
    readonly version: 1;
    readonly project: string;
    readonly stack: string;
    readonly resources: PlannedResource[];
    readonly policy: { readonly pack: string; readonly violations: Violation[] };
    readonly summary: {
        readonly resources: number;
        readonly byType: Record<string, number>;
        readonly mandatory: number;
        readonly advisory: number;
    };
}

/** Raised for bad usage or config: the plan registers nothing and exits 2. */
export class PlanUsageError extends Error {}

export interface StackConfig {
    readonly values: Record<string, string>;
    readonly secretKeys: string[];
}

/** Pulumi's project name, read from `Pulumi.yaml`. */
export function projectName(root = PROJECT_ROOT): string {
    const project = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string };
    return project.name;
}

/**
 * Reads `Pulumi.<stack>.yaml` into the flat string map the runtime receives. Encrypted (`secure`)
 * values cannot be decrypted offline: they become "[secret]" values, as in the plan file.
 */
export function readStackConfig(stack: string, root = PROJECT_ROOT): StackConfig {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new PlanUsageError(`no stack config ${path.relative(root, file)}: create it, or pick one of ${listStacks(root).join(", ")}`);
    }
    const doc = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(doc.config ?? {})) {
        if (value !== null && typeof value === "object" && "secure" in value) {
            values[key] = "[secret]";
            secretKeys.push(key);
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { values, secretKeys };
}

export function listStacks(root = PROJECT_ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

function toPlanned(r: RecordedResource): PlannedResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent,
        provider: r.provider ? r.provider.split("::").slice(0, -1).join("::") : null,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        dependsOn: r.dependsOn,
        inputs: toPlainJson(r.properties.toJavaScript()) as Record<string, unknown>,
    };
}

/** The engine's view of a registration: explicit providers resolved to their own registration. */
function toAnalyzerInput(r: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>): AnalyzerInput {
    const providerUrn = r.provider?.split("::").slice(0, -1).join("::");
    const provider = providerUrn ? byUrn.get(providerUrn) : undefined;
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties: r.properties,
        parent: r.parent,
        protect: r.protect,
        dependsOn: r.dependsOn,
        provider: provider && { urn: provider.urn, type: provider.type, name: provider.name, properties: provider.properties },
    };
}

export function summarize(resources: readonly PlannedResource[], violations: readonly Violation[]): PlanFile["summary"] {
    const byType: Record<string, number> = {};
    for (const r of resources) {
        byType[r.type] = (byType[r.type] ?? 0) + 1;
    }
    return {
        resources: resources.length,
        byType: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b))),
        mandatory: violations.filter((v) => v.enforcementLevel === "mandatory").length,
        advisory: violations.filter((v) => v.enforcementLevel === "advisory").length,
    };
}

export interface PlanOptions {
    readonly stack: string;
    /** Config map to use instead of `Pulumi.<stack>.yaml` (tests). */
    readonly config?: StackConfig;
    /** Policy config, as `pulumi preview --policy-pack-config` takes it. */
    readonly policyConfig?: PolicyPackConfig;
    /** The program to plan; defaults to the project's program. */
    readonly program?: () => Promise<unknown>;
    readonly root?: string;
    /** Called with every registration once the program has run (also when it failed). */
    readonly onRegistrations?: (resources: readonly RecordedResource[]) => void;
}

/**
 * Plans one stack offline. Throws `ConfigError` (bad config) or `PlanUsageError` (bad usage)
 * before anything is registered.
 */
export async function runPlan(options: PlanOptions): Promise<PlanFile> {
    const root = options.root ?? PROJECT_ROOT;
    const project = projectName(root);
    const config = options.config ?? readStackConfig(options.stack, root);
    const region = config.values["aws:region"] ?? "us-east-1";

    pulumi.runtime.setAllConfig(config.values, config.secretKeys);
    const recording = await recordRegistrations(new PlatformMocks(region), project, options.stack);
    await Promise.all([loadPolicyPack(), loadKubernetesModels()]);
    const program = options.program ?? projectProgram;
    let recorded: RecordedResource[] = [];
    try {
        await program();
    } finally {
        // Drain every outstanding registration, also when the program failed part-way.
        recorded = await recording.done();
        options.onRegistrations?.(recorded);
    }
    const resources = recorded.map(toPlanned);
    const byUrn = new Map(recorded.map((r) => [r.urn, r]));
    // The stack tag the pack reads for environment rules (set it on real stacks: `pulumi stack tag set environment prod`).
    const environment = config.values["ciplatform:environment"];
    const stackTags: Record<string, string> = environment ? { environment } : {};
    const violations = await analyzeResources(recorded.map((r) => toAnalyzerInput(r, byUrn)), options.policyConfig, stackTags);
    const { name: pack } = await loadPolicyPack();
    return {
        version: 1,
        project,
        stack: options.stack,
        resources,
        policy: { pack, violations },
        summary: summarize(resources, violations),
    };
}

export { ConfigError };
