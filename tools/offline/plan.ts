/**
 * The offline plan: runs a project's program for one stack exactly as `pulumi preview` would —
 * the config the CLI builds, Pulumi's own loader (`@pulumi/pulumi/cmd/run`) against a local engine
 * on loopback — then evaluates the policy pack under the real policy host over every resource.
 */
import * as path from "node:path";
import { CONFIG_PARSERS, ConfigError, formatIssue } from "../../stacks/config";
import {
    buildStackConfig,
    CliConfigError,
    CliConfigProblem,
    formatCliProblem,
    listStacks,
    PulumiProject,
    readProject,
    StackConfig,
} from "./cli-config";
import { OfflineEngine, RecordedResource, EngineLog, RecordedRead } from "./engine";
import { keepOutputs, outputsFingerprint, readKeptOutputs } from "./stack-cache";
import { runProgram } from "./language-host";
import {
    AnalyzerInput,
    PLATFORM_POLICY_CONFIG_FILE,
    platformPolicyConfig,
    PolicyConfigError,
    PolicyHost,
    PolicyPackConfig,
    sharedPolicyHost,
    validatePolicyConfig,
    Violation,
} from "./analyzer";
import { RESOURCE_SIG, SECRET_SIG, SPECIAL_SIG_KEY, toPlainJson, UNKNOWN_VALUE } from "./wire";

export const PROJECT_ROOT = path.join(__dirname, "..", "..");

/** The projects of this repository, by the folder name `--project` takes. */
export const PROJECTS: Readonly<Record<string, string>> = {
    platform: PROJECT_ROOT,
    foundation: path.join(PROJECT_ROOT, "foundation"),
};

/** The plan file version `runPlan` writes; readers accept 1 and 2 (`tools/offline/plan.schema.json`, docs/rehearsal.md). */
export const PLAN_FILE_VERSION = 2 as const;

/** One planned resource in the plan file (version 1 fields, and the version 2 additions marked as such). */
export interface PlannedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** Version 2: a component its provider builds (`remote`, e.g. `eks:index:Cluster`): one unit to the engine, created when its provider's Construct returns. */
    readonly remote?: boolean;
    readonly parent: string | null;
    readonly provider: string | null;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    /** Every resource it waits for: explicit `dependsOn` and those its inputs came from (the SDK sends both). */
    readonly dependsOn: readonly string[];
    readonly inputs: Record<string, unknown>;
    /** Version 2: per input property, the resources its value came from (the engine's `propertyDependencies`). */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    /**
     * Version 2: what other resources may name it by once it exists: its id and the identifying outputs
     * the provider computes (`arn`, `name`, `keyId`, `url`, `…Arn`, `…Id`, `…Name`, nested by dotted path)
     * and the inputs that are its own physical name (`name`, an S3 bucket's `bucket`).
     */
    readonly identifiers?: Readonly<Record<string, string>>;
}

/** Version 2: another stack this one reads (a `StackReference`), as the backend would answer it. */
export interface ReferencedStack {
    /** URN of the `StackReference` read. */
    readonly urn: string;
    /** Fully qualified stack name `<organization>/<project>/<stack>`. */
    readonly name: string;
    /** Its outputs (secrets as `"[secret]"`). */
    readonly outputs: Record<string, unknown>;
    /** The backend its project declares (`backend.url` in its `Pulumi.yaml`), or null when chosen by whoever runs `pulumi login`. */
    readonly backend: string | null;
    /** The resources it holds once up (its own plan), which exist before this stack. */
    readonly resources: readonly PlannedResource[];
}

