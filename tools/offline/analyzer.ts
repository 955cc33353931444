/**
 * Runs the policy pack the way the Pulumi CLI does: starts it with `@pulumi/pulumi/cmd/run-policy-pack`
 * in the pack's folder (ts-node, the pack's own tsconfig and TypeScript), reads the port it prints,
 * and calls its Analyzer service over gRPC: `GetAnalyzerInfo`, `ConfigureStack`, `Configure` with the
 * policy config as `--policy-pack-config` gives it, `Remediate` then `Analyze` per resource, then `AnalyzeStack`.
 */
import { ChildProcess, spawn } from "node:child_process";
import { isDeepStrictEqual } from "node:util";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { analyzerProto, analyzerRpc, emptyProto, grpc, jspb, structProto, unary } from "./grpc";
import type { Struct } from "./grpc";

export const POLICY_PACK_DIR = path.join(__dirname, "..", "..", "policypack");
/**
 * This platform's policy config: the exemptions its own resources need, each with its reason, and its admin
 * roles. The pack itself ships neutral defaults; `npm run plan`, `npm run policy`, `npm run rehearse` and both CI
 * pipelines (`pulumi preview/up --policy-pack-config policy-config.json`) give the pack this file by default.
 */
export const PLATFORM_POLICY_CONFIG_FILE = path.join(__dirname, "..", "..", "policy-config.json");
/** The policy that reports every exempted finding: its block must list every exemption the file grants. */
const EXEMPTIONS_REPORT_POLICY = "pack-report-exemptions";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

/** One finding, in the plan file's shape. */
export interface Violation {
    readonly policy: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly urn: string;
    readonly message: string;
}

/** What the engine knows about a resource when it asks the pack. */
export interface AnalyzerInput {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Inputs in Pulumi's wire form (secrets, unknowns and resource references marked). */
    readonly properties: Record<string, unknown>;
    readonly parent: string | null;
    readonly protect: boolean;
    readonly dependsOn: readonly string[];
    /** Per input property, the resources its value came from. */
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    /** The explicit provider of the resource (its registration), so policies see e.g. `defaultTags`. */
    readonly provider?: {
        readonly urn: string;
        readonly type: string;
        readonly name: string;
        readonly properties: Record<string, unknown>;
    };
}

/** Per-policy config as `--policy-pack-config` gives it: `{ "<policy>": { "enforcementLevel": ..., ...props } }`. */
export type PolicyPackConfig = Record<string, { enforcementLevel?: EnforcementLevel } & Record<string, unknown>>;

