/**
 * Runs the policy pack the way the Pulumi engine does: the pack's own analyzer service handlers
 * (`configure`, `analyze`, `analyzeStack`, as `@pulumi/policy` serves them over gRPC), fed with
 * the same protobuf requests the engine sends. The handlers are called in-process, so a plan needs
 * no CLI and no network.
 */
import * as path from "node:path";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";

// The exact modules @pulumi/policy uses, so messages and handlers share one protobuf runtime.
const policyDir = path.dirname(require.resolve("@pulumi/policy"));
const fromPolicy = (id: string): string => require.resolve(id, { paths: [policyDir] });
const analyzerProto = require(fromPolicy("@pulumi/pulumi/proto/analyzer_pb")) as typeof import("@pulumi/pulumi/proto/analyzer_pb");
const structProto = require(fromPolicy("google-protobuf/google/protobuf/struct_pb")) as typeof import("google-protobuf/google/protobuf/struct_pb");

export const POLICY_PACK_DIR = path.join(__dirname, "..", "..", "policypack");

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
    readonly properties: Struct;
    readonly parent: string | null;
    readonly protect: boolean;
    readonly dependsOn: readonly string[];
    /** The explicit provider of the resource (its registration), so policies see e.g. `defaultTags`. */
    readonly provider?: { readonly urn: string; readonly type: string; readonly name: string; readonly properties: Struct };
}

/** Per-policy config as `--policy-pack-config` gives it: `{ "<policy>": { "enforcementLevel": ..., ...props } }`. */
export type PolicyPackConfig = Record<string, { enforcementLevel?: EnforcementLevel } & Record<string, unknown>>;

type Handler = (call: { request: unknown }, callback: (err: Error | null | undefined, resp?: unknown) => void) => unknown;

interface AnalyzerHandlers {
    readonly analyze: Handler;
    readonly analyzeStack: Handler;
    readonly configure: Handler;
    readonly configureStack: Handler;
}

interface LoadedPack {
    readonly name: string;
    readonly handlers: AnalyzerHandlers;
    /** Policies the pack serves. */
    readonly policyCount: number;
}

let loaded: Promise<LoadedPack> | undefined;

/**
 * Loads `policypack/index.ts` once per process and captures the analyzer service it serves. The
 * pack binds a loopback gRPC port as it would for the CLI; we shut that server down at once.
 */
export function loadPolicyPack(entry = path.join(POLICY_PACK_DIR, "index.ts")): Promise<LoadedPack> {
    loaded ??= new Promise<LoadedPack>((resolve, reject) => {
        // Patch the gRPC server of the @pulumi/policy the entry itself loads (a peer pack may bring its own copy).
        const entryPolicy = path.dirname(require.resolve("@pulumi/policy", { paths: [path.dirname(entry)] }));
        const entryGrpc = require(require.resolve("@grpc/grpc-js", { paths: [entryPolicy] })) as typeof import("@grpc/grpc-js");
        const serverProto = entryGrpc.Server.prototype;
        const addService = serverProto.addService;
        const bindAsync = serverProto.bindAsync;
        let handlers: AnalyzerHandlers | undefined;
        const policyProto = require(path.join(entryPolicy, "server.js")) as { serve: (...args: unknown[]) => void };
        const serve = policyProto.serve;
        let policyCount = 0;
        // Count the policies the pack hands to the server (its 4th argument carries them).
        policyProto.serve = (...args: unknown[]) => {
            policyCount = ((args[3] as { policies?: unknown[] } | undefined)?.policies ?? []).length;
            return serve(...args);
        };
        serverProto.addService = function (this: import("@grpc/grpc-js").Server, service, implementation) {
            handlers = implementation as unknown as AnalyzerHandlers;
            return addService.call(this, service, implementation);
        };
        // The CLI reads the port from stdout; offline nobody connects, so the server is closed unbound.
        serverProto.bindAsync = function (this: import("@grpc/grpc-js").Server) {
            this.forceShutdown();
        } as typeof bindAsync;
        const cwd = process.cwd();
        try {
            process.chdir(path.dirname(entry)); // PolicyPack reads its version from ./package.json.
            const pack = require(entry) as { policyPack?: { name: string } };
            if (!handlers) {
                throw new Error("policypack/index.ts did not construct a PolicyPack");
            }
            resolve({ name: pack.policyPack?.name ?? "ciplatform", handlers, policyCount });
        } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
        } finally {
            process.chdir(cwd);
            serverProto.addService = addService;
            serverProto.bindAsync = bindAsync;
            policyProto.serve = serve;
        }
    });
    return loaded;
}

function invoke<T>(handler: Handler, request: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        void handler({ request }, (err, resp) => (err ? reject(err) : resolve(resp as T)));
    });
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

function providerOf(input: AnalyzerInput): import("@pulumi/pulumi/proto/analyzer_pb").AnalyzerProviderResource | undefined {
    if (!input.provider) {
        return undefined;
    }
    const provider = new analyzerProto.AnalyzerProviderResource();
    provider.setUrn(input.provider.urn);
    provider.setType(input.provider.type);
    provider.setName(input.provider.name);
    provider.setProperties(asStruct(input.provider.properties));
    return provider;
}

