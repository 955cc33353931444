/**
 * Dispatch by type. For every `Analyze` call the policy host (`@pulumi/policy` 1.21 server.js,
 * `makeAnalyzeRpcFun`) reads the request's type and then walks the whole policy list; for each
 * policy that does not apply it still pays: a "not applicable" record (a new protobuf message with a
 * formatted reason, ~150 bytes) that is serialized back to the engine (policies with a type hint), or
 * a full set of policy arguments, an unknown-checking proxy and an `await` (policies matching several
 * types). With some forty policies, ~36 of which do not apply to a given resource, that was most of
 * the pack's cost above the host's own floor (profiled: the records' serialization and the garbage they
 * leave; see docs/performance.md).
 *
 * The host reads the type (`req.getType()`) and starts its `for (const p of policies)` loop in one
 * synchronous step, so the pack can answer that loop with the policies that apply to that type:
 * `AnalyzeRequest.prototype.getType` notes the type it returns, and the policy list's iterator,
 * created right after, takes the note (once) and yields only that type's policies from a per-type index.
 * A policy left out is one whose own check would have returned at once (`applies` is false), so
 * findings are unchanged.
 *
 * Every policy left out is still reported as not applicable (the engine counts a policy neither failed
 * nor not applicable as passed: pulumi/pulumi pkg/resource/analyzer, newPolicySummary). The host builds
 * its response (`protoutil.makeAnalyzeResponse(ds, notApplicable)`) in the same synchronous step that
 * ends the loop, so the iterator, when it finishes, hands over the type's records (built once per type)
 * and the response builder appends them. A response without findings is the same for every resource of
 * a type, so it is built and serialized once per type and its bytes reused. Policies the stack's config
 * disables are left out of the records, as the host leaves them out (read from the `Configure` request
 * the host receives).
 *
 * `AnalyzeStack` is served the same way: `AnalyzeStackRequest.prototype.getResourcesList`, read right
 * before that loop, notes the stack's resources, and the loop walks only the stack policies that read
 * a type the stack contains. The host builds a view of every resource it was handed for each stack
 * policy (inputs, options, provider, dependencies, a proxy), and those views live until the last stack
 * policy returns: with a declared read set (`stackReads`) the list handed to the host holds only the
 * resources some walked stack policy reads, so a stack policy sees exactly the resources of the types it
 * reads (measured: the views of the resources no stack rule reads, and the garbage they became, were
 * half of the pack's cost above the host's floor; docs/performance.md). Any other walk of the list
 * (GetAnalyzerInfo, the pack's own code) finds no note and sees every policy.
 * If the host's modules ever change shape nothing is installed and the pack runs as before, slower.
 */