/** What the engine tells the pack about the stack before analysing it. */
export interface StackInfo {
    readonly project?: string;
    readonly stack?: string;
    readonly organization?: string;
    readonly dryRun?: boolean;
    /** Stack tags (`pulumi stack tag set`); policies read e.g. the environment. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** The pack as the policy host describes it. */
export interface PackInfo {
    readonly name: string;
    readonly version: string;
    /** Each policy's own enforcement level. */
    readonly policies: ReadonlyMap<string, EnforcementLevel>;
    /** Each policy's config schema (JSON schema `properties` and `required`), as the pack declares it. */
    readonly configSchemas?: ReadonlyMap<string, { properties: Record<string, unknown>; required: string[] }>;
    /** Each policy's description: what it requires, i.e. the fix for its findings. */
    readonly descriptions?: ReadonlyMap<string, string>;
}

const LEVELS: Record<number, EnforcementLevel> = {
    [analyzerProto.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerProto.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerProto.EnforcementLevel.REMEDIATE]: "remediate",
    [analyzerProto.EnforcementLevel.DISABLED]: "disabled",
};

const LEVEL_CODES: Record<EnforcementLevel, number> = {
    advisory: analyzerProto.EnforcementLevel.ADVISORY,
    mandatory: analyzerProto.EnforcementLevel.MANDATORY,
    remediate: analyzerProto.EnforcementLevel.REMEDIATE,
    disabled: analyzerProto.EnforcementLevel.DISABLED,
};

/** Raised when the pack does not start or does not answer: a broken pack fails the run. */
export class PolicyHostError extends Error {}

/** Policy config the pack cannot take: refused before the pack sees it, naming the policy and key. */
export class PolicyConfigError extends PolicyHostError {}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction>();

/** `/exemptions/0/reason` as a reader writes it: `exemptions[0].reason`. */
function keyPath(error: ErrorObject): string {
    const parts = error.instancePath
        .split("/")
        .slice(1)
        .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    const missing =
        error.keyword === "required"
            ? [String((error.params as { missingProperty?: string }).missingProperty)]
            : error.keyword === "additionalProperties"
              ? [String((error.params as { additionalProperty?: string }).additionalProperty)]
              : [];
    return [...parts, ...missing].reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

/**
 * Checks policy config against the pack before configuring it, as the CLI validates
 * `--policy-pack-config`: every policy named must exist, every enforcement level must be one the
 * engine knows, every key must be one the policy's schema declares, and every value must match it.
 * Throws one PolicyConfigError listing each problem as `<policy>.<key>: <what is wrong>`.
 */
export function validatePolicyConfig(config: PolicyPackConfig, info: PackInfo): void {
    const problems: string[] = [];
    if (config === null || typeof config !== "object" || Array.isArray(config)) {
        throw new PolicyConfigError('policy config must be a JSON object of { "<policy>": { ... } }');
    }
    for (const [policy, block] of Object.entries(config)) {
        const known = policy === "*" || info.policies.has(policy);
        if (!known) {
            problems.push(`${policy}: no such policy in pack "${info.name}" (policies: ${[...info.policies.keys()].join(", ")})`);
            continue;
        }
        if (block === null || typeof block !== "object" || Array.isArray(block)) {
            problems.push(`${policy}: must be an object of settings`);
            continue;
        }
        const { enforcementLevel, ...properties } = block;
        if (enforcementLevel !== undefined && !Object.hasOwn(LEVEL_CODES, String(enforcementLevel))) {
            problems.push(
                `${policy}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not a level; use ${Object.keys(LEVEL_CODES).join(", ")}`,
            );
        }
        // "*" is one block for every policy: judged against the first policy's schema (the pack's policies share one).
        const schemaOf = policy === "*" ? [...(info.configSchemas?.values() ?? [])][0] : info.configSchemas?.get(policy);
        if (!schemaOf) {
            continue;
        }
        for (const key of Object.keys(properties)) {
            if (!Object.hasOwn(schemaOf.properties, key)) {
                problems.push(`${policy}.${key}: unknown setting (known: ${Object.keys(schemaOf.properties).join(", ")})`);
            }
        }
        const cacheKey = JSON.stringify(schemaOf);
        let validate = validators.get(cacheKey);
        if (!validate) {
            validate = ajv.compile({ type: "object", properties: schemaOf.properties, required: schemaOf.required });
            validators.set(cacheKey, validate);
        }
        if (!validate(properties)) {
            for (const error of validate.errors ?? []) {
                const key = keyPath(error);
                problems.push(
                    `${policy}${key ? `.${key}` : ""}: ${error.message ?? "invalid"} (got ${JSON.stringify(valueAt(properties, error.instancePath))})`,
                );
            }
        }
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(`invalid policy config:\n  ${problems.join("\n  ")}`);
    }
}

/**
 * Reads a policy config file (the per-policy form `--policy-pack-config` takes). Refuses, with a
 * PolicyConfigError naming the file and key, a file that is not a JSON object, and exemptions that would be
 * silent or lopsided: the real CLI hands each policy its own block, so an exemption is written under each
 * policy it names and once under `pack-report-exemptions` (which reports it with its reason), and every copy
 * must be the same. The settings themselves are checked against the pack's schemas by `validatePolicyConfig`.
 */
export function readPolicyConfigFile(file: string): PolicyPackConfig {
    let config: unknown;
    try {
        config = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new PolicyConfigError(`${file}: ${(err as Error).message}`);
    }
    if (config === null || typeof config !== "object" || Array.isArray(config)) {
        throw new PolicyConfigError(`${file}: policy config must be a JSON object of { "<policy>": { ... } }`);
    }
    const blocks = config as PolicyPackConfig;
    const exemptionsOf = (policy: string): unknown[] => {
        const list = (blocks[policy] as { exemptions?: unknown } | undefined)?.exemptions;
        return Array.isArray(list) ? list : [];
    };
    const reported = exemptionsOf(EXEMPTIONS_REPORT_POLICY);
    const problems: string[] = [];
    for (const policy of Object.keys(blocks)) {
        if (policy === EXEMPTIONS_REPORT_POLICY || policy === "*") {
            continue;
        }
        exemptionsOf(policy).forEach((exemption, i) => {
            if (!reported.some((r) => isDeepStrictEqual(r, exemption))) {
                problems.push(
                    `${policy}.exemptions[${i}]: not listed under ${EXEMPTIONS_REPORT_POLICY}.exemptions (every exemption is reported with its reason): add the same object there`,
                );
            }
            const names = (exemption as { policies?: unknown } | null)?.policies;
            if (Array.isArray(names) && !names.includes(policy)) {
                problems.push(
                    `${policy}.exemptions[${i}].policies: ${JSON.stringify(names)} does not name ${policy}, whose block holds it`,
                );
            }
        });
    }
    if (!Object.hasOwn(blocks, "*")) {
        reported.forEach((exemption, i) => {
            const names = (exemption as { policies?: unknown } | null)?.policies;
            for (const policy of Array.isArray(names) ? names : []) {
                if (typeof policy === "string" && !exemptionsOf(policy).some((e) => isDeepStrictEqual(e, exemption))) {
                    problems.push(
                        `${EXEMPTIONS_REPORT_POLICY}.exemptions[${i}]: names ${policy}, but ${policy}.exemptions does not hold the same object, so ${policy} would still enforce it`,
                    );
                }
            }
        });
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(`${file}: invalid policy config:\n  ${problems.join("\n  ")}`);
    }
    return blocks;
}

/** Every exemption the platform's policy config grants (its `pack-report-exemptions` block lists them all), for docs and tests. */
export function platformExemptions(): ReadonlyArray<{
    readonly resourceName?: string;
    readonly tag?: { readonly key: string; readonly value: string };
    readonly policies?: readonly string[];
    readonly reason: string;
}> {
    return (platformPolicyConfig()[EXEMPTIONS_REPORT_POLICY]?.exemptions ?? []) as ReturnType<typeof platformExemptions>;
}

let platformConfig: PolicyPackConfig | undefined;

/** The platform's policy config (PLATFORM_POLICY_CONFIG_FILE), read once: the default of every plan and check. */
export function platformPolicyConfig(): PolicyPackConfig {
    platformConfig ??= readPolicyConfigFile(PLATFORM_POLICY_CONFIG_FILE);
    return platformConfig;
}

function valueAt(root: unknown, pointer: string): unknown {
    return pointer
        .split("/")
        .slice(1)
        .reduce<unknown>(
            (value, part) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined),
            root,
        );
}

/**
 * The pack's one config block may be given once under "*": it is copied to every policy (policy
 * entries still override it), which is what `pulumi preview --policy-pack-config` needs spelled out.
 */
export function expandSharedConfig(config: PolicyPackConfig, policyNames: Iterable<string>): PolicyPackConfig {
    const { "*": shared, ...perPolicy } = config;
    if (!shared) {
        return perPolicy;
    }
    const { enforcementLevel: _ignored, ...block } = shared;
    return Object.fromEntries([...policyNames].map((name) => [name, { ...block, ...perPolicy[name] }]));
}

const struct = (value: Record<string, unknown>): Struct => structProto.Struct.fromJavaScript(value as Record<string, never>);

/**
 * A resource's properties as the engine marshals them for `Analyze` and `AnalyzeStack`: top-level internal keys (`__`
 * prefix, e.g. a bridged provider's `__defaults`) left out, nested ones kept (pulumi/pulumi
 * pkg/resource/plugin/analyzer_plugin.go, `SkipInternalKeys: true` there and `false` for `Remediate`;
 * sdk/go/common/resource/plugin/rpc.go MarshalProperties: "Only skip top level internal keys").
 */
function withoutInternalKeys(properties: Struct): Struct {
    const keys = properties
        .getFieldsMap()
        .getEntryList()
        .map(([key]) => key);
    if (!keys.some((key) => key.startsWith("__"))) {
        return properties;
    }
    const copy = properties.cloneMessage() as Struct;
    for (const key of keys) {
        if (key.startsWith("__")) {
            copy.getFieldsMap().del(key);
        }
    }
    return copy;
}

/** The engine prefixes each message with the policy's description; the plan keeps just the finding. */
function withoutDescription(message: string, description: string): string {
    return description && message.startsWith(`${description}\n`) ? message.slice(description.length + 1) : message;
}

type AnalyzerClient = InstanceType<typeof analyzerRpc.AnalyzerClient>;
type AnalyzerInfo = import("@pulumi/pulumi/proto/analyzer_pb").AnalyzerInfo;
type AnalyzeResponse = import("@pulumi/pulumi/proto/analyzer_pb").AnalyzeResponse;
type RemediateResponse = import("@pulumi/pulumi/proto/analyzer_pb").RemediateResponse;

/** `AnalyzeResponse.diagnostics` (pulumi/pulumi proto/pulumi/analyzer.proto: `repeated AnalyzeDiagnostic diagnostics = 2`). */
export const DIAGNOSTICS_FIELD = 2;

/**
 * Decodes an `AnalyzeResponse` as the offline tools read it: its diagnostics, every other field skipped. The
 * not-applicable records (one per policy that does not apply to the resource's type: ~36 per resource for this pack,
 * about as many for any pack whose policies carry type hints) feed the engine's policy summary, which no offline tool
 * builds; decoding each into a google-protobuf message in JavaScript was most of this client's time per response
 * (measured: docs/performance.md). The engine decodes and reads them too (pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go),
 * in Go, at a fraction of that cost; the bench's pack CPU column, read from the pack's own process, never included it.
 */
export function diagnosticsOnly(bytes: Uint8Array): AnalyzeResponse {
    const response = new analyzerProto.AnalyzeResponse();
    const reader = new jspb.BinaryReader(bytes);
    while (reader.nextField()) {
        if (reader.isEndGroup()) {
            break;
        }
        if (reader.getFieldNumber() === DIAGNOSTICS_FIELD) {
            const diagnostic = new analyzerProto.AnalyzeDiagnostic();
            reader.readMessage(diagnostic, analyzerProto.AnalyzeDiagnostic.deserializeBinaryFromReader);
            response.addDiagnostics(diagnostic);
        } else {
            reader.skipField();
        }
    }
    return response;
}

/** The generated analyzer client, but `Analyze` and `AnalyzeStack` responses decoded by `diagnosticsOnly`. */
const LeanAnalyzerClient = grpc.makeGenericClientConstructor(
    {
        ...analyzerRpc.AnalyzerService,
        analyze: { ...analyzerRpc.AnalyzerService.analyze, responseDeserialize: diagnosticsOnly },
        analyzeStack: { ...analyzerRpc.AnalyzerService.analyzeStack, responseDeserialize: diagnosticsOnly },
    },
    "Analyzer",
) as unknown as typeof analyzerRpc.AnalyzerClient;

/** A resource's options as the engine sends them. */
function optionsOf(input: AnalyzerInput): InstanceType<typeof analyzerProto.AnalyzerResourceOptions> {
    const options = new analyzerProto.AnalyzerResourceOptions();
    options.setProtect(input.protect);
    if (input.parent) {
        options.setParent(input.parent);
    }
    return options;
}

/**
 * A resource's provider as the engine sends it, when it has one: to `Remediate`, `Analyze` and `AnalyzeStack` alike, its
 * properties with top-level internal keys left out (e.g. the `__internal` the engine keeps a provider's plugin download
 * URL under: pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go marshalProvider, `SkipInternalKeys: true`;
 * pkg/resource/deploy/providers/registry.go `internalKey`).
 */
function providerOf(input: AnalyzerInput): InstanceType<typeof analyzerProto.AnalyzerProviderResource> | undefined {
    if (!input.provider) {
        return undefined;
    }
    const provider = new analyzerProto.AnalyzerProviderResource();
    provider.setUrn(input.provider.urn);
    provider.setType(input.provider.type);
    provider.setName(input.provider.name);
    provider.setProperties(withoutInternalKeys(struct(input.provider.properties)));
    return provider;
}

/** A resource's `Remediate` and `Analyze` request, built as its call goes out (as the engine builds it when the resource registers). */
function analyzeRequestOf(input: AnalyzerInput): import("@pulumi/pulumi/proto/analyzer_pb").AnalyzeRequest {
    const request = new analyzerProto.AnalyzeRequest();
    request.setType(input.type);
    request.setName(input.name);
    request.setUrn(input.urn);
    request.setProperties(struct(input.properties));
    request.setOptions(optionsOf(input));
    request.setProvider(providerOf(input));
    return request;
}

/** A resource as `AnalyzeStack` sends it: its state (`properties`, as remediated) with its dependencies. */
function stackResourceOf(input: AnalyzerInput, properties: Struct): InstanceType<typeof analyzerProto.AnalyzerResource> {
    const resource = new analyzerProto.AnalyzerResource();
    resource.setType(input.type);
    resource.setName(input.name);
    resource.setUrn(input.urn);
    resource.setProperties(withoutInternalKeys(properties));
    resource.setOptions(optionsOf(input));
    resource.setProvider(providerOf(input));
    resource.setParent(input.parent ?? "");
    resource.setDependenciesList([...input.dependsOn]);
    for (const [key, urns] of Object.entries(input.propertyDependencies ?? {})) {
        // The engine leaves out a property that depends on no resource (pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go,
        // AnalyzeStack: "Skip properties that have no dependencies"), though the Node SDK registers every input with its
        // list, empty or not: a resource whose inputs come from no resource reaches the pack with no property
        // dependencies at all, and a rule that then falls back to its dependencies (credentials.ts) must see it so here.
        if (urns.length === 0) {
            continue;
        }
        const deps = new analyzerProto.AnalyzerPropertyDependencies();
        deps.setUrnsList([...urns]);
        resource.getPropertydependenciesMap().set(key, deps);
    }
    return resource;
}

/** A running policy pack, started as the CLI's policy host starts it. */
export class PolicyHost {
    private constructor(
        private readonly client: AnalyzerClient,
        readonly info: PackInfo,
        private readonly stderr: () => string,
        private readonly child?: ChildProcess,
        private readonly killOnExit?: () => void,
    ) {}

