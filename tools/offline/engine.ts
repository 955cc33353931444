/**
 * A small Pulumi engine for offline previews: the ResourceMonitor and Engine gRPC services a
 * program's language runtime talks to during `pulumi preview`, on loopback. It forms URNs as the
 * engine does, answers registrations with deterministic, realistic outputs (or, for a new stack,
 * with every computed output unknown, as the first preview sees them) and records everything.
 */
import * as crypto from "node:crypto";
import type { ServerUnaryCall, sendUnaryData, UntypedServiceImplementation } from "@grpc/grpc-js";
import { PlatformMocks } from "./mocks";
import "./outputs";
import { bindLoopback, emptyProto, engineProto, engineRpc, grpc, resourceProto, resourceRpc, rpcError, Struct, structProto } from "./grpc";
import { OUTPUT_VALUE_SIG, RESOURCE_SIG, SECRET_SIG, SPECIAL_SIG_KEY, UNKNOWN_VALUE } from "./wire";

/** A resource registration exactly as the program sent it to the resource monitor. */
export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly remote: boolean;
    readonly parent: string | null;
    /** Provider reference `<provider urn>::<provider id>`, as the engine receives it. */
    readonly provider: string | null;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly dependsOn: readonly string[];
    /** Per input property, the resources its value came from. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    /** Serialized inputs (secrets, unknowns and resource references in Pulumi's wire form). */
    readonly properties: Record<string, unknown>;
    /** Outputs the engine answered with (wire form). */
    outputs: Record<string, unknown>;
    /** The id the engine answered with ("" while unknown). */
    id?: string;
}

/** A read of an existing resource (`ReadResource`): a `StackReference` included, with what the engine answered. */
export interface RecordedRead {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** The id read (for a `StackReference`, the fully qualified stack name). */
    readonly id: string;
    /** What the engine answered (wire form). */
    readonly outputs: Record<string, unknown>;
}

/** A provider function the program called (`aws:index/getCallerIdentity:getCallerIdentity`, …), with what the engine answered. */
export interface RecordedInvoke {
    readonly token: string;
    /** What the engine answered (plain values). */
    readonly result: Record<string, unknown>;
}

/** One diagnostic the program or the SDK logged through the engine. */
export interface EngineLog {
    readonly severity: "debug" | "info" | "warning" | "error";
    readonly message: string;
    readonly urn: string;
}

export interface OfflineEngineOptions {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    /** Answer computed outputs as unknown, as the first preview of a new stack sees them. */
    readonly newStack?: boolean;
    /**
     * The outputs of another stack, by its fully qualified name (`<org>/<project>/<stack>`), as the
     * engine reads them from the backend for a `StackReference`; undefined when no such stack exists.
     */
    readonly stackOutputs?: (name: string) => Promise<Record<string, unknown> | undefined>;
    /** Called after each registration (progress for the CLIs). */
    readonly onRegister?: (count: number, type: string) => void;
}

const SEVERITIES = ["debug", "info", "warning", "error"] as const;
const STACK_TYPE = "pulumi:pulumi:Stack";

/** Features the real engine reports for previews; those that need callbacks into the program are off. */
const SUPPORTED_FEATURES = new Set(["secrets", "resourceReferences", "outputValues", "deletedWith", "aliasSpecs", "parameterization"]);

/** Wire-form value → what a provider sees: secrets unwrapped, resources as their id or URN, output values as their value. */
function toProviderValue(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(toProviderValue);
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const obj = value as Record<string, unknown>;
    switch (obj[SPECIAL_SIG_KEY]) {
        case SECRET_SIG:
            return toProviderValue(obj.value);
        case RESOURCE_SIG:
            return obj.id ?? obj.urn;
        case OUTPUT_VALUE_SIG:
            return "value" in obj ? toProviderValue(obj.value) : UNKNOWN_VALUE;
        default:
            return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, toProviderValue(v)]));
    }
}

