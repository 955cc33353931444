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
 * a type the stack contains (each still sees every resource). Any other walk of the list
 * (GetAnalyzerInfo, the pack's own code) finds no note and sees every policy.
 * If the host's modules ever change shape nothing is installed and the pack runs as before, slower.
 */
import * as path from "node:path";
import type { Policies } from "@pulumi/policy";

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
    getPolicyconfigMap(): { entries(): Iterable<[string, { getEnforcementlevel(): number }]> };
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

/** What one type's `Analyze` loop reports besides its findings: the records of the policies left out. */
interface TypeAnswer {
    readonly generation: number;
    readonly records: NotApplicableRecord[];
    /** The response when there is nothing else to report, serialized once. */
    quiet?: AnalyzeResponse;
}

/** The type of the `Analyze` request being started, until the policy loop takes it. */
let noted: string | undefined;
/** The resources of the `AnalyzeStack` request being started, until the policy loop takes them. */
let notedStack: TypedRequest[] | undefined;
/** The not-applicable records of the `Analyze` loop that just ended, until its response is built. */
let finished: TypeAnswer | undefined;
/** Policies the last `Configure` request disabled, and a counter that changes with them. */
let disabled: ReadonlySet<string> = new Set();
let configGeneration = 0;

let modules: { proto: AnalyzerProtoModule; protoutil: ProtoutilModule } | undefined;

/** The host's request and response modules, patched once. Undefined (and nothing changed) when they are not where expected. */
function patchHost(): typeof modules {
    if (modules) {
        return modules;
    }
    let proto: AnalyzerProtoModule;
    let protoutil: ProtoutilModule;
    try {
        // The copies the host's server uses: resolved from @pulumi/policy's own folder.
        const policyDir = path.dirname(require.resolve("@pulumi/policy"));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        proto = require(require.resolve("@pulumi/pulumi/proto/analyzer_pb", { paths: [policyDir] })) as AnalyzerProtoModule;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        protoutil = require(path.join(policyDir, "protoutil.js")) as ProtoutilModule;
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
            const list = getResourcesList.call(this);
            notedStack = list;
            noted = undefined;
            return list;
        };
        notingList.__notedByPack = true;
        proto.AnalyzeStackRequest.prototype.getResourcesList = notingList;
    }
    if (!deserializeConfigure.__notedByPack) {
        // The host's `configure` handler reads the policy config from the request the server deserialized: note
        // which policies it disables (the host then skips them, so their records must go too).
        const notingConfig: Noted<(bytes: Uint8Array) => ConfigureRequest> = (bytes) => {
            const request = deserializeConfigure.call(proto.ConfigureAnalyzerRequest, bytes);
            const off = new Set<string>();
            for (const [name, config] of request.getPolicyconfigMap().entries()) {
                if (protoutil.convertEnforcementLevel(config.getEnforcementlevel()) === "disabled") {
                    off.add(name);
                }
            }
            disabled = off;
            configGeneration++;
            return request;
        };
        notingConfig.__notedByPack = true;
        proto.ConfigureAnalyzerRequest.deserializeBinary = notingConfig;
    }
    if (!makeAnalyzeResponse.__notedByPack) {
        const appending: Noted<MakeAnalyzeResponse> = (ds, notApplicable) => {
            const answer = finished;
            finished = undefined;
            if (answer === undefined) {
                return makeAnalyzeResponse(ds, notApplicable);
            }
            if (ds.length > 0 || notApplicable !== undefined) {
                return makeAnalyzeResponse(ds, [...(notApplicable ?? []), ...answer.records]);
            }
            if (answer.quiet === undefined) {
                const quiet = makeAnalyzeResponse([], answer.records);
                // The same bytes for every resource of the type: the gRPC serializer copies them into its buffer.
                const bytes = quiet.serializeBinary();
                quiet.serializeBinary = () => bytes;
                answer.quiet = quiet;
            }
            return answer.quiet;
        };
        appending.__notedByPack = true;
        protoutil.makeAnalyzeResponse = appending;
    }
    modules = { proto, protoutil };
    return modules;
}

/**
 * Installs type dispatch on `policies` (the array the pack is constructed with). `appliesTo(policy,
 * type)` says whether a resource policy can report anything for a type (return true for stack
 * policies: the Analyze loop skips them itself); `stackAppliesTo(policy, types)` whether a stack
 * policy can report anything for a stack holding those types (true for resource policies). Returns
 * false (and changes nothing) when the host's modules cannot be patched.
 */
export function dispatchByType(
    policies: Policies,
    appliesTo: (policy: Policy, type: string) => boolean,
    stackAppliesTo: (policy: Policy, types: ReadonlySet<string>) => boolean = () => true,
): boolean {
    const host = patchHost();
    if (!host) {
        return false;
    }
    const all = [...policies];
    const resourcePolicies = all.filter((p) => "validateResource" in p);
    const byType = new Map<string, { walk: Policy[]; skipped: Policy[] }>();
    const forType = (type: string) => {
        let entry = byType.get(type);
        if (!entry) {
            // Only the resource policies that apply: the Analyze loop skips every stack policy itself.
            entry = {
                walk: resourcePolicies.filter((p) => appliesTo(p, type)),
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
                .skipped.filter((p) => !disabled.has(p.name))
                .map((p) => {
                    const record = new host.proto.PolicyNotApplicable();
                    record.setPolicyName(p.name);
                    record.setReason(`Policy does not apply to resources of type '${type}'`);
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
                const walk = forType(type).walk[Symbol.iterator]();
                // When the loop ends normally its response is built next, in the same step: hand it the records.
                const iterator: IterableIterator<Policy> = {
                    next: () => {
                        const step = walk.next();
                        if (step.done) {
                            const answer = answerFor(type);
                            finished = answer;
                            // Taken within this step or never: a loop that is not the host's leaves nothing behind.
                            queueMicrotask(() => {
                                if (finished === answer) {
                                    finished = undefined;
                                }
                            });
                        }
                        return step;
                    },
                    [Symbol.iterator]: () => iterator,
                };
                return iterator;
            }
            if (stack !== undefined) {
                const types = new Set(stack.map((r) => r.getType()));
                return all.filter((p) => stackAppliesTo(p, types))[Symbol.iterator]();
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
