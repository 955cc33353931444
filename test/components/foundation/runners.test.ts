import { strict as assert } from "node:assert";
import { gitlabRunnerTag, githubRunnerLabel, runnerTag } from "../../../components/foundation/runner-labels";
import { runnerServiceRolePolicy, runnerTrustPolicy } from "../../../components/foundation/policies";
import { validateDeployRunnersArgs } from "../../../components/foundation/runners";
import { checkAdminRoles, environmentFromFoundation } from "../../../stacks/environment";
import { ofType, plan, PlanFile, single } from "../../helpers/mocks";

const CONNECTION = "arn:aws:codeconnections:eu-west-1:123456789012:connection/8d5c2f0e-4b1a-4c7e-9f3a-2e6b7d9c1a40";

describe("runners (foundation): CodeBuild-hosted, one fresh build per job", () => {
    let planned: PlanFile;
    before(async () => {
        planned = await plan({ stack: "account" });
    });

    it("has a deploy and a preview CodeBuild project per environment, started by the CI host's queued jobs", () => {
        const projects = ofType(planned, "aws:codebuild/project:Project");
        assert.deepEqual(
            projects.map((p) => p.inputs.name),
            ["dev", "staging", "prod"].flatMap((env) => [runnerTag(env, "deploy"), runnerTag(env, "preview")]),
        );
        const webhooks = ofType(planned, "aws:codebuild/webhook:Webhook");
        assert.equal(webhooks.length, projects.length);
        for (const hook of webhooks) {
            assert.deepEqual(hook.inputs.filterGroups, [{ filters: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] }]);
        }
        // No instance, launch template, Auto Scaling group or registration-token secret: nothing persistent a job can reach.
        for (const type of ["aws:autoscaling/group:Group", "aws:ec2/launchTemplate:LaunchTemplate", "aws:secretsmanager/secret:Secret"]) {
            assert.deepEqual(ofType(planned, type), [], type);
        }
    });

    it("runs every build in the environment's private subnets, with its security group and no privileged mode", () => {
        const project = single(planned, "aws:codebuild/project:Project", "cip-dev-runners-deploy");
        const vpc = project.inputs.vpcConfig as { subnets: string[]; securityGroupIds: string[] };
        const devPrivate = ofType(planned, "aws:ec2/subnet:Subnet").filter((s) => s.name.startsWith("cip-dev-network-private"));
        assert.equal(vpc.subnets.length, 3);
        assert.equal(devPrivate.length, 3);
        for (const id of vpc.subnets) {
            assert.doesNotMatch(id, /public/);
        }
        assert.equal(vpc.securityGroupIds.length, 1);
        const environment = project.inputs.environment as Record<string, unknown>;
        assert.equal(environment.privilegedMode, false);
        assert.deepEqual(project.inputs.source, {
            type: "GITLAB",
            location: "https://gitlab.com/platform-team/ciplatform",
            auth: { type: "CODECONNECTIONS", resource: CONNECTION },
        });
    });

    it("sizes builds for npm + ts-node + three providers, and lets a job run as long as the deploy session (3 h)", () => {
        const project = single(planned, "aws:codebuild/project:Project", "cip-prod-runners-deploy");
        assert.equal((project.inputs.environment as Record<string, unknown>).computeType, "BUILD_GENERAL1_MEDIUM");
        assert.equal(project.inputs.buildTimeout, 180);
        assert.deepEqual(
            validateDeployRunnersArgs({
                privateSubnetIds: ["s"],
                computeType: "BUILD_GENERAL1_SMALL",
                project: "a/b",
                connectionArn: CONNECTION,
                region: "eu-west-1",
            }),
            [
                'computeType: got "BUILD_GENERAL1_SMALL"; a preview or up needs at least 6 GiB: use BUILD_GENERAL1_MEDIUM (7 GiB), BUILD_GENERAL1_LARGE (15 GiB), BUILD_GENERAL1_XLARGE (70 GiB), BUILD_GENERAL1_2XLARGE (145 GiB)',
            ],
        );
    });

    it("gives each runner a security group with no inbound rules, only HTTPS out", () => {
        const group = single(planned, "aws:ec2/securityGroup:SecurityGroup", "cip-dev-runners-deploy");
        assert.equal(group.inputs.ingress, undefined);
        assert.deepEqual(
            (group.inputs.egress as Array<Record<string, unknown>>).map((e) => [e.protocol, e.fromPort, e.toPort]),
            [["tcp", 443, 443]],
        );
    });

    it("the build role holds nothing worth stealing: its logs, the VPC's interfaces, the connection; no state, deploy or secret access", () => {
        const policy = runnerServiceRolePolicy({
            region: "eu-west-1",
            accountId: "123456789012",
            project: "ciplatform-dev-deploy",
            connectionArn: CONNECTION,
            subnetArns: ["arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-1"],
            securityGroupArn: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1",
        });
        const actions = policy.Statement.flatMap((s) => [s.Action ?? []].flat());
        assert.deepEqual(
            actions.filter(
                (a) =>
                    !/^(logs:(CreateLogStream|PutLogEvents)|ec2:\w+NetworkInterface\w*|ec2:Describe\w+|codeconnections:GetConnection(Token)?)$/.test(
                        a,
                    ),
            ),
            [],
        );
        assert.ok(!actions.some((a) => /^(s3|kms|secretsmanager|sts|iam):/.test(a)));
        const trust = runnerTrustPolicy("eu-west-1", "123456789012", "ciplatform-dev-deploy");
        assert.deepEqual(trust.Statement[0].Condition, {
            StringEquals: { "aws:SourceAccount": "123456789012" },
            ArnLike: { "aws:SourceArn": "arn:aws:codebuild:eu-west-1:123456789012:project/ciplatform-dev-deploy" },
        });
        const role = single(planned, "aws:iam/role:Role", "cip-dev-runners-deploy-build");
        assert.equal(role.inputs.name, "cip-deployer-runner-dev-deploy", "the deploy roles' guard protects <prefix>-deployer-*");
    });

    it("labels: jobs select a project by CodeBuild's label format", () => {
        assert.equal(runnerTag("prod", "preview"), "ciplatform-prod-preview");
        assert.equal(
            gitlabRunnerTag("ciplatform-dev-deploy"),
            "codebuild-ciplatform-dev-deploy-$CI_PROJECT_ID-$CI_PIPELINE_IID-$CI_JOB_NAME",
        );
        assert.equal(
            githubRunnerLabel("ciplatform-dev-deploy"),
            "codebuild-ciplatform-dev-deploy-${{ github.run_id }}-${{ github.run_attempt }}",
        );
    });

    it("validates its arguments", () => {
        assert.deepEqual(validateDeployRunnersArgs({ privateSubnetIds: [], project: "repo", connectionArn: "x", region: "eu-west-1" }), [
            "privateSubnetIds: empty; the runners need the environment's private subnets",
            'project: got "repo"; use group/project or owner/repo',
            'connectionArn: got "x"; use the ARN of a CodeConnections connection (arn:aws:codeconnections:<region>:<account>:connection/<id>)',
        ]);
        assert.deepEqual(
            validateDeployRunnersArgs({
                privateSubnetIds: ["s"],
                project: "a/b",
                connectionArn: CONNECTION.replace("eu-west-1", "us-east-1"),
                region: "eu-west-1",
            }),
            ["connectionArn: got a connection in us-east-1; CodeBuild uses connections of its own region, eu-west-1"],
        );
    });
});

