/**
 * The pack's one configuration block. Every policy accepts the same block (Pulumi hands each policy
 * its own config entry), so organisations write it once and give it to each policy they tune;
 * `npm run policy`/`npm run plan` also accept it under the key "*" for every policy at once.
 */
import { PolicyConfigSchema } from "@pulumi/policy";
import type { PodSecurityLevel } from "./lib/pod-security";
import { starPattern } from "./lib/glob";

export interface Exemption {
    /** Resource (logical) name the exemption applies to; `*` matches any run of characters. */
    readonly resourceName?: string;
    /** Or: resources carrying this tag. */
    readonly tag?: { readonly key: string; readonly value: string };
    /** Policies the exemption covers. @default - every policy */
    readonly policies?: readonly string[];
    /** Why the rule does not apply: shown in every report. */
    readonly reason: string;
}

export interface PackConfig {
    readonly orgTagKeys: readonly string[];
    readonly abacTagKeys: readonly string[];
    /** Roles allowed to change ABAC tags (names or ARNs). */
    readonly adminRoles: readonly string[];
    readonly minKmsDeletionWindowDays: number;
    readonly minCaPermanentDeletionDays: number;
    readonly allowedHelmRepositories: readonly string[];
    /** Stack tag / resource tag key that names the environment. */
    readonly environmentTagKey: string;
    /** Pod Security level assumed for a namespace the program does not declare. */
    readonly podSecurityDefaultLevel: PodSecurityLevel;
    readonly exemptions: readonly Exemption[];
}

/**
 * The pack's defaults are neutral: no exemptions and no admin roles. An organisation names its own
 * (exemptions with their reasons, the roles that may change ABAC tags) in its policy config; this
 * repository's are in policy-config.json at its root, given by its tools and CI pipelines.
 */
export const DEFAULT_CONFIG: PackConfig = {
    orgTagKeys: ["environment", "owner", "cost-center", "managed-by"],
    abacTagKeys: ["ekssecret"],
    adminRoles: [],
    minKmsDeletionWindowDays: 7,
    minCaPermanentDeletionDays: 7,
    allowedHelmRepositories: [
        "oci://public.ecr.aws/karpenter",
        "https://charts.external-secrets.io",
        "https://charts.jetstack.io",
        "https://cert-manager.github.io/aws-privateca-issuer",
        "https://charts.gitlab.io",
        "https://charts.jenkins.io",
        "oci://ghcr.io/piraeusdatastore/piraeus-operator",
        "https://aws.github.io/eks-charts",
        // Supply chain and findings (issue 25): Kyverno, its Notation/AWS Signer extension, Policy Reporter, Falco and Falcosidekick.
        "https://kyverno.github.io/kyverno",
        "https://nirmata.github.io/kyverno-notation-aws",
        "https://kyverno.github.io/policy-reporter",
        "https://falcosecurity.github.io/charts",
    ],
    environmentTagKey: "environment",
    podSecurityDefaultLevel: "restricted",
    exemptions: [],
};

