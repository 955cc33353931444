/**
 * The pack's one configuration block. Every policy accepts the same block (Pulumi hands each policy
 * its own config entry), so organisations write it once and give it to each policy they tune;
 * `npm run policy`/`npm run plan` also accept it under the key "*" for every policy at once.
 */
import { PolicyConfigSchema } from "@pulumi/policy";

export interface Exemption {
    /** Resource (logical) name the exemption applies to. */
    readonly resourceName?: string;
    /** Or: resources carrying this tag. */
    readonly tag?: { readonly key: string; readonly value: string };
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
    readonly exemptions: readonly Exemption[];
}

export const DEFAULT_CONFIG: PackConfig = {
    orgTagKeys: ["environment", "owner", "cost-center", "managed-by"],
    abacTagKeys: ["ekssecret"],
    adminRoles: ["*-deployer-deploy-*"],
    minKmsDeletionWindowDays: 7,
    minCaPermanentDeletionDays: 7,
    allowedHelmRepositories: [
        "oci://public.ecr.aws/karpenter",
        "https://charts.external-secrets.io",
        "https://charts.jetstack.io",
        "https://cert-manager.github.io/aws-privateca-issuer",
        "https://charts.gitlab.io",
        "https://charts.jenkins.io",
        "https://piraeus.io/helm-charts",
    ],
    environmentTagKey: "environment",
    exemptions: [],
};

/** JSON schema of the block, given to every policy as its `configSchema`. */
export const CONFIG_SCHEMA: PolicyConfigSchema = {
    properties: {
        orgTagKeys: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1, description: "Tag keys every taggable AWS resource must carry." },
        abacTagKeys: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1, description: "ABAC tag keys: on every secret, in tag conditions of broad grants." },
        adminRoles: { type: "array", items: { type: "string" }, description: "Roles (name or ARN) that may change ABAC tags." },
        minKmsDeletionWindowDays: { type: "integer", minimum: 7, maximum: 30, description: "Shortest KMS key deletion window allowed." },
        minCaPermanentDeletionDays: { type: "integer", minimum: 7, maximum: 30, description: "Shortest ACM PCA permanent-deletion period allowed." },
        allowedHelmRepositories: { type: "array", items: { type: "string" }, description: "Helm repositories (https:// or oci://) charts may come from." },
        environmentTagKey: { type: "string", description: "Stack tag naming the environment (prod rules apply where it is prod)." },
        exemptions: {
            type: "array",
            description: "Resources a policy does not enforce on; each is still reported as an advisory finding.",
            items: {
                type: "object",
                required: ["reason"],
                properties: {
                    resourceName: { type: "string" },
                    tag: { type: "object", required: ["key", "value"], properties: { key: { type: "string" }, value: { type: "string" } } },
                    reason: { type: "string", minLength: 10 },
                },
            },
        },
    },
};

/** Resolves a policy's config over the defaults. */
export function resolveConfig(given: Partial<PackConfig> | undefined): PackConfig {
    return { ...DEFAULT_CONFIG, ...(given ?? {}) };
}

/** The exemption that covers a resource, if any. */
export function exemptionFor(config: PackConfig, name: string, tags: unknown): Exemption | undefined {
    const tagMap = tags !== null && typeof tags === "object" ? (tags as Record<string, unknown>) : {};
    return config.exemptions.find((e) => (e.resourceName !== undefined && e.resourceName === name) || (e.tag !== undefined && tagMap[e.tag.key] === e.tag.value));
}