describe("platform stacks read their environment from the foundation", () => {
    const network = {
        clusterName: "cip-dev",
        vpcId: "vpc-1",
        vpcCidr: "10.0.0.0/16",
        zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        privateSubnetIds: ["s-1", "s-2", "s-3"],
        publicSubnetIds: ["p-1", "p-2", "p-3"],
        runnerSecurityGroupIds: ["sg-1", "sg-2"],
        runnerTags: {},
        clusterServiceRoleName: "cip-dev-eks-cluster",
    };
    const outputs = {
        networks: { dev: network },
        deployRoleArns: { dev: "arn:aws:iam::1:role/deploy-dev" },
        previewRoleArn: "arn:aws:iam::1:role/preview",
    };
    const read = (o: Record<string, unknown>, env = "dev", cluster = "cip-dev") =>
        environmentFromFoundation(o, env, cluster, "ciplatform:foundationStack", "organization/ciplatform-foundation/account");

    it("takes the network, deploy and preview roles of its environment", () => {
        assert.deepEqual(read(outputs), {
            network,
            deployRoleArn: "arn:aws:iam::1:role/deploy-dev",
            previewRoleArn: "arn:aws:iam::1:role/preview",
        });
    });

    it("fails before anything is created when the foundation lacks what it needs, naming the key", () => {
        assert.throws(() => read({}), /ciplatform:foundationStack: has no output `networks`: point it at the foundation stack/);
        assert.throws(
            () => read(outputs, "staging", "cip-staging"),
            /ciplatform:foundationStack: has no network for environment staging \(it has: dev\); add staging to ciplatform-foundation:ciEnvironments/,
        );
        assert.throws(
            () => read({ ...outputs, networks: { dev: { ...network, runnerSecurityGroupIds: [] } } }),
            /network dev lacks runnerSecurityGroupIds/,
        );
        assert.throws(
            () => read(outputs, "dev", "acme-dev"),
            /network dev is tagged for cluster "cip-dev", but this stack's cluster is "acme-dev"/,
        );
        assert.throws(() => read({ ...outputs, deployRoleArns: {} }), /has no deploy role for environment dev/);
    });

    it("refuses the creating deploy role among the cluster's admins", () => {
        assert.throws(
            () => checkAdminRoles(["arn:aws:iam::1:role/deploy-dev"], "arn:aws:iam::1:role/deploy-dev", "ciplatform:clusterAdminRoleArns"),
            /409 ResourceInUseException/,
        );
        assert.doesNotThrow(() =>
            checkAdminRoles(["arn:aws:iam::1:role/people"], "arn:aws:iam::1:role/deploy-dev", "ciplatform:clusterAdminRoleArns"),
        );
    });
});
