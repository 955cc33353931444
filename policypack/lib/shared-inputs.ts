/**
 * The policy host's analyzer (`@pulumi/policy`) deserializes a resource's inputs afresh for every
 * policy that has no single-type hint, and for every stack policy: with ~20 such policies that is
 * most of the pack's cost (see docs/performance.md). Deserialization is a pure function of the
 * request's inputs struct, so the pack shares one deserialized copy per struct: the first policy
 * pays, the others reuse it. The copy is only read (every check treats inputs as read-only), and
 * each policy still gets its own unknown-checking proxy around it, so preview semantics (unknown
 * values raise the advisory "can't run during preview") are unchanged.
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
            props = original(struct, proxySecrets);
            shared.set(struct, props);
        }
        return props;
    };
    deserializeOnce.__sharedByPack = true;
    mod.deserializeProperties = deserializeOnce;
    return true;
}
