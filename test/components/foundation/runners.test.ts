import { strict as assert } from "node:assert";
import { runnerInstancePolicy, validateDeployRunnersArgs } from "../../../components/foundation/runners";
import { runnerTag, runnerUserData, RunnerUserDataInput } from "../../../components/foundation/runner-user-data";
import { checkAdminRoles, environmentFromFoundation } from "../../../stacks/environment";
import { ofType, plan, PlanFile, single } from "../../helpers/mocks";

const TOKEN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ciplatform/runners/dev/deploy-AbCdEf";

describe("deploy runners (foundation)", () => {
    let planned: PlanFile;
    before(async () => {
        planned = await plan({ stack: "account" });
    });

    it("runs a deploy and a preview runner per environment, each an ASG of one in the private subnets", () => {
        const groups = ofType(planned, "aws:autoscaling/group:Group");
        assert.deepEqual(
            groups.map((g) => g.name),
            ["dev", "staging", "prod"].flatMap((env) => [`cip-${env}-runners-deploy`, `cip-${env}-runners-preview`]),
        );
        const devPrivateSubnets = ofType(planned, "aws:ec2/subnet:Subnet")
            .filter((s) => s.name.startsWith("cip-dev-network-private"))
            .map((s) => s.urn);
        const deploy = single(planned, "aws:autoscaling/group:Group", "cip-dev-runners-deploy");
        assert.equal(deploy.inputs.minSize, 1);
        assert.equal(deploy.inputs.maxSize, 1);
        assert.equal((deploy.inputs.vpcZoneIdentifiers as string[]).length, 3);
        assert.equal(devPrivateSubnets.length, 3);
        for (const id of deploy.inputs.vpcZoneIdentifiers as string[]) {
            assert.doesNotMatch(id, /public/);
        }
    });

    it("gives each runner a security group with no inbound rules, only HTTPS out", () => {
        const group = single(planned, "aws:ec2/securityGroup:SecurityGroup", "cip-dev-runners-deploy");
        assert.equal(group.inputs.ingress, undefined);
        assert.deepEqual(
            (group.inputs.egress as Array<Record<string, unknown>>).map((e) => [e.protocol, e.fromPort, e.toPort]),
            [["tcp", 443, 443]],
        );
    });

    it("launches Graviton AL2023 with IMDSv2 (hop limit 1, so job containers cannot reach the instance role) and CMK volumes", () => {
        const template = single(planned, "aws:ec2/launchTemplate:LaunchTemplate", "cip-prod-runners-deploy");
        assert.equal(template.inputs.instanceType, "t4g.small");
        assert.deepEqual(template.inputs.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
        const ebs = (template.inputs.blockDeviceMappings as Array<{ ebs: Record<string, string> }>)[0].ebs;
        assert.equal(ebs.encrypted, "true");
        assert.match(ebs.kmsKeyId, /^arn:aws:kms:/);
    });

    it("the instance role reads its own token and uses SSM: no deploy permissions", () => {
        const attachments = ofType(planned, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) =>
            a.name.startsWith("cip-dev-runners-deploy"),
        );
        assert.deepEqual(
            attachments.map((a) => a.inputs.policyArn),
            ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
        );
        const policy = runnerInstancePolicy(TOKEN, "arn:aws:kms:eu-west-1:123456789012:key/k", "eu-west-1");
        assert.deepEqual(
            policy.Statement.map((s) => [s.Action, s.Resource]),
            [
                ["secretsmanager:GetSecretValue", TOKEN],
                ["kms:Decrypt", "arn:aws:kms:eu-west-1:123456789012:key/k"],
            ],
        );
    });

    it("keeps each runner's registration token in its own CMK-encrypted secret", () => {
        const secret = single(planned, "aws:secretsmanager/secret:Secret", "cip-dev-runners-deploy-token");
        assert.equal(secret.inputs.name, "ciplatform/runners/dev/deploy");
        assert.match(String(secret.inputs.kmsKeyId), /^arn:aws:kms:/);
    });

    describe("user data", () => {
        const input: RunnerUserDataInput = {
            ci: "gitlab",
            ciUrl: "https://gitlab.example.com",
            project: "platform/ciplatform",
            environment: "dev",
            kind: "deploy",
            region: "eu-west-1",
            tokenSecretArn: TOKEN,
            gitlabRunnerVersion: "18.6.0",
            githubRunnerVersion: "2.329.0",
        };

        it("GitLab: the pinned runner from the signed repository, registered with the token once an admin has put it in Secrets Manager", () => {
            const script = runnerUserData(input);
            assert.match(script, /gpgcheck=1/);
            assert.match(script, /dnf install -y gitlab-runner-18\.6\.0/);
            assert.match(script, /until \[ -n "\$token" \]; do/);
            assert.match(script, new RegExp(`--secret-id '${TOKEN.replace(/[/+]/g, "\\$&")}'`));
            assert.match(script, /--url 'https:\/\/gitlab\.example\.com' --token "\$token"/);
            assert.match(script, /--docker-privileged=false/);
            assert.doesNotMatch(script, /set -e/, "a missing token must not abort the boot");
        });

        it("GitHub: the pinned Actions runner with the environment's label", () => {
            const script = runnerUserData({ ...input, ci: "github", ciUrl: "https://github.com", project: "org/repo" });
            assert.match(script, /actions-runner-linux-arm64-2\.329\.0\.tar\.gz/);
            assert.match(script, /repos\/org\/repo\/actions\/runners\/registration-token/);
            assert.match(script, /--labels 'ciplatform-dev-deploy'/);
        });

        it("tags runners by environment and kind", () => {
            assert.equal(runnerTag("prod", "preview"), "ciplatform-prod-preview");
        });
    });

    it("validates its arguments", () => {
        assert.deepEqual(validateDeployRunnersArgs({ privateSubnetIds: [], instanceType: "t3.small", project: "repo" }), [
            "privateSubnetIds: empty; the runners need the environment's private subnets",
            'instanceType: got "t3.small"; use a Graviton type such as t4g.small (the runners run arm64 images)',
            'project: got "repo"; use group/project or owner/repo',
        ]);
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
        runnerTokenSecrets: {},
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
