/**
 * IAM of the AWS Load Balancer Controller, scoped like its reference policy (v3.5.0
 * docs/install/iam_policy.json): reads where IAM has no resource scope, and changes only to load
 * balancers, target groups and security groups the controller created (tag `elbv2.k8s.aws/cluster`).
 * Written here with explicit action names (no wildcards) and this account's and region's ARNs;
 * WAF, Shield and Cognito are left out (their features are turned off in the chart values).
 */
import { PolicyDocument, policyDocument } from "../shared/iam-documents";

/** The tag the controller puts on everything it creates. */
export const CLUSTER_TAG = "elbv2.k8s.aws/cluster";

/**
 * The reference policy's guard on tag changes (aws-load-balancer-controller v3.5.0
 * docs/install/iam_policy.json): the resource carries the cluster tag, and the request does not
 * set or remove it.
 */
const OWNED_AND_OWNERSHIP_UNCHANGED = { [`aws:RequestTag/${CLUSTER_TAG}`]: "true", [`aws:ResourceTag/${CLUSTER_TAG}`]: "false" };

/**
 * Narrower than the reference policy: a removal (ec2:DeleteTags, elasticloadbalancing:RemoveTags) names only keys, so
 * the `aws:RequestTag` guard above never sees it; the key list must not name the ownership tag either. The
 * controller never removes it (pkg/deploy/tracking/provider.go puts it in every desired tag set it reconciles).
 */
const OWNERSHIP_TAG_UNTOUCHED = { "ForAllValues:StringNotEquals": { "aws:TagKeys": [CLUSTER_TAG] } };

/**
 * Narrower than the reference policy, whose guards only ask for the cluster tag to be present (a `Null`
 * condition: any cluster's resources in the account): the controller sets that tag to its own cluster's name
 * (aws-load-balancer-controller pkg/deploy/tracking/provider.go, `elbv2.k8s.aws/cluster: cluster-name`), so
 * the role reaches only this cluster's load balancers, target groups and security groups.
 */
const ownedBy = (clusterName: string) => ({ StringEquals: { [`aws:ResourceTag/${CLUSTER_TAG}`]: clusterName } });