export interface PlanFile {
    readonly version: 1 | 2;
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
    /** Version 2: the stack's outputs (secrets as `"[secret]"`). */
    readonly outputs?: Record<string, unknown>;
    /** Version 2: the stacks it reads through `StackReference`s. */
    readonly stackReferences?: readonly ReferencedStack[];
    /** Version 2: the backend its project declares (`backend.url` of `Pulumi.yaml`), or null. */
    readonly backend?: string | null;
    /** Version 2: the stack's config the CLI gave the program, secrets left out (their keys only, in `secretConfigKeys`): documented inputs, which exist before the stack. */
    readonly config?: Readonly<Record<string, string>>;
    /** Version 2: the keys of secret config values, whose values the plan never holds. */
    readonly secretConfigKeys?: readonly string[];
    /** Version 2: the provider functions the program called (token) and what they answered, in call order: facts that exist before the stack. */
    readonly invokes?: ReadonlyArray<{ readonly token: string; readonly result: Record<string, unknown> }>;
}

/** Raised for bad usage or config the CLI itself refuses: the plan registers nothing and exits 2. */
export class PlanUsageError extends Error {}

/** Raised when the program fails under the loader (a config error included): exit 2. */
export class ProgramError extends Error {
    constructor(
        message: string,
        readonly logs: readonly EngineLog[],
        readonly stderr: string,
    ) {
        super(message);
        this.name = "ProgramError";
    }
}

export interface PlanOptions {
    readonly stack: string;
    /** `platform` (default) or `foundation`, or a project folder. */
    readonly project?: string;
    /** Stack-file keys to set (values as in YAML) or remove (`undefined`) before the CLI merges defaults. */
    readonly configChanges?: Readonly<Record<string, unknown>>;
    /** Policy config, as `pulumi preview --policy-pack-config` takes it (or once under "*"). Default: policy-config.json. */
    readonly policyConfig?: PolicyPackConfig;
    /** Answer computed outputs as unknown, as the first preview of a new stack sees them. */
    readonly newStack?: boolean;
    /** The policy host to use; defaults to one shared by the process. */
    readonly policyHost?: PolicyHost;
    /** Organization of fully qualified stack names. @default "organization" (the S3 backend's) */
    readonly organization?: string;
    /** Called as the plan advances: which phase, how many resources registered or analysed. */
    readonly onProgress?: (progress: PlanProgress) => void;
}

/** Where a plan is, for the CLIs' progress line. */
export type PlanProgress =
    | { readonly phase: "config" | "program" | "done" }
    | { readonly phase: "register"; readonly stack: string; readonly registered: number; readonly type: string }
    | { readonly phase: "reference"; readonly stack: string; readonly kept: boolean }
    | { readonly phase: "policy"; readonly analysed: number; readonly total: number };

export function projectDirOf(project = "platform"): string {
    return PROJECTS[project] ?? path.resolve(project);
}

/** Reads a project and the config the CLI would give the program for `stack`. */
export function cliConfigFor(options: Pick<PlanOptions, "stack" | "project" | "configChanges">): {
    project: PulumiProject;
    config: StackConfig;
} {
    try {
        const project = readProject(projectDirOf(options.project));
        if (!listStacks(project.root).includes(options.stack)) {
            throw new PlanUsageError(
                `project ${project.name} has no stack "${options.stack}" (Pulumi.${options.stack}.yaml); its stacks: ${listStacks(project.root).join(", ")}`,
            );
        }
        return { project, config: buildStackConfig(project, options.stack, options.configChanges) };
    } catch (err) {
        throw err instanceof CliConfigError ? new PlanUsageError(err.message) : err;
    }
}

/** The key through which a platform stack names the foundation stack it reads (a StackReference). */
const STACK_REFERENCE_KEYS: Readonly<Record<string, string>> = { ciplatform: "ciplatform:foundationStack" };

/**
 * Every problem with a stack's config, found before anything starts and reported in one pass: what the CLI
 * refuses (missing keys, wrong types) together with what the program's own validation refuses (values,
 * cross-key rules), each naming the stack file, key, value and what is allowed. For a stack that references
 * another stack of this repository (the platform's foundation), that stack's config is checked too, so a
 * broken foundation fails a platform plan at once with the foundation's own message.
 */
export function preflight(options: Pick<PlanOptions, "stack" | "project" | "configChanges" | "organization">): void {
    const problems = configProblems(options, []);
    if (problems.length > 0) {
        throw new PlanUsageError(problems.join("\n"));
    }
}