    /**
     * Starts the pack in `packDir`: `node <pack's @pulumi/pulumi>/cmd/run-policy-pack <engine> .`,
     * resolving the SDK from the pack itself, as the published pack would resolve it.
     */
    static async start(packDir = POLICY_PACK_DIR, options: { timeoutMs?: number; engineAddress?: string } = {}): Promise<PolicyHost> {
        let runPolicyPack: string;
        try {
            runPolicyPack = path.join(
                path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [packDir] })),
                "cmd",
                "run-policy-pack",
            );
        } catch {
            throw new PolicyHostError(
                `the policy pack in ${packDir} cannot start: @pulumi/pulumi is not installed for it (run npm install there)`,
            );
        }
        const env = { ...process.env };
        delete env.NODE_OPTIONS;
        const child = spawn(process.execPath, [runPolicyPack, options.engineAddress ?? "127.0.0.1:0", "."], {
            cwd: packDir,
            env,
            stdio: ["ignore", "pipe", "pipe"],
        });
        // Never outlive the process that started it, also when that process exits before the pack serves.
        const killOnExit = (): void => {
            child.kill("SIGKILL");
        };
        process.once("exit", killOnExit);
        let stdout = "";
        let stderr = "";
        child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const port = await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(() => {
                child.kill("SIGKILL");
                reject(new PolicyHostError(`the policy pack did not start within ${options.timeoutMs ?? 120_000} ms:\n${stderr}`));
            }, options.timeoutMs ?? 120_000);
            child.stdout?.on("data", (chunk: Buffer) => {
                stdout += chunk.toString();
                const line = /^(\d+)\s*$/m.exec(stdout);
                if (line) {
                    clearTimeout(timer);
                    resolve(Number(line[1]));
                }
            });
            child.on("exit", (code) => {
                clearTimeout(timer);
                reject(new PolicyHostError(`the policy pack exited (code ${code}) before serving:\n${stderr}${stdout}`));
            });
        });
        child.removeAllListeners("exit");
        const host = await PolicyHost.connect(`127.0.0.1:${port}`, { stderr: () => stderr, child, killOnExit });
        child.unref();
        (child.stdout as (NodeJS.ReadableStream & { unref?: () => void }) | null)?.unref?.();
        (child.stderr as (NodeJS.ReadableStream & { unref?: () => void }) | null)?.unref?.();
        return host;
    }

    /**
     * Connects to an analyzer that is already serving at `address` (as the engine connects to the port a
     * policy pack prints); `start` uses it once the pack it spawned has printed its port.
     */
    static async connect(
        address: string,
        process?: { stderr?: () => string; child?: ChildProcess; killOnExit?: () => void },
    ): Promise<PolicyHost> {
        const client = new LeanAnalyzerClient(address, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 1024 * 1024 * 400,
        });
        const analyzerInfo = await unary<import("google-protobuf/google/protobuf/empty_pb").Empty, AnalyzerInfo>(
            client.getAnalyzerInfo.bind(client),
            new emptyProto.Empty(),
        );
        const policies = new Map(analyzerInfo.getPoliciesList().map((p) => [p.getName(), LEVELS[p.getEnforcementlevel()] ?? "advisory"]));
        const configSchemas = new Map(
            analyzerInfo.getPoliciesList().flatMap((p) => {
                const schema = p.getConfigschema();
                return schema
                    ? [
                          [
                              p.getName(),
                              {
                                  properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
                                  required: schema.getRequiredList(),
                              },
                          ] as const,
                      ]
                    : [];
            }),
        );
        return new PolicyHost(
            client,
            {
                name: analyzerInfo.getName(),
                version: analyzerInfo.getVersion(),
                policies,
                configSchemas,
                descriptions: new Map(analyzerInfo.getPoliciesList().map((p) => [p.getName(), p.getDescription()])),
            },
            process?.stderr ?? (() => ""),
            process?.child,
            process?.killOnExit,
        );
    }

    /** The pack process's id (the bench reads its CPU time). */
    get pid(): number | undefined {
        return this.child?.pid;
    }

    /** What the pack printed to stderr so far (diagnostics of a failing pack). */
    get log(): string {
        return this.stderr();
    }

    stop(): void {
        this.client.close();
        this.child?.kill();
        if (this.killOnExit) {
            process.removeListener("exit", this.killOnExit);
        }
    }

    /**
     * Evaluates the pack over a set of resources as one preview does: stack configuration, policy
     * configuration, `Remediate` then `Analyze` for each resource, then `AnalyzeStack` once.
     */
    analyze(
        inputs: readonly AnalyzerInput[],
        config: PolicyPackConfig = {},
        stack: StackInfo = {},
        /** Called as resources are analysed: `done` of `total` (the stack analysis counts as the last one). */
        onProgress?: (done: number, total: number) => void,
    ): Promise<Violation[]> {
        // The pack holds one configuration at a time: evaluations take turns.
        const run = this.queue.then(() => this.evaluate(inputs, config, stack, onProgress));
        this.queue = run.then(
            () => undefined,
            () => undefined,
        );
        return run;
    }

    private queue: Promise<void> = Promise.resolve();

    private async evaluate(
        inputs: readonly AnalyzerInput[],
        config: PolicyPackConfig,
        stack: StackInfo,
        onProgress?: (done: number, total: number) => void,
    ): Promise<Violation[]> {
        const client = this.client;
        const stackConfigure = new analyzerProto.AnalyzerStackConfigureRequest();
        stackConfigure.setStack(stack.stack ?? "");
        stackConfigure.setProject(stack.project ?? "");
        stackConfigure.setOrganization(stack.organization ?? "organization");
        stackConfigure.setDryRun(stack.dryRun ?? true);
        for (const [key, value] of Object.entries(stack.tags ?? {})) {
            stackConfigure.getTagsMap().set(key, value);
        }
        await unary(client.configureStack.bind(client), stackConfigure);

        validatePolicyConfig(config, this.info);
        // The engine sends every policy's config: the given block, or the policy's own level.
        const configure = new analyzerProto.ConfigureAnalyzerRequest();
        const expanded = expandSharedConfig(config, this.info.policies.keys());
        for (const [policy, declared] of this.info.policies) {
            const { enforcementLevel, ...properties } = expanded[policy] ?? {};
            const entry = new analyzerProto.PolicyConfig();
            entry.setEnforcementlevel(LEVEL_CODES[enforcementLevel ?? declared]);
            entry.setProperties(struct(properties));
            configure.getPolicyconfigMap().set(policy, entry);
        }
        const unknownPolicies = Object.keys(expanded).filter((p) => !this.info.policies.has(p));
        if (unknownPolicies.length > 0) {
            throw new PolicyHostError(`policy config names policies the pack does not have: ${unknownPolicies.join(", ")}`);
        }
        await unary(client.configure.bind(client), configure);

        const violations: Violation[] = [];
        const toViolations = (response: AnalyzeResponse, fallbackUrn: string): Violation[] =>
            response.getDiagnosticsList().map((d) => ({
                policy: d.getPolicyname(),
                enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? "advisory",
                urn: d.getUrn() || fallbackUrn,
                message: withoutDescription(d.getMessage(), d.getDescription()),
            }));
        // One call at a time, as the engine makes them: its deployment executor handles one event at a time, and
        // generating a resource's steps waits for that resource's analysis (pulumi/pulumi pkg/resource/deploy:
        // deployment_executor.go's main loop calls stepGen.GenerateSteps; step_generator.go generateSteps -> analyzeAll;
        // analyze_snapshot.go analyzeResource runs the analyzers in parallel, one resource, and waits for them).
        // Each resource is first offered for remediation, whatever the policies' levels (step_generator.go, "First pass:
        // perform remediations sequentially", since v3.88.0); the inputs a remediation returns are the ones analysed, and
        // a remediation that could not run says so as an advisory finding. (The engine reports a remediation that changed
        // the inputs as its own event, not a violation: it is not listed here.)
        /** The properties each resource ends with (as remediated): the engine's state of it, which AnalyzeStack reads. */
        const finalProperties: Struct[] = [];
        for (const [index, input] of inputs.entries()) {
            const request = analyzeRequestOf(input);
            const remediated = await unary<import("@pulumi/pulumi/proto/analyzer_pb").AnalyzeRequest, RemediateResponse>(
                client.remediate.bind(client),
                request,
            ).catch((err: { code?: number }) => {
                // A pack too old to implement Remediate: nothing to remediate (analyzer_plugin.go Remediate).
                if (err.code === grpc.status.UNIMPLEMENTED) {
                    return new analyzerProto.RemediateResponse();
                }
                throw err;
            });
            let properties = request.getProperties() as Struct;
            for (const remediation of remediated.getRemediationsList()) {
                const diagnostic = remediation.getDiagnostic();
                if (diagnostic) {
                    violations.push({
                        policy: remediation.getPolicyname(),
                        enforcementLevel: "advisory",
                        urn: input.urn,
                        message: diagnostic,
                    });
                } else if (remediation.hasProperties()) {
                    properties = remediation.getProperties() as Struct;
                }
            }
            finalProperties.push(properties);
            request.setProperties(withoutInternalKeys(properties));
            const response = await unary<import("@pulumi/pulumi/proto/analyzer_pb").AnalyzeRequest, AnalyzeResponse>(
                client.analyze.bind(client),
                request,
            );
            violations.push(...toViolations(response, input.urn));
            onProgress?.(index + 1, inputs.length + 1);
        }
        const stackRequest = new analyzerProto.AnalyzeStackRequest();
        stackRequest.setResourcesList(inputs.map((input, index) => stackResourceOf(input, finalProperties[index])));
        violations.push(
            ...toViolations(
                await unary<import("@pulumi/pulumi/proto/analyzer_pb").AnalyzeStackRequest, AnalyzeResponse>(
                    client.analyzeStack.bind(client),
                    stackRequest,
                ),
                "",
            ),
        );
        onProgress?.(inputs.length + 1, inputs.length + 1);
        return violations;
    }
}

let shared: Promise<PolicyHost> | undefined;

/**
 * One policy host per process for the tools and tests that evaluate many plans: started on first
 * use, reconfigured before every evaluation (as each preview configures it), ended with the process.
 */
export function sharedPolicyHost(): Promise<PolicyHost> {
    // The host kills its pack when this process exits.
    shared ??= PolicyHost.start();
    return shared;
}

/** Evaluates the pack over resources with the shared policy host. */
export async function analyzeResources(
    inputs: readonly AnalyzerInput[],
    config: PolicyPackConfig = {},
    stack: StackInfo = {},
): Promise<Violation[]> {
    return (await sharedPolicyHost()).analyze(inputs, config, stack);
}
