/**
 * The AWS service-linked roles the platform relies on. Each exists once per account, is created by
 * `iam:CreateServiceLinkedRole` with the service name below (or by the service the first time an
 * allowed principal uses it), and cannot be given another name. The foundation creates the missing
 * ones (or verifies them) before any platform stack runs: without the Spot role, for example, the
 * first Spot launch fails with `AuthFailure.ServiceLinkedRoleCreationNotPermitted` unless the
 * launching role may create it, which Karpenter's controller role deliberately may not.
 */

/** One service-linked role: the service that assumes it, its fixed name and why the platform needs it. */
export interface ServiceLinkedRole {
    /** The `AWSServiceName` given to `iam:CreateServiceLinkedRole`. */
    readonly serviceName: string;
    /** The role name AWS gives it (under `/aws-service-role/<serviceName>/`). */
    readonly roleName: string;
    /** What breaks without it. */
    readonly purpose: string;
}

export const PLATFORM_SERVICE_LINKED_ROLES: readonly ServiceLinkedRole[] = [
    {
        serviceName: "eks.amazonaws.com",
        roleName: "AWSServiceRoleForAmazonEKS",
        purpose: "EKS manages the cluster's ENIs and security groups",
    },
    {
        serviceName: "eks-nodegroup.amazonaws.com",
        roleName: "AWSServiceRoleForAmazonEKSNodegroup",
        purpose: "EKS managed node groups (system and storage nodes)",
    },
    {
        serviceName: "autoscaling.amazonaws.com",
        roleName: "AWSServiceRoleForAutoScaling",
        purpose: "the node groups' Auto Scaling groups launch instances with CMK-encrypted volumes (named in the EBS key policy)",
    },
    {
        serviceName: "spot.amazonaws.com",
        roleName: "AWSServiceRoleForEC2Spot",
        purpose: "Karpenter launches Spot instances for the general and CI pools",
    },
    {
        serviceName: "elasticloadbalancing.amazonaws.com",
        roleName: "AWSServiceRoleForElasticLoadBalancing",
        purpose: "load balancers for the ingresses (Jenkins) and services",
    },
];

/** The ARN of a service-linked role in an account. */
export function serviceLinkedRoleArn(accountId: string, role: ServiceLinkedRole, partition = "aws"): string {
    if (!/^\d{12}$/.test(accountId)) {
        throw new Error(`accountId: got ${JSON.stringify(accountId)}; use a 12-digit AWS account id`);
    }
    return `arn:${partition}:iam::${accountId}:role/aws-service-role/${role.serviceName}/${role.roleName}`;
}

/** The service-linked roles an account lacks, given the role names it has (e.g. from `iam list-roles --path-prefix /aws-service-role/`). */
export function missingServiceLinkedRoles(
    existingRoleNames: Iterable<string>,
    required: readonly ServiceLinkedRole[] = PLATFORM_SERVICE_LINKED_ROLES,
): ServiceLinkedRole[] {
    const existing = new Set(existingRoleNames);
    return required.filter((role) => !existing.has(role.roleName));
}
