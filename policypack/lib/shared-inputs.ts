/**
 * The policy host's analyzer (`@pulumi/policy`) deserializes a resource's inputs afresh for every
 * policy that has no single-type hint, and for every stack policy: with ~20 such policies that is
 * most of the pack's cost (see docs/performance.md). Deserialization is a pure function of the
 * request's inputs struct, so the pack shares one deserialized copy per struct: the first policy
 * pays, the others reuse it. The copy is only read (every check treats inputs as read-only), and
 * each policy still gets its own unknown-checking proxy around it, so preview semantics (unknown
 * values raise the advisory "can't run during preview") are unchanged.
 *
 * The copy is made lazily: the host deserializes every resource's inputs for `AnalyzeStack` (and for each
 * `Analyze`), but most stack resources are never read by a stack rule, and some resource rules decide by
 * type or name alone. The object handed out is a proxy over an empty object that is filled with the
 * deserialized inputs on its first use (any read, key listing or `in`), and forwards to it from then on;
 * once filled its target holds the real properties, so every proxy invariant holds as for a plain object.
 *
 * Only the analyzer's own form (`proxySecrets` false, used by analyze and analyzeStack) is shared;
 * remediation's form is left alone. If the host's module ever changes shape, nothing is installed
 * and the pack runs exactly as before, only slower.
 */
import * as path from "node:path";

type Deserialize = (struct: object, proxySecrets: boolean) => Record<string, unknown>;
interface DeserializeModule {
    deserializeProperties: Deserialize & { __sharedByPack?: true };
}

/** Installs the shared deserialization into the `@pulumi/policy` this pack is served by. Idempotent. */
export function shareDeserializedInputs(): boolean {
    let mod: DeserializeModule;
    try {
        // Same copy as the server that serves the pack: resolved from the package's own entry. A
        // require, not an import, because the module object itself is patched.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        mod = require(path.join(path.dirname(require.resolve("@pulumi/policy")), "deserialize.js")) as DeserializeModule;
    } catch {
        return false;
    }
    const original = mod.deserializeProperties;
    if (typeof original !== "function") {
        return false;
    }
    if (original.__sharedByPack) {
        return true;
    }
    const shared = new WeakMap<object, Record<string, unknown>>();
    const deserializeOnce: Deserialize & { __sharedByPack?: true } = (struct, proxySecrets) => {
        if (proxySecrets || struct === null || typeof struct !== "object") {
            return original(struct, proxySecrets);
        }
        let props = shared.get(struct);
        if (props === undefined) {
            props = lazily(() => original(struct, proxySecrets));
            shared.set(struct, props);
        }
        return props;
    };
    deserializeOnce.__sharedByPack = true;
    mod.deserializeProperties = deserializeOnce;
    return true;
}

/** Traps that all forward to the filled target: every operation a reader can perform on the object. */
const TRAPS = [
    "get",
    "has",
    "ownKeys",
    "getOwnPropertyDescriptor",
    "getPrototypeOf",
    "set",
    "deleteProperty",
    "defineProperty",
    "isExtensible",
    "preventExtensions",
    "setPrototypeOf",
] as const;

/** The handler shared by every lazy copy: each trap fills the copy's target (once), then forwards to it. */
const lazyHandler: ProxyHandler<Record<string, unknown>> = Object.fromEntries(
    TRAPS.map((trap) => [
        trap,
        (target: Record<string, unknown>, ...rest: unknown[]) => {
            fill(target);
            return (Reflect[trap] as (...args: unknown[]) => unknown)(target, ...rest);
        },
    ]),
);

/** Per empty target, how to fill it; removed once filled. */
const pending = new WeakMap<object, () => Record<string, unknown>>();

function fill(target: Record<string, unknown>): void {
    const make = pending.get(target);
    if (make !== undefined) {
        Object.assign(target, make());
        pending.delete(target);
    }
}

/** An object that is `make()`'s result, computed on first use. */
export function lazily(make: () => Record<string, unknown>): Record<string, unknown> {
    const target: Record<string, unknown> = {};
    pending.set(target, make);
    return new Proxy(target, lazyHandler);
}