function options(input: AnalyzerInput): import("@pulumi/pulumi/proto/analyzer_pb").AnalyzerResourceOptions {
    const opts = new analyzerProto.AnalyzerResourceOptions();
    opts.setProtect(input.protect);
    if (input.parent) {
        opts.setParent(input.parent);
    }
    return opts;
}

/** Rebuilds a struct with the policy package's protobuf runtime (the program may hold another copy). */
function asStruct(properties: Struct): import("google-protobuf/google/protobuf/struct_pb").Struct {
    // Structs from another copy of google-protobuf are rebuilt; ours are passed as they are.
    const fromOtherRuntime = !((properties as unknown) instanceof structProto.Struct);
    return fromOtherRuntime ? structProto.Struct.fromJavaScript(properties.toJavaScript() as Record<string, never>) : (properties as unknown as import("google-protobuf/google/protobuf/struct_pb").Struct);
}

/** The engine prefixes each message with the policy's description; the plan keeps just the finding. */
function withoutDescription(message: string, description: string): string {
    return description && message.startsWith(`${description}\n`) ? message.slice(description.length + 1) : message;
}

function toViolations(response: import("@pulumi/pulumi/proto/analyzer_pb").AnalyzeResponse, fallbackUrn: string): Violation[] {
    return response.getDiagnosticsList().map((d) => ({
        policy: d.getPolicyname(),
        enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? "advisory",
        urn: d.getUrn() || fallbackUrn,
        message: withoutDescription(d.getMessage(), d.getDescription()),
    }));
}

/**
 * The pack's one config block may be given once under "*": it is copied to every policy (policy
 * entries still override it), which is what `pulumi preview --policy-pack-config` needs spelled out.
 */
export function expandSharedConfig(config: PolicyPackConfig): PolicyPackConfig {
    const { "*": shared, ...perPolicy } = config;
    if (!shared) {
        return perPolicy;
    }
    const { enforcementLevel: _ignored, ...block } = shared;
    return Object.fromEntries([...declaredLevels().keys()].map((name) => [name, { ...block, ...perPolicy[name] }]));
}

/** Each policy's own enforcement level, which the engine sends when config does not override it. */
function declaredLevels(): Map<string, EnforcementLevel> {
    const { policies } = require(path.join(POLICY_PACK_DIR, "policies.ts")) as { policies: Array<{ name: string; enforcementLevel?: EnforcementLevel }> };
    return new Map(policies.map((p) => [p.name, p.enforcementLevel ?? "mandatory"]));
}

/**
 * Evaluates the pack over a set of resources: `configure` with the policy config, `analyze` for
 * each resource (resource policies), then `analyzeStack` once (stack policies).
 */
export async function analyzeResources(inputs: readonly AnalyzerInput[], config: PolicyPackConfig = {}, stackTags: Readonly<Record<string, string>> = {}): Promise<Violation[]> {
    const { handlers } = await loadPolicyPack();

    // Stack tags, as the engine sends them before analysis (policies read e.g. the environment).
    const stackConfigure = new analyzerProto.AnalyzerStackConfigureRequest();
    const tags = stackConfigure.getTagsMap();
    for (const [key, value] of Object.entries(stackTags)) {
        tags.set(key, value);
    }
    await invoke(handlers.configureStack, stackConfigure);

    const configure = new analyzerProto.ConfigureAnalyzerRequest();
    const policyConfig = configure.getPolicyconfigMap();
    for (const [policy, { enforcementLevel, ...properties }] of Object.entries(expandSharedConfig(config))) {
        const entry = new analyzerProto.PolicyConfig();
        entry.setEnforcementlevel(LEVEL_CODES[enforcementLevel ?? declaredLevels().get(policy) ?? "mandatory"]);
        entry.setProperties(structProto.Struct.fromJavaScript(properties as Record<string, never>));
        policyConfig.set(policy, entry);
    }
    await invoke(handlers.configure, configure);

    const violations: Violation[] = [];
    const stackResources = [];
    for (const input of inputs) {
        const properties = asStruct(input.properties);
        const request = new analyzerProto.AnalyzeRequest();
        request.setType(input.type);
        request.setName(input.name);
        request.setUrn(input.urn);
        request.setProperties(properties);
        request.setOptions(options(input));
        request.setProvider(providerOf(input));
        violations.push(...toViolations(await invoke(handlers.analyze, request), input.urn));

        const resource = new analyzerProto.AnalyzerResource();
        resource.setType(input.type);
        resource.setName(input.name);
        resource.setUrn(input.urn);
        resource.setProperties(properties);
        resource.setOptions(options(input));
        resource.setProvider(providerOf(input));
        resource.setParent(input.parent ?? "");
        resource.setDependenciesList([...input.dependsOn]);
        stackResources.push(resource);
    }
    const stackRequest = new analyzerProto.AnalyzeStackRequest();
    stackRequest.setResourcesList(stackResources);
    violations.push(...toViolations(await invoke(handlers.analyzeStack, stackRequest), ""));
    return violations;
}
