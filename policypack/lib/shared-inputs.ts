/**
 * The policy host's analyzer (`@pulumi/policy`) deserializes a resource's inputs afresh for every
 * policy that has no single-type hint, and for every stack policy: with ~20 such policies that is
 * most of the pack's cost (see docs/performance.md). Deserialization is a pure function of the
 * request's inputs struct, so the pack shares one deserialized copy per struct: the first policy
 * pays, the others reuse it. The copy is only read (every check treats inputs as read-only), and
 * each policy still gets its own unknown-checking proxy around it, so preview semantics (unknown
 * values raise the advisory "can't run during preview") are unchanged.
 *
 * For `AnalyzeStack` the copy is made lazily (`lazilyForThisStep`): the host deserializes every resource's
 * inputs, but most stack resources are never read by a stack rule. The object handed out is then a proxy over
 * an empty object that is filled with the deserialized inputs on its first use (any read, key listing or
 * `in`), and forwards to it from then on; once filled its target holds the real properties, so every proxy
 * invariant holds as for a plain object. An `Analyze` request's inputs are read at once by the policies that
 * apply to its type (dispatch.ts): there the copy is made eagerly, as a proxy would only add a trap per read.
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

/** Whether the copies handed out in the current synchronous step are lazy (see `lazilyForThisStep`). */
let lazyStep = false;

/**
 * Makes the copies handed out in the current synchronous step lazy: dispatch.ts calls it as the host's
 * `AnalyzeStack` loop takes a stack policy, right before the host deserializes every resource of the stack in
 * the same step (@pulumi/policy 1.21 server.js makeAnalyzeStackRpcFun). The step ends at the host's next
 * `await`; an `Analyze` call, another gRPC callback, never runs inside it.
 */
export function lazilyForThisStep(): void {
    if (!lazyStep) {
        lazyStep = true;
        queueMicrotask(() => {
            lazyStep = false;
        });
    }
}

/** Whether the next deserialization is the only one of its request (see `onlyReaderOfNext`). */
let notShared = false;

/**
 * Says that the next deserialization the host makes is the only one of its request: dispatch.ts calls it as the host's
 * `Analyze` loop takes the one policy it walks (a fused policy runs every member over one copy), right before the host
 * deserializes that request's inputs in the same step. That copy is then not kept for others: with one reader, the
 * table's entry (a weak reference the collector must trace) is pure cost. Keeping or not keeping a copy never changes
 * what a policy reads (deserialization is a pure function of the request), so a flag left unused costs nothing but a
 * missed share.
 */
export function onlyReaderOfNext(): void {
    notShared = true;
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
        if (notShared) {
            notShared = false;
            if (!lazyStep) {
                return original(struct, proxySecrets);
            }
        }
        let props = shared.get(struct);
        if (props === undefined) {
            props = lazyStep ? lazily(() => original(struct, proxySecrets)) : original(struct, proxySecrets);
            shared.set(struct, props);
        }
        return props;
    };
    deserializeOnce.__sharedByPack = true;
    mod.deserializeProperties = deserializeOnce;
    return true;
}

/** The key under which a lazy copy answers with its filled target (see `settled`); a symbol no input can hold. */
const SETTLE = Symbol("ciplatform.settledInputs");

type Target = Record<PropertyKey, unknown>;

/**
 * One lazy copy's handler: every operation a reader can perform fills the empty target (once) with `make()`'s
 * result, then forwards to it. The pending `make` is the handler's own field (no table keyed by target to look up
 * on every read, nor entries for the garbage collector to trace).
 */
class LazyInputs implements ProxyHandler<Target> {
    constructor(private make: (() => Record<string, unknown>) | undefined) {}

    private fill(target: Target): Target {
        const make = this.make;
        if (make !== undefined) {
            this.make = undefined;
            Object.assign(target, make());
        }
        return target;
    }

    get(target: Target, key: PropertyKey, receiver: unknown): unknown {
        this.fill(target);
        return key === SETTLE ? target : Reflect.get(target, key, receiver);
    }
    has(target: Target, key: PropertyKey): boolean {
        return Reflect.has(this.fill(target), key);
    }
    ownKeys(target: Target): ArrayLike<string | symbol> {
        return Reflect.ownKeys(this.fill(target));
    }
    getOwnPropertyDescriptor(target: Target, key: PropertyKey): PropertyDescriptor | undefined {
        return Reflect.getOwnPropertyDescriptor(this.fill(target), key);
    }
    set(target: Target, key: PropertyKey, value: unknown, receiver: unknown): boolean {
        return Reflect.set(this.fill(target), key, value, receiver);
    }
    deleteProperty(target: Target, key: PropertyKey): boolean {
        return Reflect.deleteProperty(this.fill(target), key);
    }
    defineProperty(target: Target, key: PropertyKey, descriptor: PropertyDescriptor): boolean {
        return Reflect.defineProperty(this.fill(target), key, descriptor);
    }
    isExtensible(target: Target): boolean {
        return Reflect.isExtensible(this.fill(target));
    }
    preventExtensions(target: Target): boolean {
        return Reflect.preventExtensions(this.fill(target));
    }
    setPrototypeOf(target: Target, prototype: object | null): boolean {
        return Reflect.setPrototypeOf(this.fill(target), prototype);
    }
    /**
     * The prototype is the empty target's own, Object.prototype, before and after filling (deserializeProperties
     * returns a plain object and filling only adds properties): answered without filling, because the host's
     * unknown-checking proxy asks it of every value it wraps (`toProxy instanceof Object`, @pulumi/policy 1.21
     * proxy.js proxyHelper), which would otherwise deserialize every stack resource whether a rule reads it or not.
     */
    getPrototypeOf(target: Target): object | null {
        return Reflect.getPrototypeOf(target);
    }
}

/** An object that is `make()`'s result, computed on first use. */
export function lazily(make: () => Record<string, unknown>): Record<string, unknown> {
    return new Proxy<Target>({}, new LazyInputs(make)) as Record<string, unknown>;
}

/**
 * The plain object behind a lazy copy, filled (any other value as it is): a reader that reads many properties
 * (every member of a type, one after the other) then pays no trap per read.
 */
export function settled<T>(value: T): T {
    if (value === null || typeof value !== "object") {
        return value;
    }
    return ((value as Record<PropertyKey, unknown>)[SETTLE] as T | undefined) ?? value;
}