import * as path from "node:path";
import { diagnosticsEncoder, HostDiagnostic } from "./diagnostics-encoding";
import { lazilyForThisStep, onlyReaderOfNext, settled } from "./shared-inputs";
import type {
    EnforcementLevel,
    Policies,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

type Policy = Policies[number];

interface TypedRequest {
    getType(): string;
}
interface StackRequest {
    getResourcesList(): TypedRequest[];
}
interface NotApplicableRecord {
    setPolicyName(name: string): void;
    setReason(reason: string): void;
}
interface AnalyzeResponse {
    setNotApplicableList(list: NotApplicableRecord[]): void;
    serializeBinary(): Uint8Array;
}
interface ConfigureRequest {
    getPolicyconfigMap(): {
        entries(): Iterable<[string, { getEnforcementlevel(): number; getProperties(): { toJavaScript(): object } | undefined }]>;
    };
}
type Noted<F> = F & { __notedByPack?: true };
interface AnalyzerProtoModule {
    AnalyzeRequest: { prototype: TypedRequest & { getType: Noted<() => string> } };
    AnalyzeStackRequest: { prototype: StackRequest & { getResourcesList: Noted<() => TypedRequest[]> } };
    ConfigureAnalyzerRequest: { deserializeBinary: Noted<(bytes: Uint8Array) => ConfigureRequest> };
    PolicyNotApplicable: new () => NotApplicableRecord;
    AnalyzeResponse: new () => AnalyzeResponse;
}
type MakeAnalyzeResponse = (ds: unknown[], notApplicable: NotApplicableRecord[] | undefined) => AnalyzeResponse;
interface ProtoutilModule {
    makeAnalyzeResponse: Noted<MakeAnalyzeResponse>;
    convertEnforcementLevel(level: number): string;
}
interface ProxyModule {
    UnknownValueError: new (...args: never[]) => Error;
    /** The key the host's unknown-checking proxy answers with the object it wraps. */
    getSpecialProxyTarget: string;
    unknownBooleanValue: string;
    unknownNumberValue: string;
    unknownStringValue: string;
    unknownArrayValue: string;
    unknownAssetValue: string;
    unknownArchiveValue: string;
    unknownObjectValue: string;
}

/** What one type's `Analyze` loop reports besides its findings: the records of the policies left out. */
interface TypeAnswer {
    readonly generation: number;
    readonly records: NotApplicableRecord[];
    /** The response when there is nothing else to report, serialized once. */
    quiet?: AnalyzeResponse;
}

/** The type of the `Analyze` request being started, until the policy loop takes it. */
let noted: string | undefined;
/**
 * The `AnalyzeStack` request being started, until the policy loop takes it: its resources, and the copy of that list
 * the host was handed (the loop's dispatch keeps in it only the resources the walked stack policies read).
 */
let notedStack: { all: TypedRequest[]; handed: TypedRequest[] } | undefined;
/** What the `Analyze` or `AnalyzeStack` loop that just ended adds to its response, until that response is built. */
let finished: { answer?: TypeAnswer; extra?: NotApplicableRecord[] } | undefined;
/**
 * The policy config of the last `Configure` request, as the host keeps it (`server.js` `configure`): per
 * policy its enforcement level and its properties; a counter that changes with them.
 */
let configured = new Map<string, { level: string; props: Record<string, unknown> }>();
let configGeneration = 0;

let modules: { proto: AnalyzerProtoModule; protoutil: ProtoutilModule; proxy: ProxyModule } | undefined;

/** The host's request and response modules, patched once. Undefined (and nothing changed) when they are not where expected. */
function patchHost(): typeof modules {
    if (modules) {
        return modules;
    }
    let proto: AnalyzerProtoModule;
    let protoutil: ProtoutilModule;
    let proxy: ProxyModule;
    try {
        // The copies the host's server uses: resolved from @pulumi/policy's own folder.
        const policyDir = path.dirname(require.resolve("@pulumi/policy"));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        proto = require(require.resolve("@pulumi/pulumi/proto/analyzer_pb", { paths: [policyDir] })) as AnalyzerProtoModule;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        protoutil = require(path.join(policyDir, "protoutil.js")) as ProtoutilModule;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        proxy = require(path.join(policyDir, "proxy.js")) as ProxyModule;
    } catch {
        return undefined;
    }
    const getType = proto.AnalyzeRequest?.prototype?.getType;
    const getResourcesList = proto.AnalyzeStackRequest?.prototype?.getResourcesList;
    const deserializeConfigure = proto.ConfigureAnalyzerRequest?.deserializeBinary;
    const makeAnalyzeResponse = protoutil.makeAnalyzeResponse;
    if (
        [getType, getResourcesList, deserializeConfigure, makeAnalyzeResponse, protoutil.convertEnforcementLevel].some(
            (f) => typeof f !== "function",
        ) ||
        typeof proto.PolicyNotApplicable !== "function" ||
        typeof proxy.UnknownValueError !== "function" ||
        typeof proxy.getSpecialProxyTarget !== "string" ||
        typeof proto.AnalyzeResponse !== "function"
    ) {
        return undefined;
    }
    if (!getType.__notedByPack) {
        const noting: Noted<() => string> = function (this: TypedRequest) {
            const type = getType.call(this);
            noted = type;
            notedStack = undefined;
            return type;
        };
        noting.__notedByPack = true;
        proto.AnalyzeRequest.prototype.getType = noting;
    }
    if (!getResourcesList.__notedByPack) {
        const notingList: Noted<() => TypedRequest[]> = function (this: StackRequest) {
            const all = getResourcesList.call(this);
            // A copy (the request's own list stays whole): the host reads it only after it starts its policy loop.
            const handed = all.slice();
            notedStack = { all, handed };
            noted = undefined;
            return handed;
        };
        notingList.__notedByPack = true;
        proto.AnalyzeStackRequest.prototype.getResourcesList = notingList;
    }
    if (!deserializeConfigure.__notedByPack) {
        // The host's `configure` handler reads the policy config from the request the server deserialized: note each
        // policy's level and properties (the host skips the policies it disables, so their records must go too).
        const notingConfig: Noted<(bytes: Uint8Array) => ConfigureRequest> = (bytes) => {
            const request = deserializeConfigure.call(proto.ConfigureAnalyzerRequest, bytes);
            const seen = new Map<string, { level: string; props: Record<string, unknown> }>();
            for (const [name, config] of request.getPolicyconfigMap().entries()) {
                const level = protoutil.convertEnforcementLevel(config.getEnforcementlevel());
                const props = { ...((config.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>) };
                delete props.enforcementLevel;
                seen.set(name, { level, props });
            }
            configured = seen;
            configGeneration++;
            return request;
        };
        notingConfig.__notedByPack = true;
        proto.ConfigureAnalyzerRequest.deserializeBinary = notingConfig;
    }
    if (!makeAnalyzeResponse.__notedByPack) {
        const encodeFindings = diagnosticsEncoder(makeAnalyzeResponse as (ds: HostDiagnostic[]) => AnalyzeResponse);
        /**
         * `response` answers with these bytes: its findings (encoded by `encodeFindings`, byte for byte the host's
         * encoding), its own records, then `tail` (a type's records, already encoded). A protobuf message's encoding is
         * its fields' encodings one after the other, so the engine decodes the same message the host would have sent.
         */
        const encodedAs = (response: AnalyzeResponse, ds: unknown[], others: NotApplicableRecord[], tail?: Uint8Array): AnalyzeResponse => {
            const findings = encodeFindings(ds as HostDiagnostic[]);
            const head =
                findings === undefined
                    ? makeAnalyzeResponse(ds, others.length > 0 ? others : undefined).serializeBinary()
                    : others.length === 0
                      ? findings
                      : Buffer.concat([findings, makeAnalyzeResponse([], others).serializeBinary()]);
            const bytes = tail === undefined ? head : Buffer.concat([head, tail]);
            response.serializeBinary = () => bytes;
            return response;
        };
        const appending: Noted<MakeAnalyzeResponse> = (ds, notApplicable) => {
            const taken = finished;
            finished = undefined;
            if (taken === undefined) {
                return makeAnalyzeResponse(ds, notApplicable);
            }
            const answer = taken.answer;
            const others = [...(notApplicable ?? []), ...(taken.extra ?? [])];
            if (answer === undefined) {
                const response = makeAnalyzeResponse(ds, others.length > 0 ? others : undefined);
                return ds.length > 0 ? encodedAs(response, ds, others) : response;
            }
            if (answer.quiet === undefined) {
                const quiet = makeAnalyzeResponse([], answer.records);
                // The same bytes for every resource of the type: the gRPC serializer copies them into its buffer.
                const bytes = quiet.serializeBinary();
                quiet.serializeBinary = () => bytes;
                answer.quiet = quiet;
            }
            if (ds.length === 0 && others.length === 0) {
                return answer.quiet;
            }
            const response = makeAnalyzeResponse(ds, others.length > 0 ? others : undefined);
            response.setNotApplicableList([...others, ...answer.records]);
            return encodedAs(response, ds, others, answer.quiet.serializeBinary());
        };
        appending.__notedByPack = true;
        protoutil.makeAnalyzeResponse = appending;
    }
    modules = { proto, protoutil, proxy };
    return modules;
}

/** The pack's identity as the host reports it, for the messages the host would have written itself. */
export interface PackIdentity {
    readonly name: string;
    readonly version: string;
    readonly enforcementLevel: EnforcementLevel;
}

/** A policy's level as the host computes it (`server.js`): the stack's config, the policy's own, the pack's. */
function levelOf(policy: Policy, pack: PackIdentity | undefined): string | undefined {
    return configured.get(policy.name)?.level || policy.enforcementLevel || pack?.enforcementLevel;
}

/**
 * The host's `getConfig` for a policy (`makeGetConfigFun`): a fresh shallow copy of its config without the level.
 * One function per policy name, made once (it reads the config current when called).
 */
const configGetters = new Map<string, () => Record<string, unknown>>();
function configOf(name: string): () => Record<string, unknown> {
    let getter = configGetters.get(name);
    if (getter === undefined) {
        getter = () => {
            const config = configured.get(name);
            return config ? { ...config.props } : {};
        };
        configGetters.set(name, getter);
    }
    return getter;
}

/**
 * The host's `reportViolation` (`makeReportViolationFun`) also takes an object naming the policy, its level and
 * severity (not in the typings of @pulumi/policy 1.21): a fused policy reports each finding under its member.
 */
interface Violation {
    name?: string;
    message?: string;
    description?: string;
    urn?: string;
    enforcementLevel?: string;
    severity?: string;
}
type HostReport = (message: string | Violation, urn?: string) => void;

class MemberNotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(reason);
    }
}

