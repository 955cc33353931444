/**
 * The provider-action map's data (components/foundation/provider-actions.ts), checked where the deploy roles' simulation
 * (deploy-permissions.test.ts) cannot see it: targets of calls IAM authorizes on no resource, how each target's tags are
 * seen, the context the services add to the foundation's own calls, and the resource each call names.
 */
import { strict as assert } from "node:assert";
import {
    actionsOfPhase,
    AwsTypeActions,
    callOf,
    INVOKE_ACTIONS,
    PHASES,
    PlannedLike,
    PROVIDER_ACTIONS,
    UNSCOPABLE_ACTIONS,
} from "../../../components/foundation/provider-actions";
import { ProviderRequest, providerRequests } from "../../helpers/iam";
import { environmentScope, foundationResources, platformResources } from "../../helpers/environment-resources";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const TAG = "environment";
const dev = environmentScope("dev", ACCOUNT, REGION);
/** Every resource of the fixture, by type (the first of each). */
const fixture = (): Map<string, PlannedLike> => {
    const all = [...platformResources(dev), ...foundationResources(dev)];
    return new Map(all.reverse().map((r) => [r.type, r]));
};
const requests = (r: PlannedLike): ProviderRequest[] => providerRequests([r], dev, TAG);
const find = (r: PlannedLike, phase: string, action: string): ProviderRequest => {
    const found = requests(r).find((q) => q.phase === phase && q.action === action);
    assert.ok(found, `${r.type}: no ${phase} ${action}`);
    return found;
};