function configProblems(
    options: Pick<PlanOptions, "stack" | "project" | "configChanges" | "organization">,
    seen: readonly string[],
): string[] {
    let project: PulumiProject;
    try {
        project = readProject(projectDirOf(options.project));
    } catch (err) {
        throw err instanceof CliConfigError ? new PlanUsageError(err.message) : err;
    }
    if (!listStacks(project.root).includes(options.stack)) {
        throw new PlanUsageError(
            `project ${project.name} has no stack "${options.stack}" (Pulumi.${options.stack}.yaml); its stacks: ${listStacks(project.root).join(", ")}`,
        );
    }
    const file = path.relative(process.cwd(), path.join(project.root, `Pulumi.${options.stack}.yaml`));
    const cli: CliConfigProblem[] = [];
    let config: StackConfig;
    try {
        config = buildStackConfig(project, options.stack, options.configChanges, cli);
    } catch (err) {
        throw err instanceof CliConfigError ? new PlanUsageError(err.message) : err;
    }
    const lines: string[] = [];
    const parse = CONFIG_PARSERS[project.name];
    const reported = new Set<string>();
    if (parse) {
        try {
            parse(config.values, options.stack, new Set(config.secretKeys));
        } catch (err) {
            if (!(err instanceof ConfigError)) {
                throw err;
            }
            for (const issue of err.issues) {
                reported.add(issue.key);
                lines.push(`  - ${formatIssue(issue)}`);
            }
        }
    }
    // The CLI's own refusals, for keys the program's validation did not already explain.
    for (const p of cli.filter((c) => !reported.has(c.key))) {
        lines.push(`  - ${formatCliProblem(p)}`);
    }
    const problems = lines.length > 0 ? [`Invalid stack configuration in ${file}:`, ...lines] : [];

    const referenceKey = STACK_REFERENCE_KEYS[project.name];
    const referenced = referenceKey ? config.values[referenceKey] : undefined;
    const target = referenced ? localStack(referenced, options.organization ?? "organization") : undefined;
    if (target && referenceKey && !seen.includes(referenced as string)) {
        const inner = configProblems({ project: target.project, stack: target.stack, organization: options.organization }, [
            ...seen,
            `${options.organization ?? "organization"}/${project.name}/${options.stack}`,
        ]);
        if (inner.length > 0) {
            problems.push(
                `The stack ${referenced} that ${referenceKey} references cannot be planned, so neither can this one (fix it first):`,
                ...inner,
            );
        }
    }
    return problems;
}

/** The project key and stack of a fully qualified stack name that is a stack of this repository. */
function localStack(name: string, organization: string): { project: string; stack: string } | undefined {
    const [org, projectName, stack] = name.split("/");
    if (org !== organization || !projectName || !stack) {
        return undefined;
    }
    const project = Object.keys(PROJECTS).find((key) => readProject(PROJECTS[key]).name === projectName);
    return project && listStacks(PROJECTS[project]).includes(stack) ? { project, stack } : undefined;
}

const STACK_TYPE = "pulumi:pulumi:Stack";

function providerUrnOf(reference: string | null): string | null {
    return reference ? reference.split("::").slice(0, -1).join("::") : null;
}

/**
 * Default providers, as the engine creates them: one per package and version for resources
 * without an explicit provider, configured from the stack's `<package>:*` config.
 */
function withDefaultProviders(
    recorded: readonly RecordedResource[],
    config: StackConfig,
    stack: string,
    project: string,
): Array<RecordedResource & { defaultProvider?: string }> {
    const providers = new Map<string, RecordedResource>();
    const out: Array<RecordedResource & { defaultProvider?: string }> = [];
    for (const r of recorded) {
        if (!r.custom || r.provider || r.type.startsWith("pulumi:providers:")) {
            out.push(r);
            continue;
        }
        const pkg = r.type.split(":")[0];
        const urn = `urn:pulumi:${stack}::${project}::pulumi:providers:${pkg}::default`;
        if (!providers.has(urn)) {
            const properties = Object.fromEntries(
                Object.entries(config.values)
                    .filter(([k]) => k.startsWith(`${pkg}:`))
                    .map(([k, v]) => [
                        k.slice(pkg.length + 1),
                        config.secretKeys.includes(k) ? { [SPECIAL_SIG_KEY]: SECRET_SIG, value: v } : v,
                    ]),
            );
            const provider: RecordedResource = {
                urn,
                type: `pulumi:providers:${pkg}`,
                name: "default",
                custom: true,
                remote: false,
                parent: null,
                provider: null,
                protect: false,
                retainOnDelete: false,
                dependsOn: [],
                propertyDependencies: {},
                properties,
                outputs: properties,
            };
            providers.set(urn, provider);
            out.push(provider);
        }
        out.push({ ...r, defaultProvider: urn });
    }
    return out;
}

