/**
 * The parts of Kyverno's ClusterPolicy (kyverno.io/v1) the platform's policies use, as a JSON
 * schema written from the CRD of chart kyverno 3.9.0 (kyverno/kyverno v1.19.0,
 * charts/kyverno/charts/crds/templates/kyverno.io/kyverno.io_clusterpolicies.yaml: the property
 * names and enums below are that CRD's). Every object is closed (`additionalProperties: false`), so
 * a misspelt field, which the API server would prune silently, fails the test instead. Condition
 * operators are those Kyverno documents for preconditions and deny conditions (the CRD leaves
 * conditions open: `x-kubernetes-preserve-unknown-fields`).
 */
const OPERATORS = [
    "Equals",
    "NotEquals",
    "AnyIn",
    "AllIn",
    "AnyNotIn",
    "AllNotIn",
    "GreaterThan",
    "GreaterThanOrEquals",
    "LessThan",
    "LessThanOrEquals",
];

const condition = {
    type: "object",
    additionalProperties: false,
    required: ["key", "operator", "value"],
    properties: { key: {}, operator: { enum: OPERATORS }, value: {}, message: { type: "string" } },
};
const conditions = {
    type: "object",
    additionalProperties: false,
    minProperties: 1,
    properties: { all: { type: "array", items: condition }, any: { type: "array", items: condition } },
};
const strings = { type: "array", items: { type: "string", minLength: 1 } };
const resourceFilter = {
    type: "object",
    additionalProperties: false,
    required: ["resources"],
    properties: {
        resources: {
            type: "object",
            additionalProperties: false,
            minProperties: 1,
            properties: {
                kinds: strings,
                namespaces: strings,
                operations: { type: "array", items: { enum: ["CREATE", "CONNECT", "UPDATE", "DELETE"] } },
            },
        },
    },
};
const filters = {
    type: "object",
    additionalProperties: false,
    properties: { any: { type: "array", minItems: 1, items: resourceFilter }, all: { type: "array", items: resourceFilter } },
};
const contextEntry = {
    type: "object",
    additionalProperties: false,
    required: ["name", "apiCall"],
    properties: {
        name: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
        apiCall: {
            type: "object",
            additionalProperties: false,
            properties: {
                urlPath: { type: "string", pattern: "^/" },
                method: { enum: ["GET", "POST"] },
                jmesPath: { type: "string" },
                data: {
                    type: "array",
                    items: {
                        type: "object",
                        additionalProperties: false,
                        required: ["key", "value"],
                        properties: { key: { type: "string" }, value: {} },
                    },
                },
                service: {
                    type: "object",
                    additionalProperties: false,
                    required: ["url"],
                    properties: { url: { type: "string", pattern: "^https://" }, caBundle: { type: "string" } },
                },
            },
        },
    },
};

