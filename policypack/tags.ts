import taggableTypeList from "./data/taggable-types.json";
import { NO_FINDINGS, resourcePolicy, ResourceRule } from "./lib/rule";

/** Resource types whose `tags` input is a map (generated from the AWS and EKS SDKs). */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set(taggableTypeList);

/** The org tag keys every taggable resource must carry unless the pack is configured otherwise. */
export const DEFAULT_ORG_TAG_KEYS = ["environment", "owner", "cost-center", "managed-by"] as const;

const NONE_MISSING: readonly string[] = Object.freeze([]);

/**
 * Returns the required tag keys that are absent or empty in `tags`, in the order required (a shared empty list when
 * none is: most resources).
 */
export function missingTags(tags: unknown, required: readonly string[]): readonly string[] {
    const present = tags !== null && typeof tags === "object" ? (tags as Record<string, unknown>) : undefined;
    let missing: string[] | undefined;
    for (let k = 0; k < required.length; k++) {
        const key = required[k];
        const value = present?.[key];
        if (typeof value !== "string" || value.trim() === "") {
            (missing ??= []).push(key);
        }
    }
    return missing ?? NONE_MISSING;
}

/** Tags a resource ends up with: the provider's default tags (where the engine shows them) under its own. */
function effectiveTags(props: Record<string, unknown>, providerProps: Record<string, unknown> | undefined): Record<string, unknown> {
    const defaults = (providerProps?.defaultTags as { tags?: Record<string, unknown> } | undefined)?.tags;
    const tags = props.tags;
    const own = tags !== null && typeof tags === "object" ? (tags as Record<string, unknown>) : {};
    // Most resources carry their own tags and no provider defaults: read them as they are.
    return defaults ? { ...defaults, ...own } : own;
}

export const orgTagsRule: ResourceRule = {
    name: "aws-resource-require-org-tags",
    description: "Every taggable AWS resource carries the organisation's tags in its own tags input.",
    enforcementLevel: "mandatory",
    types: (type) => TAGGABLE_TYPES.has(type),
    check: (r, config) => {
        const missing = missingTags(effectiveTags(r.props, r.providerProps), config.orgTagKeys);
        return missing.length > 0
            ? [`${r.type} "${r.name}" is missing org tags ${missing.map((k) => `"${k}"`).join(", ")}: set them in its tags input.`]
            : NO_FINDINGS;
    },
};

export const secretAbacTagRule: ResourceRule = {
    name: "secretsmanager-secret-require-abac-tag",
    description: "Every Secrets Manager secret carries the ABAC tag naming who may read it.",
    enforcementLevel: "mandatory",
    types: ["aws:secretsmanager/secret:Secret"],
    check: (r, config) => {
        const missing = missingTags(effectiveTags(r.props, r.providerProps), config.abacTagKeys);
        return missing.length > 0
            ? [
                  `secret "${r.name}" has no ABAC tag ${missing.map((k) => `"${k}"`).join(", ")}: tag it with the namespace allowed to read it.`,
              ]
            : NO_FINDINGS;
    },
};

export const awsResourceRequireOrgTags = resourcePolicy(orgTagsRule);
export const secretsmanagerSecretRequireAbacTag = resourcePolicy(secretAbacTagRule);