/** Output keys that name a resource (what another resource's input may carry to point at it). */
const IDENTIFIER_KEY = /^(?:id|arn|name|keyId|url|bucket)$|(?:Arn|Id|Name|Url)$/;
/** Inputs that are a resource's own physical name, by type prefix. */
const OWN_NAME_INPUTS: ReadonlyArray<readonly [RegExp, string]> = [
    [/^aws:s3\/bucket(?:V2)?:/, "bucket"],
    [/^(?:aws|eks):/, "name"],
];

/** A resource's identifiers: its id, the identifying outputs the provider computed, and its own physical name inputs. */
export function identifiersOf(r: Pick<RecordedResource, "type" | "properties" | "outputs" | "id">): Record<string, string> {
    const out: Record<string, string> = {};
    if (r.id) {
        out.id = r.id;
    }
    const visit = (value: unknown, key: string, depth: number): void => {
        if (typeof value === "string") {
            if (IDENTIFIER_KEY.test(key.split(".").pop() ?? "") && value !== UNKNOWN_VALUE && value.length <= 512 && !/\s/.test(value)) {
                out[key] = value;
            }
        } else if (depth < 2 && value !== null && typeof value === "object" && !Array.isArray(value)) {
            for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
                visit(v, `${key}.${k}`, depth + 1);
            }
        }
    };
    for (const [key, value] of Object.entries(r.outputs)) {
        if (!(key in r.properties)) {
            visit(value, key, 0);
        }
    }
    for (const [pattern, key] of OWN_NAME_INPUTS) {
        if (pattern.test(r.type) && typeof r.properties[key] === "string") {
            out[key] = r.properties[key] as string;
            break;
        }
    }
    return out;
}

function toPlanned(r: RecordedResource): PlannedResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        remote: r.remote,
        parent: r.parent,
        provider: providerUrnOf(r.provider),
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        dependsOn: r.dependsOn,
        inputs: toPlainJson(r.properties) as Record<string, unknown>,
        propertyDependencies: r.propertyDependencies,
        identifiers: r.custom || r.remote ? identifiersOf(r) : {},
    };
}

/**
 * What analyzers receive of a property: the engine marshals for them without resource references
 * (the policy SDK cannot read them), so a custom resource becomes its id (unknown until known) and a
 * component its URN; secrets and unknowns stay marked.
 */
export function withoutResourceReferences(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(withoutResourceReferences);
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const obj = value as Record<string, unknown>;
    if (obj[SPECIAL_SIG_KEY] === RESOURCE_SIG) {
        return "id" in obj ? (obj.id === "" ? UNKNOWN_VALUE : obj.id) : obj.urn;
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, withoutResourceReferences(v)]));
}