/** A member's `notApplicable`: the same function for every call (it only throws). */
const memberNotApplicable = (reason?: string): never => {
    throw new MemberNotApplicable(reason);
};

/** A member as its reports name it: its name, description, level (as the config sets it) and severity. */
interface RunningMember {
    readonly name: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly severity?: string;
}

/** A member ready to run: how its reports name it and its `getConfig`. */
interface PlannedMember {
    readonly member: Policy;
    readonly running: RunningMember;
    readonly getConfig: () => Record<string, unknown>;
}

/**
 * The members of one fused policy as the current config runs them: disabled ones left out, each with its level
 * (`remediate` reported as `mandatory`, as the host does) and `getConfig`, worked out once per `Configure`.
 */
class MemberPlan {
    private generation = -1;
    private planned: readonly PlannedMember[] = [];
    constructor(
        private readonly members: readonly Policy[],
        private readonly pack: PackIdentity,
    ) {}

    current(): readonly PlannedMember[] {
        if (this.generation !== configGeneration) {
            this.planned = this.members.flatMap((member) => {
                const level = levelOf(member, this.pack);
                if (level === "disabled") {
                    return [];
                }
                const running: RunningMember = {
                    name: member.name,
                    description: member.description,
                    enforcementLevel: (level === "remediate" ? "mandatory" : level) as EnforcementLevel,
                    severity: member.severity,
                };
                return [{ member, running, getConfig: configOf(member.name) }];
            });
            this.generation = configGeneration;
        }
        return this.planned;
    }
}

