import * as pulumi from "@pulumi/pulumi";
import taggableTypeList from "../../policypack/data/taggable-types.json";

/** Resource types whose `tags` input is a map: generated from the SDKs, shared with the policy pack. */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set(taggableTypeList);

export function isTaggable(type: string): boolean {
    return TAGGABLE_TYPES.has(type);
}

/**
 * A transformation that gives every taggable resource the org tags in its own `tags` input, where
 * resource policies see them (provider `defaultTags` are invisible to them). Tags set explicitly on
 * the resource win over the org tags.
 */
export function orgTagsTransformation(tags: Readonly<Record<string, string>>): pulumi.ResourceTransformation {
    return ({ type, props, opts }) => {
        if (!isTaggable(type)) {
            return undefined;
        }
        return { props: { ...props, tags: withOrgTags(tags, props.tags) }, opts };
    };
}

type TagsInput = pulumi.Input<Record<string, pulumi.Input<string>>>;

/** Merges org tags under a resource's own tags, keeping plain maps plain so previews stay readable. */
export function withOrgTags(tags: Readonly<Record<string, string>>, own: TagsInput | undefined): TagsInput {
    if (own === undefined || own === null) {
        return { ...tags };
    }
    if (pulumi.Output.isInstance(own) || own instanceof Promise) {
        return pulumi.output(own).apply((resolved) => ({ ...tags, ...resolved }));
    }
    return { ...tags, ...own };
}