/** The engine's view of a registration for the pack: its provider resolved to that provider's registration. */
function toAnalyzerInput(r: RecordedResource & { defaultProvider?: string }, byUrn: ReadonlyMap<string, RecordedResource>): AnalyzerInput {
    const provider = byUrn.get(r.defaultProvider ?? providerUrnOf(r.provider) ?? "");
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties: withoutResourceReferences(r.properties) as Record<string, unknown>,
        parent: r.parent,
        protect: r.protect,
        dependsOn: r.dependsOn,
        propertyDependencies: r.propertyDependencies,
        provider: provider && {
            urn: provider.urn,
            type: provider.type,
            name: provider.name,
            properties: withoutResourceReferences(provider.properties) as Record<string, unknown>,
        },
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

/** What a program's failure says: the errors it logged through the engine, else its stderr. */
function failureMessage(stack: string, code: number, logs: readonly EngineLog[], stderr: string): string {
    const errors = logs.filter((l) => l.severity === "error").map((l) => l.message.trim());
    const detail = errors.length > 0 ? errors.join("\n") : stderr.trim();
    return `The program failed while planning stack "${stack}" (exit ${code}):\n${detail}`;
}

/**
 * A referenced stack's outputs, as the backend would hold them after its last `up`: this
 * repository's project of that name, planned with realistic outputs (its own stack file and defaults).
 */
const referencedStacks = new Map<string, Promise<Omit<ReferencedStack, "urn" | "name"> | undefined>>();

/**
 * A referenced stack as the backend holds it: outputs (wire form) for the engine; the plan keeps the rest. Kept
 * as a backend keeps it while the referenced stack's sources and config are unchanged, else that stack is
 * planned (once per process and fingerprint) and kept.
 */
export async function referencedStack(
    name: string,
    organization: string,
    seen: readonly string[] = [],
    onProgress?: PlanOptions["onProgress"],
): Promise<Omit<ReferencedStack, "urn" | "name"> | undefined> {
    const target = localStack(name, organization);
    // Keyed by fingerprint too: a stack file edited while the process runs (tests do) is planned again.
    const key = target ? `${name}@${outputsFingerprint(PROJECT_ROOT, PROJECTS[target.project], target.stack)}` : name;
    if (!referencedStacks.has(key)) {
        referencedStacks.set(key, planReferencedStack(name, organization, seen, onProgress));
    }
    return referencedStacks.get(key);
}

async function planReferencedStack(
    name: string,
    organization: string,
    seen: readonly string[],
    onProgress?: PlanOptions["onProgress"],
): Promise<Omit<ReferencedStack, "urn" | "name"> | undefined> {
    const [org, projectName, stack] = name.split("/");
    if (org !== organization || !projectName || !stack || seen.includes(name)) {
        return undefined;
    }
    const projectKey = Object.keys(PROJECTS).find((key) => readProject(PROJECTS[key]).name === projectName);
    if (!projectKey || !listStacks(PROJECTS[projectKey]).includes(stack)) {
        return undefined;
    }
    // Kept as a backend keeps it: reused until the referenced stack's program, engine, SDKs or config change.
    const fingerprint = outputsFingerprint(PROJECT_ROOT, PROJECTS[projectKey], stack);
    const kept = readKeptOutputs(PROJECT_ROOT, name, fingerprint) as Omit<ReferencedStack, "urn" | "name"> | undefined;
    onProgress?.({ phase: "reference", stack: name, kept: kept !== undefined });
    if (kept) {
        return kept;
    }
    const { engine, project } = await runProgramOnly({ project: projectKey, stack, organization, onProgress }, [...seen, name]);
    const held = {
        outputs: engine.outputs,
        backend: project.backendUrl ?? null,
        resources: engine.resources.filter((r) => r.type !== STACK_TYPE).map(toPlanned),
    };
    keepOutputs(PROJECT_ROOT, name, fingerprint, held);
    return held;
}

/** Runs a program under the loader against the offline engine; throws `ProgramError` when it fails. */
async function runProgramOnly(
    options: PlanOptions,
    seen: readonly string[] = [],
): Promise<{ engine: OfflineEngine; project: PulumiProject; config: StackConfig }> {
    const { project, config } = cliConfigFor(options);
    const organization = options.organization ?? "organization";
    const region = config.values["aws:region"] ?? "us-east-1";
    const self = `${organization}/${project.name}/${options.stack}`;
    const engine = new OfflineEngine({
        project: project.name,
        stack: options.stack,
        region,
        newStack: options.newStack,
        stackOutputs: async (name) => (await referencedStack(name, organization, [...seen, self], options.onProgress))?.outputs,
        onRegister: (registered, type) => options.onProgress?.({ phase: "register", stack: self, registered, type }),
    });
    try {
        const address = await engine.start();
        const run = await runProgram({ project, stack: options.stack, config, address, organization });
        if (run.code !== 0 || engine.logs.some((l) => l.severity === "error")) {
            throw new ProgramError(failureMessage(options.stack, run.code, engine.logs, run.stderr), engine.logs, run.stderr);
        }
    } finally {
        await engine.stop();
    }
    return { engine, project, config };
}

/** The plan file's record of the stacks a program read through `StackReference`s. */
async function stackReferencesOf(reads: readonly RecordedRead[], organization: string): Promise<ReferencedStack[]> {
    const out: ReferencedStack[] = [];
    for (const read of reads.filter((r) => r.type === "pulumi:pulumi:StackReference")) {
        const held = await referencedStack(read.id, organization, []);
        out.push({
            urn: read.urn,
            name: read.id,
            outputs: toPlainJson(held?.outputs ?? read.outputs.outputs ?? {}) as Record<string, unknown>,
            backend: held?.backend ?? null,
            resources: held?.resources ?? [],
        });
    }
    return out;
}

/**
 * Plans one stack as `pulumi preview` would and evaluates the pack over it. Throws
 * `PlanUsageError` (what the CLI refuses) or `ProgramError` (the program failed) — then nothing is analysed.
 */
export async function runPlan(
    options: PlanOptions,
): Promise<PlanFile & { readonly version: 2; readonly outputs: Record<string, unknown>; readonly logs: readonly EngineLog[] }> {
    options.onProgress?.({ phase: "config" });
    preflight(options); // every config problem, the referenced foundation's included, before starting anything
    const hostReady = options.policyHost ? Promise.resolve(options.policyHost) : sharedPolicyHost();
    hostReady.catch(() => undefined);
    // This platform's policy config (policy-config.json) unless the caller gives one: checked against the
    // schemas the pack declares before the program runs.
    const policyConfig = options.policyConfig ?? platformPolicyConfig();
    try {
        validatePolicyConfig(policyConfig, (await hostReady).info);
    } catch (err) {
        throw options.policyConfig === undefined && err instanceof PolicyConfigError
            ? new PolicyConfigError(`${PLATFORM_POLICY_CONFIG_FILE}: ${err.message}`)
            : err;
    }
    options.onProgress?.({ phase: "program" });
    const { engine, project, config } = await runProgramOnly(options);

    const recorded = withDefaultProviders(engine.resources, config, options.stack, project.name);
    const byUrn = new Map<string, RecordedResource>(recorded.map((r) => [r.urn, r]));
    const resources = recorded.filter((r) => r.type !== STACK_TYPE).map(toPlanned);
    const environment = config.values[`${project.name}:environment`];
    const host = await hostReady;
    const violations = await host.analyze(
        recorded.map((r) => toAnalyzerInput(r, byUrn)),
        policyConfig,
        // The stack tag the pack reads for environment rules (set it on real stacks: `pulumi stack tag set environment prod`).
        { project: project.name, stack: options.stack, dryRun: true, tags: environment ? { environment } : {} },
        (analysed, total) => options.onProgress?.({ phase: "policy", analysed, total }),
    );
    options.onProgress?.({ phase: "done" });
    return {
        version: PLAN_FILE_VERSION,
        project: project.name,
        stack: options.stack,
        resources,
        policy: { pack: host.info.name, violations },
        summary: summarize(resources, violations),
        outputs: toPlainJson(engine.outputs) as Record<string, unknown>,
        stackReferences: await stackReferencesOf(engine.reads, options.organization ?? "organization"),
        backend: project.backendUrl ?? null,
        config: Object.fromEntries(Object.entries(config.values).filter(([key]) => !config.secretKeys.includes(key))),
        secretConfigKeys: [...config.secretKeys],
        invokes: engine.invokes.map((i) => ({ token: i.token, result: toPlainJson(i.result) as Record<string, unknown> })),
        logs: engine.logs,
    };
}