/**
 * One host call of a fused policy: runs its members as the host's policy loop would run each of them (`server.js`
 * `makeAnalyzeRpcFun` / `makeAnalyzeStackRpcFun`): each runs with its own `getConfig`, reports under its own name,
 * description, level and severity, a member touching an unknown value during preview gets the host's advisory "can't
 * run" finding, and a member's "not applicable" is recorded under its name. `run(member, args, report)` calls the
 * member's validation(s) and returns what they return.
 *
 * Members run one after the other, each to completion (a member's promise is awaited before the next starts), as in
 * the host's loop, so the call's one reporting function names whichever member is running, and the host's args object
 * (made for this one call) carries the running member's `getConfig`. Synchronous members (every policy of this pack)
 * run without a promise of their own; the first member that returns one continues the rest asynchronously.
 */
class FusedCall<A extends { getConfig: unknown; notApplicable: unknown }> {
    private running: RunningMember | undefined;
    /** The `reportViolation` every member gets in this call. */
    private readonly reportAs: HostReport;

    constructor(
        private readonly host: NonNullable<typeof modules>,
        private readonly pack: PackIdentity,
        private readonly args: A,
        private readonly report: HostReport,
        private readonly state: CallState,
        private readonly run: (member: Policy, args: A, report: ReportViolation) => unknown,
    ) {
        this.reportAs = (message, urn) => this.reportFor(message, urn);
        args.notApplicable = memberNotApplicable;
    }

    /** Runs `members`: undefined when all ran to completion, else the promise of their completion. */
    runAll(members: readonly PlannedMember[]): Promise<void> | undefined {
        for (let i = 0; i < members.length; i++) {
            const pending = this.start(members[i]);
            if (pending !== undefined) {
                return (async () => {
                    await pending;
                    for (let j = i + 1; j < members.length; j++) {
                        await this.start(members[j]);
                    }
                })();
            }
        }
        return undefined;
    }

    /** Starts one member: undefined when it ran to completion, else the promise of its completion. */
    private start(planned: PlannedMember): Promise<unknown> | undefined {
        this.running = planned.running;
        this.args.getConfig = planned.getConfig;
        try {
            const result = this.run(planned.member, this.args, this.reportAs as ReportViolation);
            if (result !== undefined && typeof (result as Promise<void>).then === "function") {
                return (result as Promise<unknown>).catch((e: unknown) => this.failed(planned.member, e));
            }
        } catch (e) {
            this.failed(planned.member, e);
        }
        return undefined;
    }

