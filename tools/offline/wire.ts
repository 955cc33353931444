/** Pulumi's wire-format markers (sdk/nodejs/runtime/rpc.ts), for turning registrations into plain JSON. */
export const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
export const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
export const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What a secret looks like in a plan: never its value. */
export const SECRET_MARKER = "[secret]";
export const UNKNOWN_MARKER = "[unknown]";

/**
 * Converts serialized resource inputs to the plan file's plain JSON: secrets as `"[secret]"`,
 * resources as their URN, unknowns as `"[unknown]"`, assets and archives as their path, text or URI.
 */
export function toPlainJson(value: unknown): unknown {
    if (value === UNKNOWN_VALUE) {
        return UNKNOWN_MARKER;
    }
    if (Array.isArray(value)) {
        return value.map(toPlainJson);
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    const obj = value as Record<string, unknown>;
    switch (obj[SPECIAL_SIG_KEY]) {
        case SECRET_SIG:
            return SECRET_MARKER;
        case RESOURCE_SIG:
            return obj.urn;
        case OUTPUT_VALUE_SIG:
            if (obj.secret) {
                return SECRET_MARKER;
            }
            return "value" in obj ? toPlainJson(obj.value) : UNKNOWN_MARKER;
        case ASSET_SIG:
        case ARCHIVE_SIG:
            return obj.path ?? obj.uri ?? obj.text ?? "[asset]";
        default:
            return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, toPlainJson(v)]));
    }
}
