import * as pulumi from "@pulumi/pulumi";
import { orgTagsTransformation } from "../components/tags";
import { PlatformConfig, orgTags } from "./config";

/** Arguments of the platform's root component. */
export interface PlatformArgs {
    /** The validated stack configuration. */
    readonly config: PlatformConfig;
}

/**
 * Root of every platform stack. Its transformation gives every taggable resource below it the org
 * tags in its own `tags` input, where resource policies can see them.
 */
export class Platform extends pulumi.ComponentResource {
    /** The org tags applied to every taggable resource. */
    public readonly orgTags: Record<string, string>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        const tags = orgTags(args.config.core);
        super("ciplatform:index:Platform", name, {}, {
            ...opts,
            transformations: [orgTagsTransformation(tags), ...(opts?.transformations ?? [])],
        });
        this.orgTags = tags;

        this.registerOutputs({ orgTags: this.orgTags });
    }
}