    private reportFor(message: string | Violation, urn?: string): void {
        const { name, description, enforcementLevel, severity } = this.running as RunningMember;
        if (typeof message === "object" && message !== null) {
            this.report({
                ...message,
                name: message.name || name,
                message: message.message || message.description || description,
                description: message.description || description,
                enforcementLevel: message.enforcementLevel || enforcementLevel,
                severity: message.severity || severity,
            });
        } else {
            this.report({
                name,
                message: message ? `${description}\n${message}` : description,
                urn,
                description,
                enforcementLevel,
                severity,
            });
        }
    }

    private failed(member: Policy, e: unknown): void {
        const from = `policy '${member.name}' from policy pack '${this.pack.name}@v${this.pack.version}'`;
        if (e instanceof this.host.proxy.UnknownValueError) {
            this.report({
                name: member.name,
                message: `can't run ${from} during preview: ${e.message}`,
                description: member.description,
                enforcementLevel: "advisory",
                severity: member.severity,
            });
        } else if (e instanceof MemberNotApplicable) {
            const record = new this.host.proto.PolicyNotApplicable();
            record.setPolicyName(member.name);
            if (e.reason) {
                record.setReason(e.reason);
            }
            (this.state.extra ??= []).push(record);
        } else {
            throw new Error(`Error validating resource with ${from}:\n${e instanceof Error ? e.stack : String(e)}`);
        }
    }
}

/**
 * The host wraps a resource's inputs in an unknown-checking proxy (`proxy.js` `unknownCheckingProxy`): every
 * property read checks the value against the unknown sentinels and wraps the next level in a new proxy, and the
 * only thing it ever changes is to throw when a read meets an unknown value. For inputs that hold no unknown
 * value (every resource of an update, most of a preview) that proxy can never throw, so the members get the object
 * it wraps: one scan per resource instead of a proxy and a path copy per read, for each of the members. Inputs
 * holding an unknown value keep the host's proxy (its error names the path read).
 */
function plainIfKnown(host: NonNullable<typeof modules>, value: unknown): unknown {
    if (value === null || typeof value !== "object") {
        return value;
    }
    const target = (value as Record<string, unknown>)[host.proxy.getSpecialProxyTarget];
    if (target === undefined || target === null || typeof target !== "object") {
        return value;
    }
    // The shared copy (lib/shared-inputs.ts) deserialized now, as its plain object: the scan and every member's reads
    // then meet no trap (read through the lazy copy's proxy, the scan cost more than the members' checks).
    const plain = settled(target);
    return holdsUnknown(plain, unknownSentinels(host)) ? value : plain;
}

/** The host's unknown sentinels, and their lengths: a string of another length is no sentinel, without hashing it. */
interface Sentinels {
    readonly values: ReadonlySet<string>;
    readonly lengths: ReadonlySet<number>;
}
let sentinels: Sentinels | undefined;
function unknownSentinels(host: NonNullable<typeof modules>): Sentinels {
    const p = host.proxy;
    if (sentinels === undefined) {
        const values = new Set([
            p.unknownBooleanValue,
            p.unknownNumberValue,
            p.unknownStringValue,
            p.unknownArrayValue,
            p.unknownAssetValue,
            p.unknownArchiveValue,
            p.unknownObjectValue,
        ]);
        sentinels = { values, lengths: new Set([...values].map((v) => v.length)) };
    }
    return sentinels;
}

function holdsUnknown(value: unknown, unknowns: Sentinels): boolean {
    if (typeof value === "string") {
        return unknowns.lengths.has(value.length) && unknowns.values.has(value);
    }
    if (value === null || typeof value !== "object") {
        return false;
    }
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            if (holdsUnknown(value[i], unknowns)) {
                return true;
            }
        }
        return false;
    }
    for (const key in value) {
        if (holdsUnknown((value as Record<string, unknown>)[key], unknowns)) {
            return true;
        }
    }
    return false;
}

/**
 * The args the members see: the host's (made for this one call), with inputs (and the provider's) unwrapped when
 * they hold no unknown value.
 */
function membersArgs(host: NonNullable<typeof modules>, args: ResourceValidationArgs): ResourceValidationArgs {
    args.props = plainIfKnown(host, args.props) as ResourceValidationArgs["props"];
    if (args.provider) {
        const props = plainIfKnown(host, args.provider.props) as typeof args.provider.props;
        if (props !== args.provider.props) {
            // The host's provider object is its own per call too (server.js getProviderResource), but copied: cheap and rare.
            args.provider = { ...args.provider, props };
        }
    }
    return args;
}