export const CLUSTER_POLICY_SCHEMA = {
    type: "object",
    additionalProperties: false,
    required: ["apiVersion", "kind", "metadata", "spec"],
    properties: {
        apiVersion: { const: "kyverno.io/v1" },
        kind: { const: "ClusterPolicy" },
        metadata: {
            type: "object",
            additionalProperties: false,
            required: ["name"],
            properties: {
                name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 },
                annotations: { type: "object", additionalProperties: { type: "string" } },
            },
        },
        spec: {
            type: "object",
            additionalProperties: false,
            required: ["rules"],
            properties: {
                background: { type: "boolean" },
                failurePolicy: { enum: ["Ignore", "Fail"] },
                webhookTimeoutSeconds: { type: "integer", minimum: 1, maximum: 30 },
                rules: {
                    type: "array",
                    minItems: 1,
                    items: {
                        type: "object",
                        additionalProperties: false,
                        required: ["name", "match"],
                        oneOf: [{ required: ["mutate"] }, { required: ["validate"] }],
                        properties: {
                            name: { type: "string", maxLength: 63 },
                            match: filters,
                            exclude: filters,
                            preconditions: conditions,
                            context: { type: "array", items: contextEntry },
                            mutate: {
                                type: "object",
                                additionalProperties: false,
                                required: ["foreach"],
                                properties: {
                                    foreach: {
                                        type: "array",
                                        items: {
                                            type: "object",
                                            additionalProperties: false,
                                            required: ["list", "patchesJson6902"],
                                            properties: {
                                                list: { type: "string" },
                                                preconditions: conditions,
                                                context: { type: "array", items: contextEntry },
                                                patchesJson6902: { type: "string" },
                                            },
                                        },
                                    },
                                },
                            },
                            validate: {
                                type: "object",
                                additionalProperties: false,
                                required: ["failureAction"],
                                properties: {
                                    failureAction: { enum: ["Audit", "Enforce"] },
                                    failureActionOverrides: {
                                        type: "array",
                                        items: {
                                            type: "object",
                                            additionalProperties: false,
                                            required: ["action", "namespaces"],
                                            properties: { action: { enum: ["Audit", "Enforce"] }, namespaces: strings },
                                        },
                                    },
                                    message: { type: "string" },
                                    podSecurity: {
                                        type: "object",
                                        additionalProperties: false,
                                        required: ["level"],
                                        properties: {
                                            level: { enum: ["privileged", "baseline", "restricted"] },
                                            version: { type: "string" },
                                        },
                                    },
                                    foreach: {
                                        type: "array",
                                        items: {
                                            type: "object",
                                            additionalProperties: false,
                                            required: ["list", "deny"],
                                            properties: {
                                                list: { type: "string" },
                                                deny: {
                                                    type: "object",
                                                    additionalProperties: false,
                                                    required: ["conditions"],
                                                    properties: { conditions },
                                                },
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
} as const;

/** kyverno-notation-aws's TrustPolicy (notation.nirmata.io/v1alpha1), from its CRD in chart 1.1.0 and Notation's trust policy specification. */
export const TRUST_POLICY_SCHEMA = {
    type: "object",
    required: ["apiVersion", "kind", "metadata", "spec"],
    properties: {
        apiVersion: { const: "notation.nirmata.io/v1alpha1" },
        kind: { const: "TrustPolicy" },
        spec: {
            type: "object",
            additionalProperties: false,
            // kyverno-notation-aws 1.1.0 templates/crds/notation.nirmata.io_trustpolicies.yaml: spec.required = trustPolicies, trustPolicyName, version.
            required: ["version", "trustPolicyName", "trustPolicies"],
            properties: {
                version: { const: "1.0" },
                trustPolicyName: { type: "string", minLength: 1 },
                trustPolicies: {
                    type: "array",
                    minItems: 1,
                    items: {
                        type: "object",
                        additionalProperties: false,
                        required: ["name", "registryScopes", "signatureVerification", "trustStores", "trustedIdentities"],
                        properties: {
                            name: { type: "string" },
                            // Notation: whole repositories, no wildcards (a lone "*" would trust any repository).
                            registryScopes: {
                                type: "array",
                                minItems: 1,
                                items: { type: "string", pattern: "^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+$" },
                            },
                            signatureVerification: {
                                type: "object",
                                additionalProperties: false,
                                properties: { level: { enum: ["strict", "permissive", "audit", "skip"] }, override: { type: "object" } },
                            },
                            trustStores: { type: "array", items: { type: "string", pattern: "^(ca|signingAuthority|tsa):.+$" } },
                            trustedIdentities: { type: "array", minItems: 1, items: { type: "string", not: { const: "*" } } },
                        },
                    },
                },
            },
        },
    },
} as const;

/**
 * The JMESPath functions Kyverno 1.19 evaluates in `{{ }}` variables, preconditions, deny conditions and
 * foreach lists: the JMESPath specification's built-ins (kyverno/go-jmespath functions.go, the fork
 * kyverno v1.19.0's go.mod pins) and Kyverno's own (kyverno/kyverno v1.19.0
 * pkg/engine/jmespath/functions.go, its function-name variables; time.go's time_* functions are left
 * out, as no policy here uses them). A function outside these fails at admission (an unknown function
 * is a JMESPath error, and the policy fails closed), which no schema of the CRD catches.
 */
export const KYVERNO_JMESPATH_FUNCTIONS: ReadonlySet<string> = new Set([
    // JMESPath built-ins.
    ...["abs", "avg", "ceil", "contains", "ends_with", "floor", "join", "keys", "length", "map", "max", "max_by", "merge", "min"],
    ...["min_by", "not_null", "reverse", "sort", "sort_by", "starts_with", "sum", "to_array", "to_number", "to_string", "type"],
    "values",
    // Kyverno 1.19.
    ...["compare", "equal_fold", "replace", "replace_all", "to_upper", "to_lower", "trim", "trim_prefix", "split"],
    ...["regex_replace_all", "regex_replace_all_literal", "regex_match", "pattern_match", "label_match", "to_boolean", "add"],
    ...["subtract", "multiply", "divide", "modulo", "round", "base64_decode", "base64_encode", "path_canonicalize", "truncate"],
    ...["semver_compare", "parse_json", "parse_yaml", "lookup", "items", "object_from_lists", "random", "x509_decode"],
    ...["image_normalize", "is_external_url", "sha256", "sha1", "md5"],
]);

/** The names of the functions a policy calls: in every `{{ … }}` expression, and in every foreach `list` (a bare JMESPath). */
export function jmespathFunctionsOf(policy: unknown): string[] {
    const expressions: string[] = [];
    const walk = (value: unknown, key?: string): void => {
        if (typeof value === "string") {
            for (const m of value.matchAll(/\{\{(.*?)\}\}/gs)) expressions.push(m[1]);
            if (key === "list" || key === "jmesPath") expressions.push(value);
        } else if (Array.isArray(value)) value.forEach((v) => walk(v));
        else if (value !== null && typeof value === "object") Object.entries(value).forEach(([k, v]) => walk(v, k));
    };
    walk(policy);
    // A function call is an identifier directly followed by "(", outside quoted literals.
    const unquoted = expressions.map((e) => e.replace(/'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*"/g, "''"));
    return [...new Set(unquoted.flatMap((e) => [...e.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((m) => m[1])))].sort();
}