describe("the provider-action map's data (components/foundation/provider-actions.ts)", () => {
    it("targets every call IAM authorizes on no resource at `*`, seen with the request's tags (a create) or none", () => {
        const resources = fixture();
        const wrong: string[] = [];
        const targets = [
            ...Object.entries(PROVIDER_ACTIONS).flatMap(([type, entry]) =>
                entry.kind === "aws"
                    ? PHASES.flatMap((phase) =>
                          entry.calls[phase].map(callOf).map((c) => ({ type, phase, c, r: resources.get(type) as PlannedLike })),
                      )
                    : [],
            ),
            ...INVOKE_ACTIONS.flatMap((i) =>
                i.calls.map((c) => ({ type: i.token, phase: "read", c, r: { type: i.token, name: i.token, inputs: {} } })),
            ),
        ].filter(({ c }) => c.on && UNSCOPABLE_ACTIONS.includes(c.action));
        assert.ok(targets.length >= 9, String(targets.length));
        for (const { type, phase, c, r } of targets) {
            assert.ok(r, `${type} has no fixture resource`);
            const target = c.on?.(r, dev);
            const expected = phase === "create" && /:(Create|Put|Request)/.test(c.action) ? "own" : "none";
            if (target?.arn !== "*" || target.tags !== expected) {
                wrong.push(`${phase} ${type}: ${c.action} -> ${JSON.stringify(target)}, expected * seen as ${expected}`);
            }
        }
        assert.deepEqual(wrong, []);
    });

    it("says how every target's tags are seen (own, related, untagged or none), for every resource of the fixture", () => {
        const wrong: string[] = [];
        for (const r of fixture().values()) {
            const entry = PROVIDER_ACTIONS[r.type];
            if (entry?.kind !== "aws") continue;
            for (const phase of PHASES) {
                for (const c of entry.calls[phase].map(callOf)) {
                    const tags = c.on?.(r, dev).tags;
                    if (c.on && !["own", "related", "untagged", "none"].includes(String(tags))) {
                        wrong.push(`${phase} ${r.type}: ${c.action} -> ${String(tags)}`);
                    }
                }
            }
        }
        for (const invoke of INVOKE_ACTIONS) {
            for (const c of invoke.calls) {
                const tags = c.on?.({ type: invoke.token, name: invoke.token, inputs: {} }, dev).tags;
                if (!["own", "related", "untagged", "none"].includes(String(tags)))
                    wrong.push(`${invoke.token}: ${c.action} -> ${String(tags)}`);
            }
        }
        const rule = { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "r", inputs: { tags: { a: "b" } } };
        assert.equal(
            find(rule, "create", "ec2:AuthorizeSecurityGroupIngress").arn,
            `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group-rule/*`,
        );
        assert.deepEqual(wrong, []);
    });

    it("lists only real actions per phase (service:Action), the invokes among the reads only", () => {
        for (const phase of PHASES) {
            const actions = actionsOfPhase(phase);
            assert.ok(actions.length > 10, phase);
            assert.deepEqual(
                actions.filter((a) => !/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/.test(a)),
                [],
                phase,
            );
        }
        assert.ok(!actionsOfPhase("create").includes("ssm:GetParameter"));
    });

    it("the foundation's CodeBuild runners pass their service role and connection to CodeBuild only (CodeBuild user guide, connections)", () => {
        const project = fixture().get("aws:codebuild/project:Project") as PlannedLike;
        for (const phase of ["create", "update"]) {
            const pass = find(project, phase, "iam:PassRole");
            assert.equal(pass.arn, String(project.inputs.serviceRole));
            assert.deepEqual(pass.context, { "iam:PassedToService": "codebuild.amazonaws.com" });
        }
        const connection = find(project, "create", "codeconnections:PassConnection");
        assert.equal(connection.arn, (project.inputs.source as { auth: { resource: string } }).auth.resource);
        assert.deepEqual(connection.context, { "codeconnections:PassedToService": "codebuild.amazonaws.com" });
        // A project with no source connection passes none (an empty ARN no policy matches).
        assert.equal(find({ ...project, inputs: { serviceRole: "r" } }, "create", "codeconnections:PassConnection").arn, "");
        assert.equal(find({ ...project, inputs: { serviceRole: "r", source: {} } }, "create", "codeconnections:PassConnection").arn, "");
    });

    it("a service-linked role is created for its service (iam:AWSServiceName), under aws-service-role/<service>/", () => {
        const slr = fixture().get("aws:iam/serviceLinkedRole:ServiceLinkedRole") as PlannedLike;
        const create = find(slr, "create", "iam:CreateServiceLinkedRole");
        assert.equal(create.context["iam:AWSServiceName"], "eks-nodegroup.amazonaws.com");
        assert.match(create.arn, /:role\/aws-service-role\/eks-nodegroup\.amazonaws\.com\/[^/]+$/);
        assert.match(
            find({ ...slr, inputs: { ...slr.inputs, customSuffix: "s" } }, "read", "iam:GetRole").arn,
            /\/eks-nodegroup\.amazonaws\.com\/s$/,
        );
    });

    it("attaching and detaching a managed policy both name it (iam:PolicyARN)", () => {
        const attachment = fixture().get("aws:iam/rolePolicyAttachment:RolePolicyAttachment") as PlannedLike;
        for (const [phase, action] of [
            ["create", "iam:AttachRolePolicy"],
            ["delete", "iam:DetachRolePolicy"],
        ]) {
            assert.equal(find(attachment, phase, action).context["iam:PolicyARN"], attachment.inputs.policyArn, action);
        }
    });

    it("names each resource as the provider will: explicit names, paths and issuers, else the provider's auto-name", () => {
        const arnOf = (type: string, inputs: Record<string, unknown>, name = "cip-dev-x") =>
            (PROVIDER_ACTIONS[type] as AwsTypeActions).arn({ type, name, inputs }, dev);
        assert.equal(arnOf("aws:iam/user:User", {}), `arn:aws:iam::${ACCOUNT}:user/cip-dev-x-0a1b2c3`);
        assert.equal(arnOf("aws:iam/user:User", { path: "/ciplatform/" }), `arn:aws:iam::${ACCOUNT}:user/ciplatform/cip-dev-x-0a1b2c3`);
        assert.equal(arnOf("aws:iam/policy:Policy", {}), `arn:aws:iam::${ACCOUNT}:policy/cip-dev-x-0a1b2c3`);
        assert.equal(
            arnOf("aws:iam/openIdConnectProvider:OpenIdConnectProvider", { url: "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC" }),
            `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC`,
        );
        assert.equal(
            arnOf("aws:iam/openIdConnectProvider:OpenIdConnectProvider", {}),
            `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/0A1B2C3D`,
        );
        assert.match(
            arnOf("aws:eks/nodeGroup:NodeGroup", { clusterName: "cip-dev", nodeGroupName: "system" }),
            /:nodegroup\/cip-dev\/system\//,
        );
        assert.match(
            arnOf("aws:eks/accessEntry:AccessEntry", {
                clusterName: "cip-dev",
                principalArn: `arn:aws:iam::${ACCOUNT}:role/cip-dev-deploy`,
            }),
            new RegExp(`:access-entry/cip-dev/role/${ACCOUNT}/cip-dev-deploy/`),
        );
        assert.equal(arnOf("aws:s3/bucket:Bucket", { bucket: "cip-dev-given" }), "arn:aws:s3:::cip-dev-given");
        // A rule on the cluster security group before its id is known (a preview) still names a security group.
        assert.match(
            find(
                { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "r", inputs: {} },
                "create",
                "ec2:AuthorizeSecurityGroupIngress",
            ).arn,
            /:security-group\/sg-[0-9a-f]+$/,
        );
    });

    it("names pulumi-eks' children as it does (nodejs/eks/cluster/cluster.ts createCore): the role it creates is the one the cluster gets", () => {
        const children = (PROVIDER_ACTIONS["eks:index:Cluster"] as { children: (r: PlannedLike, s: typeof dev) => PlannedLike[] }).children(
            { type: "eks:index:Cluster", name: "c", inputs: { createOidcProvider: true } },
            dev,
        );
        assert.deepEqual(
            children.map((c) => c.name),
            ["c-eksRole", "c-eksRole-0", "c-eksClusterSecurityGroup", "c-eksCluster", "c-oidcProvider"],
        );
        const role = children[0];
        const cluster = children.find((c) => c.type === "aws:eks/cluster:Cluster") as PlannedLike;
        assert.equal(cluster.inputs.roleArn, (PROVIDER_ACTIONS[role.type] as AwsTypeActions).arn(role, dev));
    });
});