/** JSON schema of the block, given to every policy as its `configSchema`. */
export const CONFIG_SCHEMA: PolicyConfigSchema = {
    properties: {
        orgTagKeys: {
            type: "array",
            items: { type: "string", minLength: 1 },
            minItems: 1,
            description: "Tag keys every taggable AWS resource must carry.",
        },
        abacTagKeys: {
            type: "array",
            items: { type: "string", minLength: 1 },
            minItems: 1,
            description: "ABAC tag keys: on every secret, in tag conditions of broad grants.",
        },
        adminRoles: { type: "array", items: { type: "string" }, description: "Roles (name or ARN) that may change ABAC tags." },
        minKmsDeletionWindowDays: { type: "integer", minimum: 7, maximum: 30, description: "Shortest KMS key deletion window allowed." },
        minCaPermanentDeletionDays: {
            type: "integer",
            minimum: 7,
            maximum: 30,
            description: "Shortest ACM PCA permanent-deletion period allowed.",
        },
        allowedHelmRepositories: {
            type: "array",
            items: { type: "string" },
            description: "Helm repositories (https:// or oci://) charts may come from.",
        },
        environmentTagKey: { type: "string", description: "Stack tag naming the environment (prod rules apply where it is prod)." },
        podSecurityDefaultLevel: {
            type: "string",
            enum: ["privileged", "baseline", "restricted"],
            description: "Pod Security level assumed for namespaces the program does not declare.",
        },
        exemptions: {
            type: "array",
            description: "Resources a policy does not enforce on; each is still reported as an advisory finding.",
            items: {
                type: "object",
                required: ["reason"],
                // A misspelt key would otherwise be ignored and the exemption cover more (or other) than written.
                additionalProperties: false,
                properties: {
                    resourceName: { type: "string", minLength: 1, description: "Resource name; * matches any run of characters." },
                    policies: { type: "array", items: { type: "string" }, description: "Policies the exemption covers (default: all)." },
                    tag: { type: "object", required: ["key", "value"], properties: { key: { type: "string" }, value: { type: "string" } } },
                    reason: { type: "string", minLength: 10 },
                },
            },
        },
    },
};

// Policies ask for their config on every resource; the host hands out a fresh shallow copy each
// time, whose values are the same objects until the next `configure`. A resolved config is kept
// per policy and reused while those values are identical.
const resolved = new Map<string, { given: Partial<PackConfig>; config: PackConfig }>();

function sameValues(a: Partial<PackConfig>, b: Partial<PackConfig>): boolean {
    // Without allocating: this runs for every policy on every resource.
    let count = 0;
    for (const k in a) {
        if (a[k as keyof PackConfig] !== b[k as keyof PackConfig]) {
            return false;
        }
        count++;
    }
    for (const k in b) {
        if (!(k in a)) {
            return false;
        }
        count--;
    }
    return count === 0;
}

/** Resolves a policy's config over the defaults (`policy` names the cache slot). */
export function resolveConfig(given: Partial<PackConfig> | undefined, policy = ""): PackConfig {
    const block = given ?? {};
    const hit = resolved.get(policy);
    if (hit && sameValues(hit.given, block)) {
        return hit.config;
    }
    const config: PackConfig = { ...DEFAULT_CONFIG, ...block };
    resolved.set(policy, { given: block, config });
    return config;
}

interface CompiledExemption {
    readonly exemption: Exemption;
    readonly name?: RegExp | string;
    readonly policies?: ReadonlySet<string>;
}

const compiled = new WeakMap<readonly Exemption[], CompiledExemption[]>();

function compile(exemptions: readonly Exemption[]): CompiledExemption[] {
    let list = compiled.get(exemptions);
    if (!list) {
        list = exemptions.map((e) => ({
            exemption: e,
            name: e.resourceName === undefined ? undefined : e.resourceName.includes("*") ? starPattern(e.resourceName) : e.resourceName,
            policies: e.policies ? new Set(e.policies) : undefined,
        }));
        compiled.set(exemptions, list);
    }
    return list;
}

/** The exemption that covers a resource for a policy (any policy when omitted), if any. */
export function exemptionFor(config: PackConfig, name: string, tags: unknown, policy?: string): Exemption | undefined {
    if (config.exemptions.length === 0) {
        return undefined;
    }
    const tagMap = tags !== null && typeof tags === "object" ? (tags as Record<string, unknown>) : undefined;
    for (const c of compile(config.exemptions)) {
        if (policy !== undefined && c.policies && !c.policies.has(policy)) {
            continue;
        }
        const byName = c.name !== undefined && (typeof c.name === "string" ? c.name === name : c.name.test(name));
        const e = c.exemption;
        if (byName || (e.tag !== undefined && tagMap !== undefined && tagMap[e.tag.key] === e.tag.value)) {
            return e;
        }
    }
    return undefined;
}