/**
 * What the engine keeps of a registration's inputs: output values (sent for remote components)
 * become their plain value, a secret, or unknown, as the engine resolves them before providers and
 * analyzers see them.
 */
export function resolveOutputValues(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(resolveOutputValues);
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const obj = value as Record<string, unknown>;
    if (obj[SPECIAL_SIG_KEY] === OUTPUT_VALUE_SIG) {
        const inner = "value" in obj ? resolveOutputValues(obj.value) : UNKNOWN_VALUE;
        return obj.secret ? { [SPECIAL_SIG_KEY]: SECRET_SIG, value: inner } : inner;
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolveOutputValues(v)]));
}

export class OfflineEngine {
    readonly resources: RecordedResource[] = [];
    /** Reads of existing resources and other stacks, in the order the program made them. */
    readonly reads: RecordedRead[] = [];
    /** Provider functions the program called: what they answer exists before the stack (the account, its region, looked-up resources). */
    readonly invokes: RecordedInvoke[] = [];
    readonly logs: EngineLog[] = [];
    private readonly byUrn = new Map<string, RecordedResource>();
    private readonly mocks: PlatformMocks;
    private readonly server = new grpc.Server({ "grpc.max_receive_message_length": 1024 * 1024 * 400 });
    private rootUrn = "";
    private stackOutputs: Record<string, unknown> = {};
    private address: string | undefined;

    constructor(private readonly options: OfflineEngineOptions) {
        this.mocks = new PlatformMocks(options.region);
        this.server.addService(resourceRpc.ResourceMonitorService, this.monitorService());
        this.server.addService(engineRpc.EngineService, this.engineService());
    }

    /** Starts both services on one loopback port; the address is the program's `--monitor` and `--engine`. */
    async start(): Promise<string> {
        this.address ??= await bindLoopback(this.server);
        return this.address;
    }

    stop(): Promise<void> {
        return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
    }

    /** The stack's outputs, as the program registered them on the root stack resource. */
    get outputs(): Record<string, unknown> {
        return this.stackOutputs;
    }

    /** URNs as the engine forms them: the type qualified by every ancestor's type but the stack's. */
    urnOf(type: string, name: string, parentUrn: string): string {
        const parent = parentUrn ? this.byUrn.get(parentUrn) : undefined;
        const parentQualified = parentUrn ? parentUrn.split("::")[2] : "";
        const qualified = parent && parent.type !== STACK_TYPE && parentQualified ? `${parentQualified}$${type}` : type;
        return `urn:pulumi:${this.options.stack}::${this.options.project}::${qualified}::${name}`;
    }

    private answer(
        type: string,
        name: string,
        inputs: Record<string, unknown>,
        custom: boolean,
        id: string,
    ): { id: string; outputs: Record<string, unknown> } {
        const result = this.mocks.newResource({
            type,
            name,
            inputs: toProviderValue(inputs) as Record<string, unknown>,
            custom,
            provider: undefined,
            id,
        });
        const outputs: Record<string, unknown> = { ...inputs };
        for (const [key, value] of Object.entries(result.state)) {
            if (!(key in inputs)) {
                outputs[key] = this.options.newStack ? UNKNOWN_VALUE : value;
            }
        }
        // During a preview of a new resource its id is unknown, which the SDK receives as "".
        return { id: this.options.newStack ? "" : result.id, outputs };
    }

    private record(req: {
        type: string;
        name: string;
        parent: string;
        custom: boolean;
        remote: boolean;
        provider: string;
        protect: boolean;
        retainOnDelete: boolean;
        dependsOn: string[];
        propertyDependencies: Record<string, string[]>;
        properties: Record<string, unknown>;
    }): RecordedResource {
        const urn = this.urnOf(req.type, req.name, req.parent);
        if (this.byUrn.has(urn)) {
            throw rpcError(grpc.status.ALREADY_EXISTS, `Duplicate resource URN '${urn}'; try giving it a unique name`);
        }
        const recorded: RecordedResource = { urn, ...req, parent: req.parent || null, provider: req.provider || null, outputs: {} };
        this.byUrn.set(urn, recorded);
        this.resources.push(recorded);
        return recorded;
    }