/** Runs one member of a fused resource policy: the host's own type-hint check, then its validation(s) (see `FusedCall`). */
function runResourceMember(member: Policy, memberArgs: ResourceValidationArgs, reportAs: ReportViolation): unknown {
    const validations = (member as ResourceValidationPolicy).validateResource;
    const hint = (validations as { __pulumiType?: string } | undefined)?.__pulumiType;
    // The host's own fast check for a policy with a type hint (server.js makeAnalyzeRpcFun).
    if (!Array.isArray(validations) && hint && hint !== memberArgs.type) {
        throw new MemberNotApplicable(`Policy only applies to resources of type '${hint}'`);
    }
    if (Array.isArray(validations)) {
        return validations.reduce<unknown>(
            (prior, validation) =>
                prior !== undefined && typeof (prior as Promise<void>).then === "function"
                    ? (prior as Promise<void>).then(() => validation(memberArgs, reportAs))
                    : validation(memberArgs, reportAs),
            undefined,
        );
    }
    return validations?.(memberArgs, reportAs);
}

/** What one request's fused call adds to its response: the records of its members that were not applicable. */
interface CallState {
    extra?: NotApplicableRecord[];
}

/**
 * The state of the request whose loop just yielded a fused resource policy, until that policy's call takes it: the host
 * calls `validateResource` in the same synchronous step as it takes the policy from its loop (server.js
 * makeAnalyzeRpcFun), so one fused policy per type serves every request of the type.
 */
let handedState: CallState | undefined;

/** One resource policy standing for several in the host's loop (see `FusedCall`), made once per type. */
function fusedResourcePolicy(
    host: NonNullable<typeof modules>,
    pack: PackIdentity,
    members: readonly ResourceValidationPolicy[],
): ResourceValidationPolicy {
    const plan = new MemberPlan(members, pack);
    return {
        name: FUSED,
        description: "The pack's policies that apply to this resource's type.",
        enforcementLevel: "mandatory",
        validateResource: (args, report) => {
            const state = handedState ?? {};
            handedState = undefined;
            return new FusedCall(host, pack, membersArgs(host, args), report as HostReport, state, runResourceMember).runAll(
                plan.current(),
            );
        },
    };
}

/** One stack policy standing for several in the host's `AnalyzeStack` loop (see `FusedCall`). */
function fusedStackPolicy(
    host: NonNullable<typeof modules>,
    pack: PackIdentity,
    members: readonly StackValidationPolicy[],
    state: CallState,
    /** Whether the host was handed only resources the members read: their inputs are then read at once (see below). */
    readsAll: boolean,
): StackValidationPolicy {
    return {
        name: FUSED,
        description: "The pack's stack policies that apply to this stack.",
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            if (readsAll) {
                // Every resource here is one the members read: its inputs without the host's unknown-checking proxy when
                // they hold no unknown value (as an Analyze member gets them, see plainIfKnown), so reads meet no trap.
                for (const r of args.resources) {
                    (r as { props: unknown }).props = plainIfKnown(host, r.props);
                }
            }
            return new FusedCall<StackValidationArgs>(host, pack, args, report as HostReport, state, (member, memberArgs, reportAs) => {
                const hint = (member as StackValidationPolicy).validateStack as { __pulumiType?: string };
                // The host's own fast check for a stack policy with a type hint (server.js makeAnalyzeStackRpcFun).
                if (hint.__pulumiType && !memberArgs.resources.some((r) => r.type === hint.__pulumiType)) {
                    throw new MemberNotApplicable(`Policy only applies to resources of type '${hint.__pulumiType}'`);
                }
                return (member as StackValidationPolicy).validateStack(memberArgs, reportAs);
            }).runAll(new MemberPlan(members, pack).current());
        },
    };
}

/** Drops what a loop handed over and no response took (see `finish`). */
const dropUntaken = (): void => {
    finished = undefined;
};

/**
 * When a loop ends normally its response is built next, in the same synchronous step: hand it what to add. It is taken
 * within that step or never (a loop that is not the host's), so at the next microtask nothing handed over is left.
 */
function finish(what: NonNullable<typeof finished>): void {
    finished = what;
    queueMicrotask(dropUntaken);
}

/**
 * The host's walk over the policies for one `Analyze` request's type: the type's policies (one fused policy when several
 * apply), then, when the loop ends normally, what the response adds: the type's records and the request's own. The host
 * builds that response in the same synchronous step (see `finish`).
 */
