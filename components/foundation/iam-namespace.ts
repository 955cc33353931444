/**
 * Where the foundation's own IAM entities live. Every role, managed policy and instance profile the
 * foundation creates (CI roles, the EKS cluster service role, runner instance roles, flow-log roles)
 * is under this path, so their ARNs are `arn:aws:iam::<account>:role/ciplatform-foundation/<name>`:
 * no deploy-role grant on `role/<prefix>-<environment>-*` (path `/`) can match them, and the deploy
 * roles' guard denies every write under the path explicitly (deploy-permissions.ts).
 *
 * IAM paths: "IAM identifiers", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
 * (a path is part of the ARN; `CreateRole`'s `Path` parameter,
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
 */
import * as pulumi from "@pulumi/pulumi";

export const FOUNDATION_IAM_PATH = "/ciplatform-foundation/";

/** Resource types that take a `path` input and that the foundation creates. */
const PATHED_TYPES: ReadonlySet<string> = new Set([
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:iam/instanceProfile:InstanceProfile",
]);

/**
 * A transformation that puts every role, managed policy and instance profile below a component under
 * the foundation's path, unless the resource sets a path itself (the workload boundaries keep theirs:
 * the platform names them). Shared by the foundation's components, so none of them has to name the path.
 */
export function foundationIamPathTransformation(): pulumi.ResourceTransformation {
    return ({ type, props, opts }) => {
        if (!PATHED_TYPES.has(type) || props.path) {
            return undefined;
        }
        return { props: { ...props, path: FOUNDATION_IAM_PATH }, opts };
    };
}

/** The ARN of a role the foundation created, by name. */
export function foundationRoleArn(accountId: string, name: string): string {
    return `arn:aws:iam::${accountId}:role${FOUNDATION_IAM_PATH}${name}`;
}
