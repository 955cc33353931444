import { ResourceValidationPolicy } from "@pulumi/policy";
import taggableTypeList from "./data/taggable-types.json";

/** Resource types whose `tags` input is a map (generated from the AWS and EKS SDKs). */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set(taggableTypeList);

/** The org tag keys every taggable resource must carry unless the pack is configured otherwise. */
export const DEFAULT_ORG_TAG_KEYS = ["environment", "owner", "cost-center", "managed-by"] as const;

export interface OrgTagsConfig {
    /** Tag keys every taggable AWS resource must carry with a non-empty value. */
    readonly tagKeys: readonly string[];
}

/** Returns the required tag keys that are absent or empty in `tags`, in the order required. */
export function missingTags(tags: unknown, required: readonly string[]): string[] {
    const present = tags !== null && typeof tags === "object" ? (tags as Record<string, unknown>) : {};
    return required.filter((key) => {
        const value = present[key];
        return typeof value !== "string" || value.trim() === "";
    });
}

export const awsResourceRequireOrgTags: ResourceValidationPolicy = {
    name: "aws-resource-require-org-tags",
    description: "Every taggable AWS resource carries the organisation's tags in its own tags input.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            tagKeys: {
                type: "array",
                items: { type: "string", minLength: 1 },
                minItems: 1,
                default: [...DEFAULT_ORG_TAG_KEYS],
                description: "Tag keys required on every taggable resource.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (!TAGGABLE_TYPES.has(args.type)) {
            return;
        }
        const { tagKeys = DEFAULT_ORG_TAG_KEYS } = args.getConfig<Partial<OrgTagsConfig>>();
        const missing = missingTags(args.props.tags, tagKeys);
        if (missing.length > 0) {
            reportViolation(`${args.type} "${args.name}" is missing org tags ${missing.map((k) => `"${k}"`).join(", ")}: set them in its tags input.`);
        }
    },
};