class TypeWalk implements IterableIterator<Policy> {
    private index = 0;
    private readonly state: CallState = {};
    constructor(
        private readonly policies: readonly Policy[],
        private readonly type: string,
        private readonly answerFor: (type: string) => TypeAnswer,
    ) {}

    next(): IteratorResult<Policy, undefined> {
        if (handedState === this.state) {
            // Not taken: what was yielded before was not a fused policy.
            handedState = undefined;
        }
        if (this.index < this.policies.length) {
            handedState = this.state;
            if (this.policies.length === 1) {
                // The host deserializes this request's inputs for this policy alone: nothing to share.
                onlyReaderOfNext();
            }
            return { done: false, value: this.policies[this.index++] };
        }
        finish({ answer: this.answerFor(this.type), extra: this.state.extra });
        return { done: true, value: undefined };
    }

    [Symbol.iterator](): this {
        return this;
    }
}

/**
 * The name the host sees for a fused policy. Every finding and record names its member; only a member's unexpected
 * error reaches the engine under it, as the host wraps what the fused call rethrows (whose message names the member).
 */
const FUSED = "ciplatform-policies-for-this-type";

/**
 * Which resources a stack policy reads, given its config (the properties the host's `getConfig` hands it): a
 * test of the resource's type, or undefined when it reads every resource. A stack policy is handed only the
 * resources some walked stack policy reads, with its dependencies and parent among them; so a policy must read
 * every type it looks at, also through a dependency or parent.
 */
export type StackReads = (policy: StackValidationPolicy, config: Record<string, unknown>) => ((type: string) => boolean) | undefined;

/**
 * Installs type dispatch on `policies` (the array the pack is constructed with). `appliesTo(policy,
 * type)` says whether a resource policy can report anything for a type (return true for stack
 * policies: the Analyze loop skips them itself); `stackAppliesTo(policy, types)` whether a stack
 * policy can report anything for a stack holding those types (true for resource policies);
 * `stackReads` which resources each stack policy reads (default: every one). Returns false (and
 * changes nothing) when the host's modules cannot be patched.
 */
