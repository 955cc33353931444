/**
 * The CodeBuild runners' IAM documents (components/foundation/policies.ts) built directly and simulated: the build role
 * allows the calls CodeBuild makes with it for one project (CodeBuild user guide: "Allow CodeBuild to interact with other
 * AWS services", "Allow CodeBuild access to AWS services required to create a VPC network interface", "Use connections")
 * and nothing just beside them; the trust lets CodeBuild assume it for that project only; the logs key (shared
 * logsKeyPolicy, which runners.ts puts on the runners' log groups) lets CloudWatch Logs use it for the runner's log group.
 */
import { strict as assert } from "node:assert";
import { runnerLogGroupName, runnerServiceRolePolicy, runnerTrustPolicy } from "../../../components/foundation/policies";
import { logsKeyPolicy } from "../../../components/shared/kms-policies";
import { evaluateIam } from "../../../tools/rehearse/iam-eval";
import { simulate } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const OTHER = "210987654321";
const REGION = "eu-west-1";
const PROJECT = "ciplatform-dev-deploy";
const CONNECTION = `arn:aws:codeconnections:${REGION}:${ACCOUNT}:connection/8d5c2f0e-4b1a-4c7e-9f3a-2e6b7d9c1a40`;
const SUBNETS = [`arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0a1`, `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0b2`];
const OTHER_SUBNET = `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-public`;
const SECURITY_GROUP = `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0runner`;
const INTERFACE = `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/eni-0abc`;
const BUILD_ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/cip-deployer-runner-dev-deploy/AWSCodeBuild-1`;

const buildRole = (connectionArn = CONNECTION) =>
    runnerServiceRolePolicy({
        region: REGION,
        accountId: ACCOUNT,
        project: PROJECT,
        connectionArn,
        subnetArns: SUBNETS,
        securityGroupArn: SECURITY_GROUP,
    });

const call = (action: string, resource: string, context: Record<string, string> = {}, connectionArn = CONNECTION) =>
    simulate({ identityPolicies: [buildRole(connectionArn)], principal: BUILD_ROLE, action, resource, context });

describe("CodeBuild runner documents (components/foundation/policies.ts)", () => {
    it("names each statement of the build role for what it allows", () => {
        assert.deepEqual(
            buildRole().Statement.map((s) => s.Sid),
            [
                "OwnLogs",
                "VpcDescribe",
                "VpcNetworkInterfaces",
                "VpcNetworkInterfaceCleanup",
                "VpcNetworkInterfacePermission",
                "RegisterThroughTheConnection",
            ],
        );
        assert.equal(
            runnerLogGroupName(PROJECT),
            `/aws/codebuild/${PROJECT}`,
            "CodeBuild's default group: the build needs no logs override",
        );
    });

    it("the build writes its own project's log streams (CreateLogStream, PutLogEvents), nothing else in CloudWatch Logs", async () => {
        const group = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/${PROJECT}`;
        for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) {
            assert.equal(await call(action, `${group}:log-stream:build-1`), "Allowed", action);
            assert.equal(
                await call(action, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/ciplatform-prod-deploy:log-stream:b`),
                "ImplicitlyDenied",
                `${action}: another project's logs`,
            );
            assert.equal(
                await call(action, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/codebuild/${PROJECT}:log-stream:b`),
                "ImplicitlyDenied",
                `${action}: another region`,
            );
            assert.equal(
                await call(action, `arn:aws:logs:${REGION}:${OTHER}:log-group:/aws/codebuild/${PROJECT}:log-stream:b`),
                "ImplicitlyDenied",
                `${action}: another account`,
            );
        }
        for (const action of ["logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:GetLogEvents", "logs:CreateLogGroup"]) {
            assert.equal(await call(action, `${group}:*`), "ImplicitlyDenied", action);
        }
    });

    it("the build describes the VPC CodeBuild places it in (the Describe calls take no resource)", async () => {
        for (const action of [
            "ec2:DescribeDhcpOptions",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
        ]) {
            assert.equal(await call(action, "*"), "Allowed", action);
        }
        assert.equal(await call("ec2:DescribeInstances", "*"), "ImplicitlyDenied");
    });

    it("creates interfaces only in the runners' subnets with their security group; deletes only interfaces of those subnets", async () => {
        // CreateNetworkInterface is authorized on the new interface, its subnet and its security groups: each must be allowed.
        for (const resource of [INTERFACE, ...SUBNETS, SECURITY_GROUP]) {
            assert.equal(await call("ec2:CreateNetworkInterface", resource), "Allowed", resource);
        }
        assert.equal(await call("ec2:CreateNetworkInterface", OTHER_SUBNET), "ImplicitlyDenied", "another subnet");
        assert.equal(
            await call("ec2:CreateNetworkInterface", `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0open`),
            "ImplicitlyDenied",
            "another security group",
        );
        assert.equal(
            await call("ec2:CreateNetworkInterface", `arn:aws:ec2:us-east-1:${ACCOUNT}:network-interface/eni-0abc`),
            "ImplicitlyDenied",
            "another region",
        );
        assert.equal(
            await call("ec2:CreateNetworkInterface", `arn:aws:ec2:${REGION}:${OTHER}:network-interface/eni-0abc`),
            "ImplicitlyDenied",
            "another account",
        );
        for (const subnet of SUBNETS) {
            assert.equal(await call("ec2:DeleteNetworkInterface", INTERFACE, { "ec2:Subnet": subnet }), "Allowed", subnet);
        }
        assert.equal(await call("ec2:DeleteNetworkInterface", INTERFACE, { "ec2:Subnet": OTHER_SUBNET }), "ImplicitlyDenied");
        assert.equal(await call("ec2:DeleteNetworkInterface", INTERFACE), "ImplicitlyDenied", "no subnet in the request");
        assert.equal(
            await call("ec2:DeleteNetworkInterface", `arn:aws:ec2:us-east-1:${ACCOUNT}:network-interface/eni-0abc`, {
                "ec2:Subnet": SUBNETS[0],
            }),
            "ImplicitlyDenied",
        );
        assert.equal(await call("ec2:AttachNetworkInterface", INTERFACE, { "ec2:Subnet": SUBNETS[0] }), "ImplicitlyDenied");
        assert.equal(await call("ec2:ModifyNetworkInterfaceAttribute", INTERFACE, { "ec2:Subnet": SUBNETS[0] }), "ImplicitlyDenied");
    });

    it("lets CodeBuild (only) attach to interfaces of the runners' subnets (CreateNetworkInterfacePermission)", async () => {
        const codebuild = { "ec2:AuthorizedService": "codebuild.amazonaws.com" };
        for (const subnet of SUBNETS) {
            assert.equal(
                await call("ec2:CreateNetworkInterfacePermission", INTERFACE, { ...codebuild, "ec2:Subnet": subnet }),
                "Allowed",
                subnet,
            );
        }
        assert.equal(
            await call("ec2:CreateNetworkInterfacePermission", INTERFACE, { ...codebuild, "ec2:Subnet": OTHER_SUBNET }),
            "ImplicitlyDenied",
        );
        assert.equal(
            await call("ec2:CreateNetworkInterfacePermission", INTERFACE, {
                "ec2:AuthorizedService": "lambda.amazonaws.com",
                "ec2:Subnet": SUBNETS[0],
            }),
            "ImplicitlyDenied",
            "another service",
        );
        assert.equal(await call("ec2:CreateNetworkInterfacePermission", INTERFACE, { "ec2:Subnet": SUBNETS[0] }), "ImplicitlyDenied");
        assert.equal(await call("ec2:CreateNetworkInterfacePermission", INTERFACE, codebuild), "ImplicitlyDenied");
    });

    it("registers the job's runner through its own connection only, under the connection's own service prefix", async () => {
        for (const action of ["codeconnections:GetConnectionToken", "codeconnections:GetConnection"]) {
            assert.equal(await call(action, CONNECTION), "Allowed", action);
            assert.equal(
                await call(action, `arn:aws:codeconnections:${REGION}:${ACCOUNT}:connection/00000000-0000-0000-0000-000000000000`),
                "ImplicitlyDenied",
                `${action}: another connection`,
            );
        }
        assert.equal(await call("codeconnections:UseConnection", CONNECTION), "ImplicitlyDenied");
        assert.equal(await call("codeconnections:DeleteConnection", CONNECTION), "ImplicitlyDenied");
        // A connection made before the rename keeps the codestar-connections prefix: its actions are named after it.
        const legacy = `arn:aws:codestar-connections:${REGION}:${ACCOUNT}:connection/8d5c2f0e-4b1a-4c7e-9f3a-2e6b7d9c1a40`;
        assert.equal(await call("codestar-connections:GetConnectionToken", legacy, {}, legacy), "Allowed");
        assert.equal(await call("codestar-connections:GetConnection", legacy, {}, legacy), "Allowed");
    });

    it("holds nothing worth stealing: no state, deploy role, secret or key", async () => {
        assert.equal(await call("s3:GetObject", "arn:aws:s3:::cip-pulumi-state/.pulumi/stacks/dev.json"), "ImplicitlyDenied");
        assert.equal(await call("sts:AssumeRole", `arn:aws:iam::${ACCOUNT}:role/cip-deployer-dev`), "ImplicitlyDenied");
        assert.equal(
            await call("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:cip-dev/x-AbCdEf`),
            "ImplicitlyDenied",
        );
        assert.equal(
            await call("kms:Decrypt", `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`),
            "ImplicitlyDenied",
        );
    });

    it("trust: CodeBuild assumes the build role only for this project of this account and region (confused deputy)", async () => {
        const trust = runnerTrustPolicy(REGION, ACCOUNT, PROJECT);
        const assume = (context: Record<string, string>, principal = "codebuild.amazonaws.com", action = "sts:AssumeRole") =>
            simulate({
                resourcePolicy: trust,
                principal,
                action,
                resource: `arn:aws:iam::${ACCOUNT}:role/cip-deployer-runner-dev-deploy`,
                context,
            });
        const own = { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/${PROJECT}` };
        assert.equal(await assume(own), "Allowed");
        assert.equal(
            await assume({ ...own, "aws:SourceArn": `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/ciplatform-dev-preview` }),
            "ImplicitlyDenied",
        );
        assert.equal(
            await assume({ ...own, "aws:SourceArn": `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${PROJECT}` }),
            "ImplicitlyDenied",
        );
        assert.equal(
            await assume({ "aws:SourceAccount": OTHER, "aws:SourceArn": `arn:aws:codebuild:${REGION}:${OTHER}:project/${PROJECT}` }),
            "ImplicitlyDenied",
        );
        assert.equal(await assume({ ...own, "aws:SourceAccount": OTHER }), "ImplicitlyDenied");
        assert.equal(await assume({ "aws:SourceAccount": ACCOUNT }), "ImplicitlyDenied", "no source project");
        assert.equal(await assume({ "aws:SourceArn": own["aws:SourceArn"] }), "ImplicitlyDenied", "no source account");
        assert.equal(await assume(own, "codepipeline.amazonaws.com"), "ImplicitlyDenied", "another service");
        assert.equal(await assume(own, "codebuild.amazonaws.com", "sts:TagSession"), "ImplicitlyDenied");
    });

    it("logs key: CloudWatch Logs here uses it for the runner's log group, not for another account's or region's", () => {
        const key = logsKeyPolicy(ACCOUNT, REGION);
        const logs = (groupArn: string, action = "kms:GenerateDataKey", principal = `logs.${REGION}.amazonaws.com`) =>
            evaluateIam(
                {
                    action,
                    resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
                    principalArn: principal,
                    context: { "kms:EncryptionContext:aws:logs:arn": groupArn },
                },
                { identity: [], resource: key },
            ).decision;
        const group = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${runnerLogGroupName(PROJECT)}`;
        for (const action of ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]) {
            assert.equal(logs(group, action), "Allowed", action);
        }
        assert.equal(logs(`arn:aws:logs:${REGION}:${OTHER}:log-group:${runnerLogGroupName(PROJECT)}`), "ImplicitlyDenied");
        assert.equal(logs(`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${runnerLogGroupName(PROJECT)}`), "ImplicitlyDenied");
        assert.equal(logs(group, "kms:GenerateDataKey", "logs.us-east-1.amazonaws.com"), "ImplicitlyDenied");
        assert.equal(logs(group, "kms:CreateGrant"), "ImplicitlyDenied");
    });
});