    private monitorService(): UntypedServiceImplementation {
        type Req = import("@pulumi/pulumi/proto/resource_pb").RegisterResourceRequest;
        const handle =
            <T, R>(fn: (request: T) => R | Promise<R>) =>
            (call: ServerUnaryCall<T, R>, callback: sendUnaryData<R>): void => {
                Promise.resolve()
                    .then(() => fn(call.request))
                    .then(
                        (res) => callback(null, res),
                        (err: Error) => callback(err as Error & { code?: number }, null),
                    );
            };
        return {
            supportsFeature: handle((req: import("@pulumi/pulumi/proto/resource_pb").SupportsFeatureRequest) => {
                const res = new resourceProto.SupportsFeatureResponse();
                res.setHassupport(SUPPORTED_FEATURES.has(req.getId()));
                return res;
            }),
            registerPackage: handle((req: import("@pulumi/pulumi/proto/resource_pb").RegisterPackageRequest) => {
                const res = new resourceProto.RegisterPackageResponse();
                res.setRef(crypto.createHash("sha256").update(`${req.getName()}@${req.getVersion()}`).digest("hex").slice(0, 32));
                return res;
            }),
            registerResource: handle((req: Req) => {
                const properties = resolveOutputValues(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
                const propertyDependencies: Record<string, string[]> = {};
                req.getPropertydependenciesMap().forEach((deps, key) => {
                    propertyDependencies[key] = deps.getUrnsList();
                });
                const recorded = this.record({
                    type: req.getType(),
                    name: req.getName(),
                    parent: req.getParent(),
                    custom: req.getCustom(),
                    remote: req.getRemote(),
                    provider: req.getProvider(),
                    protect: req.getProtect() ?? false,
                    retainOnDelete: req.getRetainondelete() ?? false,
                    dependsOn: req.getDependenciesList(),
                    propertyDependencies,
                    properties,
                });
                this.options.onRegister?.(this.resources.length, recorded.type);
                const res = new resourceProto.RegisterResourceResponse();
                res.setUrn(recorded.urn);
                if (req.getType() === STACK_TYPE && !req.getParent()) {
                    this.rootUrn ||= recorded.urn;
                } else if (req.getCustom() || req.getRemote()) {
                    const { id, outputs } = this.answer(req.getType(), req.getName(), properties, req.getCustom(), req.getImportid());
                    recorded.outputs = outputs;
                    recorded.id = id;
                    res.setId(id);
                    res.setObject(structProto.Struct.fromJavaScript(outputs as Record<string, never>));
                }
                return res;
            }),
            registerResourceOutputs: handle((req: import("@pulumi/pulumi/proto/resource_pb").RegisterResourceOutputsRequest) => {
                const recorded = this.byUrn.get(req.getUrn());
                if (!recorded) {
                    throw rpcError(grpc.status.NOT_FOUND, `unknown resource ${req.getUrn()}`);
                }
                recorded.outputs = (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
                if (req.getUrn() === this.rootUrn) {
                    this.stackOutputs = recorded.outputs;
                }
                return new emptyProto.Empty();
            }),
            readResource: handle(async (req: import("@pulumi/pulumi/proto/resource_pb").ReadResourceRequest) => {
                const properties = (req.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>;
                const urn = this.urnOf(req.getType(), req.getName(), req.getParent());
                let outputs: Record<string, unknown>;
                if (req.getType() === "pulumi:pulumi:StackReference") {
                    const name = req.getId();
                    const referenced = await this.options.stackOutputs?.(name);
                    if (!referenced) {
                        throw rpcError(
                            grpc.status.NOT_FOUND,
                            `unknown stack "${name}": a StackReference needs the fully qualified name <organization>/<project>/<stack> of an existing stack`,
                        );
                    }
                    outputs = { name, outputs: referenced, secretOutputNames: [] };
                } else {
                    outputs = this.answer(req.getType(), req.getName(), properties, true, req.getId()).outputs;
                }
                this.reads.push({ urn, type: req.getType(), name: req.getName(), id: req.getId(), outputs });
                // Reads are in the engine's state too: the SDK may look them up (getResource) to pass them on.
                this.byUrn.set(urn, {
                    urn,
                    type: req.getType(),
                    name: req.getName(),
                    custom: true,
                    remote: false,
                    parent: req.getParent() || null,
                    provider: req.getProvider() || null,
                    protect: false,
                    retainOnDelete: false,
                    dependsOn: [],
                    propertyDependencies: {},
                    properties,
                    outputs,
                    id: req.getId(),
                });
                const res = new resourceProto.ReadResourceResponse();
                res.setUrn(urn);
                res.setProperties(structProto.Struct.fromJavaScript(outputs as Record<string, never>));
                return res;
            }),
            invoke: handle((req: import("@pulumi/pulumi/proto/resource_pb").ResourceInvokeRequest) => {
                const args = (req.getArgs()?.toJavaScript() ?? {}) as Record<string, unknown>;
                const res = new resourceProto.ResourceInvokeResponse();
                if (req.getTok() === "pulumi:pulumi:getResource") {
                    const found = this.byUrn.get(String(args.urn));
                    if (!found) {
                        throw rpcError(grpc.status.NOT_FOUND, `unknown resource ${String(args.urn)}`);
                    }
                    res.setReturn(
                        structProto.Struct.fromJavaScript({ urn: found.urn, id: found.id ?? "", state: found.outputs } as unknown as Record<
                            string,
                            never
                        >),
                    );
                    return res;
                }
                const result = this.mocks.call({
                    token: req.getTok(),
                    inputs: toProviderValue(args) as Record<string, unknown>,
                    provider: req.getProvider(),
                });
                this.invokes.push({ token: req.getTok(), result: result as Record<string, unknown> });
                res.setReturn(structProto.Struct.fromJavaScript(result as Record<string, never>));
                return res;
            }),
            call: handle((req: import("@pulumi/pulumi/proto/resource_pb").ResourceCallRequest): never => {
                throw rpcError(
                    grpc.status.UNIMPLEMENTED,
                    `method ${req.getTok()} runs inside its provider plugin, which an offline preview does not start; ` +
                        "methods of remote components cannot be planned offline",
                );
            }),
            existsResource: handle(() => {
                const res = new resourceProto.ExistsResourceResponse();
                res.setExists(false);
                return res;
            }),
            signalAndWaitForShutdown: handle(() => new emptyProto.Empty()),
        };
    }

    private engineService(): UntypedServiceImplementation {
        type Call<T> = ServerUnaryCall<T, unknown>;
        return {
            log: (call: Call<import("@pulumi/pulumi/proto/engine_pb").LogRequest>, callback: sendUnaryData<unknown>) => {
                const req = call.request;
                this.logs.push({ severity: SEVERITIES[req.getSeverity()] ?? "info", message: req.getMessage(), urn: req.getUrn() });
                callback(null, new emptyProto.Empty());
            },
            getRootResource: (_call: Call<unknown>, callback: sendUnaryData<unknown>) => {
                const res = new engineProto.GetRootResourceResponse();
                res.setUrn(this.rootUrn);
                callback(null, res);
            },
            setRootResource: (
                call: Call<import("@pulumi/pulumi/proto/engine_pb").SetRootResourceRequest>,
                callback: sendUnaryData<unknown>,
            ) => {
                this.rootUrn = call.request.getUrn();
                callback(null, new engineProto.SetRootResourceResponse());
            },
            requirePulumiVersion: (_call: Call<unknown>, callback: sendUnaryData<unknown>) => callback(null, new emptyProto.Empty()),
        };
    }
}

export type { Struct };