export function dispatchByType(
    policies: Policies,
    appliesTo: (policy: Policy, type: string) => boolean,
    stackAppliesTo: (policy: Policy, types: ReadonlySet<string>) => boolean = () => true,
    pack?: PackIdentity,
    stackReads: StackReads = () => undefined,
): boolean {
    const host = patchHost();
    if (!host) {
        return false;
    }
    const all = [...policies];
    // A policy with a remediation is walked as itself for every type, never fused nor left out: the host's `Remediate`
    // handler, which the engine calls before each `Analyze` (pulumi/pulumi step_generator.go, "First pass: perform
    // remediations"), reads the request's type and walks this same list (@pulumi/policy 1.21 server.js
    // makeRemediateRpcFun), and runs a `remediateResource` only on meeting its policy (a fused policy has none).
    const remediating = all.filter((p) => typeof (p as ResourceValidationPolicy).remediateResource === "function");
    const resourcePolicies = all.filter((p) => "validateResource" in p && !remediating.includes(p));
    const stackPolicies = all.filter((p): p is StackValidationPolicy => "validateStack" in p);
    const hintOf = (p: StackValidationPolicy) => (p.validateStack as { __pulumiType?: string }).__pulumiType;
    /** Whether the host skips a policy: its level, as the host computes it, is disabled. */
    const isDisabled = (p: Policy): boolean => levelOf(p, pack) === "disabled";
    /** The resources of a stack the walked stack policies read: undefined when one of them reads every resource. */
    const readByWalked = (
        walked: readonly StackValidationPolicy[],
        types: ReadonlySet<string>,
    ): ((type: string) => boolean) | undefined => {
        const tests: Array<(type: string) => boolean> = [];
        for (const p of walked) {
            const hint = hintOf(p);
            if (isDisabled(p) || (hint !== undefined && !types.has(hint))) {
                // The host skips it without building a view.
                continue;
            }
            const reads = stackReads(p, configured.get(p.name)?.props ?? {});
            if (reads === undefined) {
                return undefined;
            }
            // Its type hint is read too: the host tests the hint on the list it is handed.
            tests.push(hint === undefined ? reads : (type) => type === hint || reads(type));
        }
        const read = new Set([...types].filter((type) => tests.some((test) => test(type))));
        return (type) => read.has(type);
    };
    const byType = new Map<string, { walk: Policy[]; skipped: Policy[] }>();
    const forType = (type: string) => {
        let entry = byType.get(type);
        if (!entry) {
            // Only the resource policies that apply: the Analyze loop skips every stack policy itself.
            const applying = resourcePolicies.filter((p) => appliesTo(p, type));
            entry = {
                // Several policies apply: one host call runs them all (the host's per-policy work, done once).
                walk: [
                    ...remediating,
                    ...(pack && applying.length > 1 ? [fusedResourcePolicy(host, pack, applying as ResourceValidationPolicy[])] : applying),
                ],
                skipped: resourcePolicies.filter((p) => !appliesTo(p, type)),
            };
            byType.set(type, entry);
        }
        return entry;
    };
    const answers = new Map<string, TypeAnswer>();
    const answerFor = (type: string): TypeAnswer => {
        let answer = answers.get(type);
        if (answer === undefined || answer.generation !== configGeneration) {
            const records = forType(type)
                .skipped.filter((p) => !isDisabled(p))
                .map((p) => {
                    // The policy's name alone: the engine reads nothing else of a record (pulumi/pulumi
                    // pkg/resource/analyzer/summary.go, newPolicySummary, counts a policy named in one as neither passed nor
                    // failed; the reason goes nowhere), and each response repeats its records, ~36 of them. Measured: those
                    // bytes' transport was the largest cost left above the host's floor (docs/performance.md).
                    const record = new host.proto.PolicyNotApplicable();
                    record.setPolicyName(p.name);
                    return record;
                });
            answer = { generation: configGeneration, records };
            answers.set(type, answer);
        }
        return answer;
    };
    Object.defineProperty(policies, Symbol.iterator, {
        configurable: true,
        value: function (): IterableIterator<Policy> {
            const type = noted;
            const stack = notedStack;
            noted = undefined;
            notedStack = undefined;
            if (type !== undefined) {
                return new TypeWalk(forType(type).walk, type, answerFor);
            }
            if (stack !== undefined) {
                const types = new Set<string>();
                for (const r of stack.all) {
                    types.add(r.getType());
                }
                const applying = all.filter((p) => stackAppliesTo(p, types));
                const walked = applying.filter((p): p is StackValidationPolicy => "validateStack" in p);
                // The stack policies left out are still reported as not applicable (as the host reports a stack policy
                // whose type hint the stack lacks), so the engine does not count them as passed; disabled ones stay out.
                const skipped = stackPolicies
                    .filter((p) => !stackAppliesTo(p, types) && !isDisabled(p))
                    .map((p) => {
                        const hint = hintOf(p);
                        const record = new host.proto.PolicyNotApplicable();
                        record.setPolicyName(p.name);
                        record.setReason(
                            hint
                                ? `Policy only applies to resources of type '${hint}'`
                                : "Policy does not apply to the resource types of this stack",
                        );
                        return record;
                    });
                const read = readByWalked(walked, types);
                if (read !== undefined) {
                    // In place: the host holds this array and reads it once its loop has started.
                    const handed = stack.handed;
                    let kept = 0;
                    for (const r of handed) {
                        if (read(r.getType())) {
                            handed[kept++] = r;
                        }
                    }
                    handed.length = kept;
                }
                const fuse = pack !== undefined && walked.length > 1;
                // The host builds every resource's view once per stack policy: one fused policy builds them once.
                const state: CallState = {};
                const walk = (fuse ? [fusedStackPolicy(host, pack, walked, state, read !== undefined)] : applying)[Symbol.iterator]();
                const iterator: IterableIterator<Policy> = {
                    next: () => {
                        const step = walk.next();
                        if (!step.done) {
                            // The host now deserializes every resource of the stack for this policy, most never read.
                            lazilyForThisStep();
                        }
                        if (step.done) {
                            const extra = [...(state.extra ?? []), ...skipped];
                            finish({ extra: extra.length > 0 ? extra : undefined });
                        }
                        return step;
                    },
                    [Symbol.iterator]: () => iterator,
                };
                return iterator;
            }
            return all[Symbol.iterator]();
        },
    });
    return true;
}

/** For tests: a note a `getType` or `getResourcesList` call or a finished loop left and nothing took yet. */
export function pendingType(): string | undefined {
    return noted ?? (notedStack ? "<stack>" : finished ? "<records>" : undefined);
}
