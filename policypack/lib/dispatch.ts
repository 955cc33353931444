/**
 * Dispatch by type. For every `Analyze` call the policy host (`@pulumi/policy` server.js,
 * `makeAnalyzeRpcFun`) reads the request's type and then walks the whole policy list; for each
 * policy that does not apply it still pays: a "not applicable" record with a formatted reason that
 * is serialized back to the engine (policies with a type hint), or a full set of policy arguments,
 * an unknown-checking proxy and an `await` (policies matching several types). With some fifty
 * policies that is most of the pack's cost above the host's own floor (see docs/performance.md).
 *
 * The host reads the type (`req.getType()`) and starts its `for (const p of policies)` loop in one
 * synchronous step, so the pack can answer that loop with the policies that apply to that type:
 * `AnalyzeRequest.prototype.getType` notes the type it returns, and the policy list's iterator,
 * created right after, takes the note (once) and yields that type's policies from a per-type index.
 * `AnalyzeStack` is served the same way: `AnalyzeStackRequest.prototype.getResourcesList`, read right
 * before that loop, notes the stack's resources, and the loop walks only the stack policies that read
 * a type the stack contains (each still sees every resource). Any other walk of the list
 * (GetAnalyzerInfo, the pack's own code) finds no note and sees every policy. A policy left out is one whose own check would have returned at once
 * (`applies` is false), so findings are unchanged. Each resource policy left out is answered by a
 * stand-in of the same name whose type hint never matches, so the host still records it as "not
 * applicable" (the engine counts a policy neither failed nor not applicable as passed: pulumi/pulumi
 * pkg/resource/analyzer, newPolicySummary) at the cost of that record alone.
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
interface AnalyzerProtoModule {
    AnalyzeRequest: { prototype: TypedRequest & { getType: (() => string) & { __notedByPack?: true } } };
    AnalyzeStackRequest: { prototype: StackRequest & { getResourcesList: (() => TypedRequest[]) & { __notedByPack?: true } } };
}

/** The type of the `Analyze` request being started, until the policy loop takes it. */
let noted: string | undefined;
/** The resources of the `AnalyzeStack` request being started, until the policy loop takes them. */
let notedStack: TypedRequest[] | undefined;

/** Makes `AnalyzeRequest.getType` note its result. Idempotent; false when the host's modules are not where expected. */
function noteRequestTypes(): boolean {
    let proto: AnalyzerProtoModule;
    try {
        // The copy the host's server uses: resolved from @pulumi/policy's own folder.
        const policyDir = path.dirname(require.resolve("@pulumi/policy"));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        proto = require(require.resolve("@pulumi/pulumi/proto/analyzer_pb", { paths: [policyDir] })) as AnalyzerProtoModule;
    } catch {
        return false;
    }
    const original = proto.AnalyzeRequest?.prototype?.getType;
    if (typeof original !== "function") {
        return false;
    }
    if (original.__notedByPack) {
        return true;
    }
    const noting: (() => string) & { __notedByPack?: true } = function (this: TypedRequest) {
        const type = original.call(this);
        noted = type;
        notedStack = undefined;
        return type;
    };
    noting.__notedByPack = true;
    proto.AnalyzeRequest.prototype.getType = noting;
    const originalList = proto.AnalyzeStackRequest?.prototype?.getResourcesList;
    if (typeof originalList === "function" && !originalList.__notedByPack) {
        const notingList: (() => TypedRequest[]) & { __notedByPack?: true } = function (this: StackRequest) {
            const list = originalList.call(this);
            notedStack = list;
            noted = undefined;
            return list;
        };
        notingList.__notedByPack = true;
        proto.AnalyzeStackRequest.prototype.getResourcesList = notingList;
    }
    return true;
}

/**
 * Installs type dispatch on `policies` (the array the pack is constructed with). `appliesTo(policy,
 * type)` says whether a resource policy can report anything for a type (return true for stack
 * policies: the Analyze loop skips them itself); `stackAppliesTo(policy, types)` whether a stack
 * policy can report anything for a stack holding those types (true for resource policies). Returns
 * false (and changes nothing) when the host's request module cannot be patched.
 */
export function dispatchByType(
    policies: Policies,
    appliesTo: (policy: Policy, type: string) => boolean,
    stackAppliesTo: (policy: Policy, types: ReadonlySet<string>) => boolean = () => true,
    typesOf: (policy: Policy) => string = () => "the types it checks",
): boolean {
    if (!noteRequestTypes()) {
        return false;
    }
    const all = [...policies];
    const standIns = new Map<Policy, Policy>();
    // The host reports a policy whose type hint differs from the request's as not applicable, naming the hint.
    const standInFor = (policy: Policy): Policy => {
        let standIn = standIns.get(policy);
        if (!standIn) {
            const never: (() => void) & { __pulumiType?: string } = () => undefined;
            never.__pulumiType = typesOf(policy);
            standIn = {
                name: policy.name,
                description: policy.description,
                enforcementLevel: policy.enforcementLevel,
                validateResource: never,
            };
            standIns.set(policy, standIn);
        }
        return standIn;
    };
    const byType = new Map<string, Policy[]>();
    const forType = (type: string): Policy[] => {
        let list = byType.get(type);
        if (!list) {
            list = all.map((p) => (appliesTo(p, type) ? p : "validateResource" in p ? standInFor(p) : p));
            byType.set(type, list);
        }
        return list;
    };
    Object.defineProperty(policies, Symbol.iterator, {
        configurable: true,
        value: function (): IterableIterator<Policy> {
            const type = noted;
            const stack = notedStack;
            noted = undefined;
            notedStack = undefined;
            if (type !== undefined) {
                return forType(type)[Symbol.iterator]();
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

/** For tests: the note a `getType` or `getResourcesList` call left and no policy loop took yet. */
export function pendingType(): string | undefined {
    return noted ?? (notedStack ? "<stack>" : undefined);
}
