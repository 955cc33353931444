import * as pulumi from "@pulumi/pulumi";

/** The IAM identity types the platform creates: each must carry the environment's workload boundary. */
export const BOUNDED_IDENTITY_TYPES: ReadonlySet<string> = new Set(["aws:iam/role:Role", "aws:iam/user:User"]);

/**
 * A transformation that gives every role and user below the component the environment's workload
 * permissions boundary (the deploy roles may create identities only with it). A boundary set
 * explicitly on the resource is kept, so a wrong one still fails at the deploy role, visibly.
 * Transformations do not reach into multi-language components (pulumi-eks): their roles are passed in.
 */
export function permissionsBoundaryTransformation(boundaryArn: pulumi.Input<string>): pulumi.ResourceTransformation {
    return ({ type, props, opts }) => {
        if (!BOUNDED_IDENTITY_TYPES.has(type) || props.permissionsBoundary) {
            return undefined;
        }
        return { props: { ...props, permissionsBoundary: boundaryArn }, opts };
    };
}
