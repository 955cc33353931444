/**
 * IAM documents of the foundation's CodeBuild-hosted runners (runners.ts), as pure builders: the build role's own
 * permissions and its trust. Tested directly in test/components/foundation/policies.test.ts.
 */
import { policyDocument, PolicyDocument } from "../shared/iam-documents";

/** The log group of a runner project (CodeBuild's default name, so the build needs no log configuration override). */
export function runnerLogGroupName(project: string): string {
    return `/aws/codebuild/${project}`;
}

export interface RunnerServiceRoleScope {
    readonly region: string;
    readonly accountId: string;
    /** The CodeBuild project. */
    readonly project: string;
    readonly connectionArn: string;
    readonly subnetArns: readonly string[];
    /** The project's security group, which its network interfaces carry. */
    readonly securityGroupArn: string;
}

/**
 * The builds' own role: its log group, the network interfaces CodeBuild creates in the VPC, and the
 * connection CodeBuild registers the job's runner through. A job can reach these credentials (the
 * container credentials endpoint), so they hold nothing worth stealing: no state, no deploy, no
 * secret; the job's AWS credentials come from its own OIDC token.
 *
 * Sources: CodeBuild user guide, "Allow CodeBuild to interact with other AWS services" (logs) and
 * "Allow CodeBuild access to AWS services required to create a VPC network interface"; "Use
 * connections": `codeconnections:GetConnectionToken` (permission only: no API a job could call) and
 * `codeconnections:GetConnection`.
 */
export function runnerServiceRolePolicy(s: RunnerServiceRoleScope): PolicyDocument {
    const connectionService = s.connectionArn.split(":")[2];
    return policyDocument(
        {
            Sid: "OwnLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `arn:aws:logs:${s.region}:${s.accountId}:log-group:${runnerLogGroupName(s.project)}:*`,
        },
        {
            Sid: "VpcDescribe",
            Effect: "Allow",
            Action: [
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            Resource: "*",
        },
        {
            // The new interface cannot be named (no id yet) and carries no ec2:Subnet in CreateNetworkInterface's context
            // (Service Authorization Reference, Amazon EC2: its network-interface row has only aws:RequestTag, aws:TagKeys,
            // ec2:NetworkInterfaceID; a condition on ec2:Subnet there denies every create). The action also requires its
            // subnet: naming the runners' subnets (and their security group) is what keeps interfaces in them.
            Sid: "VpcNetworkInterfaces",
            Effect: "Allow",
            Action: "ec2:CreateNetworkInterface",
            Resource: [`arn:aws:ec2:${s.region}:${s.accountId}:network-interface/*`, ...s.subnetArns, s.securityGroupArn],
        },
        {
            Sid: "VpcNetworkInterfaceCleanup",
            Effect: "Allow",
            Action: "ec2:DeleteNetworkInterface",
            Resource: `arn:aws:ec2:${s.region}:${s.accountId}:network-interface/*`,
            Condition: { ArnEquals: { "ec2:Subnet": [...s.subnetArns] } },
        },
        {
            Sid: "VpcNetworkInterfacePermission",
            Effect: "Allow",
            Action: "ec2:CreateNetworkInterfacePermission",
            Resource: `arn:aws:ec2:${s.region}:${s.accountId}:network-interface/*`,
            Condition: {
                StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com" },
                ArnEquals: { "ec2:Subnet": [...s.subnetArns] },
            },
        },
        {
            Sid: "RegisterThroughTheConnection",
            Effect: "Allow",
            Action: [`${connectionService}:GetConnectionToken`, `${connectionService}:GetConnection`],
            Resource: s.connectionArn,
        },
    );
}

/** CodeBuild may assume a runner's role only for its own project (confused-deputy guard). */
export function runnerTrustPolicy(region: string, accountId: string, project: string): PolicyDocument {
    return policyDocument({
        Effect: "Allow",
        Principal: { Service: "codebuild.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
            StringEquals: { "aws:SourceAccount": accountId },
            ArnLike: { "aws:SourceArn": `arn:aws:codebuild:${region}:${accountId}:project/${project}` },
        },
    });
}