export function loadBalancerControllerPermissions(region: string, accountId: string, vpcId: string, clusterName: string): PolicyDocument {
    const elb = (resource: string): string => `arn:aws:elasticloadbalancing:${region}:${accountId}:${resource}`;
    const ec2 = (resource: string): string => `arn:aws:ec2:${region}:${accountId}:${resource}`;
    // Security groups in the cluster's VPC only (EC2 condition key ec2:Vpc on security-group resources).
    const inTheVpc = { ArnEquals: { "ec2:Vpc": ec2(`vpc/${vpcId}`) } };
    const ownedLbs = [elb("loadbalancer/app/*/*"), elb("loadbalancer/net/*/*"), elb("targetgroup/*/*")];
    const listeners = [
        elb("listener/app/*/*/*"),
        elb("listener/net/*/*/*"),
        elb("listener-rule/app/*/*/*/*"),
        elb("listener-rule/net/*/*/*/*"),
    ];
    return policyDocument(
        {
            Sid: "ElbServiceLinkedRole",
            Effect: "Allow",
            Action: "iam:CreateServiceLinkedRole",
            Resource: `arn:aws:iam::${accountId}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`,
            Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
        },
        {
            Sid: "Discover",
            Effect: "Allow",
            Action: [
                "ec2:DescribeAccountAttributes",
                "ec2:DescribeAddresses",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeTags",
                "ec2:DescribeCoipPools",
                "ec2:DescribeRouteTables",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeSSLPolicies",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTrustStores",
                "elasticloadbalancing:DescribeListenerAttributes",
                "acm:ListCertificates",
            ],
            Resource: "*",
        },
        { Sid: "SecurityGroupsOfTheVpc", Effect: "Allow", Action: "ec2:GetSecurityGroupsForVpc", Resource: ec2(`vpc/${vpcId}`) },
        {
            // Certificate discovery (used only when an Ingress names no certificate-arn; the platform's name theirs)
            // sees only certificates tagged for this cluster.
            Sid: "ReadCertificates",
            Effect: "Allow",
            Action: "acm:DescribeCertificate",
            Resource: `arn:aws:acm:${region}:${accountId}:certificate/*`,
            Condition: ownedBy(clusterName),
        },
        { Sid: "CreateSecurityGroupsInTheVpc", Effect: "Allow", Action: "ec2:CreateSecurityGroup", Resource: ec2(`vpc/${vpcId}`) },
        {
            // The new group carries no ec2:Vpc in CreateSecurityGroup's context (Service Authorization Reference, Amazon
            // EC2: its security-group row has only aws:RequestTag, aws:TagKeys, ec2:SecurityGroupID), so an ec2:Vpc
            // condition here would deny every create. The controller tags every group it creates with its cluster
            // (pkg/deploy/ec2/security_group_manager.go, pkg/networking/backend_sg_provider.go): that value pins it.
            Sid: "CreateSecurityGroupsInTheVpcNew",
            Effect: "Allow",
            Action: "ec2:CreateSecurityGroup",
            Resource: ec2("security-group/*"),
            Condition: { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName } },
        },
        {
            Sid: "TagNewSecurityGroups",
            Effect: "Allow",
            Action: "ec2:CreateTags",
            Resource: ec2("security-group/*"),
            Condition: {
                StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" },
                Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "false" },
            },
        },
        {
            // Tags of its own groups, but never the ownership tag itself (reference policy v3.5.0: the
            // request must not carry the cluster tag), so no group moves to or from another cluster.
            Sid: "TagOwnSecurityGroups",
            Effect: "Allow",
            Action: ["ec2:CreateTags", "ec2:DeleteTags"],
            Resource: ec2("security-group/*"),
            Condition: { Null: OWNED_AND_OWNERSHIP_UNCHANGED, ...OWNERSHIP_TAG_UNTOUCHED, ...ownedBy(clusterName) },
        },
        {
            Sid: "DeleteOwnSecurityGroups",
            Effect: "Allow",
            Action: "ec2:DeleteSecurityGroup",
            Resource: ec2("security-group/*"),
            Condition: ownedBy(clusterName),
        },
        {
            // Rules on the nodes' security group too, so the load balancer reaches the pods.
            Sid: "OpenSecurityGroupsToLoadBalancers",
            Effect: "Allow",
            Action: ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            Resource: ec2("security-group/*"),
            Condition: inTheVpc,
        },
        {
            Sid: "CreateTaggedLoadBalancers",
            Effect: "Allow",
            Action: ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            Resource: ownedLbs,
            Condition: { StringEquals: { [`aws:RequestTag/${CLUSTER_TAG}`]: clusterName } },
        },
        {
            Sid: "TagOnCreate",
            Effect: "Allow",
            Action: "elasticloadbalancing:AddTags",
            Resource: ownedLbs,
            Condition: {
                StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"] },
                Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: "false" },
            },
        },
        {
            // As for security groups: its own load balancers' tags, never the ownership tag.
            Sid: "TagOwnLoadBalancers",
            Effect: "Allow",
            Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            Resource: ownedLbs,
            Condition: { Null: OWNED_AND_OWNERSHIP_UNCHANGED, ...OWNERSHIP_TAG_UNTOUCHED, ...ownedBy(clusterName) },
        },
        {
            Sid: "ChangeOwnLoadBalancers",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
            ],
            Resource: ownedLbs,
            Condition: ownedBy(clusterName),
        },
        {
            Sid: "ListenersAndRules",
            Effect: "Allow",
            Action: [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:SetRulePriorities",
                "elasticloadbalancing:ModifyListenerAttributes",
            ],
            Resource: [elb("loadbalancer/app/*/*"), elb("loadbalancer/net/*/*"), ...listeners],
        },
        {
            Sid: "TagListeners",
            Effect: "Allow",
            Action: ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            Resource: listeners,
        },
        {
            Sid: "Targets",
            Effect: "Allow",
            Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            Resource: elb("targetgroup/*/*"),
            Condition: ownedBy(clusterName),
        },
    );
}
