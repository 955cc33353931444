/**
 * Karpenter's controller policies (components/karpenter/policy.ts) built directly and simulated, statement by statement,
 * against the calls Karpenter v1.14.1 (the pinned chart) makes and the scoping of upstream's reference policy
 * (aws/karpenter-provider-aws v1.14.1 website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml):
 * each call it exists for Allowed; the same call on another cluster's resources, in another region, on untagged
 * resources, with another role or outside the instance-profile path Denied.
 */
import { strict as assert } from "node:assert";
import {
    interruptionQueuePolicy,
    karpenterControllerPolicies,
    karpenterInstanceProfileArns,
    karpenterInstanceProfilePath,
    KarpenterPolicyArgs,
} from "../../../components/karpenter/policy";
import { evaluateIam } from "../../../tools/rehearse/iam-eval";
import { Decision, simulate, keyDelegatedToAccount } from "../../helpers/iam";

const UPSTREAM = "karpenter-provider-aws v1.14.1 cloudformation.yaml";
const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const OTHER_REGION = "us-east-1";
const CLUSTER = "cip-dev";
const ARGS: KarpenterPolicyArgs = {
    region: REGION,
    accountId: ACCOUNT,
    clusterName: CLUSTER,
    nodeRoleArn: `arn:aws:iam::${ACCOUNT}:role/cip-dev-karpenter-node`,
    interruptionQueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:cip-dev`,
    volumeKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
};
const PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/cip-dev-karpenter-controller/session`;

type Context = Record<string, string | string[]>;

/** Built per call: a policy built while mocha loads the file would hide every mutant (docs/mutation-testing.md). */
const documents = (args: KarpenterPolicyArgs = ARGS) => karpenterControllerPolicies(args);

/** KMS asks the key policy too: the volume key's delegates to the account's IAM policies (components/shared/kms-policies.ts). */
const KEY_POLICY = keyDelegatedToAccount(ACCOUNT);

const call = (action: string, resource: string, context: Context = {}): Promise<Decision> =>
    simulate({
        identityPolicies: Object.values(documents()),
        resourcePolicy: action.startsWith("kms:") ? KEY_POLICY : undefined,
        principal: PRINCIPAL,
        action,
        resource,
        context,
    });

/**
 * The project's own evaluator (tools/rehearse/iam-eval.ts, checked against the simulator) for what the simulator cannot
 * model: SSM's public parameters have no account in their ARN, which its ARN patterns require.
 */
const evaluate = (action: string, resource: string, context: Context = {}): Decision =>
    evaluateIam({ action, resource, principalArn: PRINCIPAL, context }, { identity: Object.values(documents()) }).decision as Decision;

async function expectDecision(expected: Decision, action: string, resource: string, context: Context = {}, why = ""): Promise<void> {
    assert.equal(await call(action, resource, context), expected, `${action} on ${resource} ${JSON.stringify(context)} ${why}`);
}
const allowed = (action: string, resource: string, context?: Context, why?: string) =>
    expectDecision("Allowed", action, resource, context, why);
const denied = (action: string, resource: string, context?: Context, why?: string) =>
    expectDecision("ImplicitlyDenied", action, resource, context, why);

const ec2 = (kind: string, id: string, region = REGION) => `arn:aws:ec2:${region}:${ACCOUNT}:${kind}/${id}`;
const requestTags = (tags: Record<string, string>): Context => ({
    ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
    "aws:TagKeys": Object.keys(tags),
});
const resourceTags = (tags: Record<string, string>): Context =>
    Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
const without = (tags: Record<string, string>, key: string): Record<string, string> =>
    Object.fromEntries(Object.entries(tags).filter(([k]) => k !== key));

/** The tags Karpenter v1.14.1 puts on what it launches (pkg/providers/instance, pkg/providers/launchtemplate: cluster, EKS name, pool). */
const launchTags = (cluster = CLUSTER): Record<string, string> => ({
    [`kubernetes.io/cluster/${cluster}`]: "owned",
    "eks:eks-cluster-name": cluster,
    "karpenter.sh/nodepool": "general-arm64",
});
/** What a node or launch template Karpenter created carries (ResourceTag side). */
const ownedTags = (cluster = CLUSTER): Record<string, string> => ({
    [`kubernetes.io/cluster/${cluster}`]: "owned",
    "karpenter.sh/nodepool": "general-arm64",
});
/** EC2NodeClass.InstanceProfileTags (pkg/apis/v1/ec2nodeclass.go, v1.14.1). */
const profileTags = (cluster = CLUSTER, region = REGION): Record<string, string> => ({
    [`kubernetes.io/cluster/${cluster}`]: "owned",
    "eks:eks-cluster-name": cluster,
    "karpenter.k8s.aws/ec2nodeclass": "general",
    "topology.kubernetes.io/region": region,
});
const UID = "6f1c2a9e-1b2c-4d5e-8f90-123456789abc";
const profile = (path = `/karpenter/${REGION}/${CLUSTER}/${UID}/`, name = `${CLUSTER}_1234567890123456789`) =>
    `arn:aws:iam::${ACCOUNT}:instance-profile${path}${name}`;

describe(`Karpenter controller policy (components/karpenter/policy.ts, scoped as ${UPSTREAM})`, () => {
    it("the instance-profile path is Karpenter's /karpenter/<region>/<cluster>/ (pkg/providers/instanceprofile/instanceprofile.go FormatPath)", () => {
        assert.equal(karpenterInstanceProfilePath("eu-central-1", "cip-prod"), "/karpenter/eu-central-1/cip-prod/");
        assert.equal(
            karpenterInstanceProfileArns("210987654321", "eu-central-1", "cip-prod"),
            "arn:aws:iam::210987654321:instance-profile/karpenter/eu-central-1/cip-prod/*",
        );
    });

    it("keeps upstream's five policies and statement names (one inline policy per purpose, plus the volume key)", () => {
        const sids = Object.fromEntries(Object.entries(documents()).map(([name, d]) => [name, d.Statement.map((s) => s.Sid)]));
        assert.deepEqual(sids, {
            "node-lifecycle": [
                "AllowScopedEC2InstanceAccessActions",
                "AllowScopedEC2LaunchTemplateAccessActions",
                "AllowScopedEC2InstanceActionsWithTags",
                "AllowScopedResourceCreationTagging",
                "AllowScopedResourceTagging",
                "AllowScopedDeletion",
                "AllowVolumeKeyForLaunches",
            ],
            "iam-integration": [
                "AllowPassingInstanceRole",
                "AllowScopedInstanceProfileCreationActions",
                "AllowScopedInstanceProfileTagActions",
                "AllowScopedInstanceProfileActions",
                "AllowInstanceProfileReadActions",
                "AllowUnscopedInstanceProfileListAction",
            ],
            "eks-integration": ["AllowAPIServerEndpointDiscovery", "AllowZonalShiftStatusReadOnly"],
            interruption: ["AllowInterruptionQueueActions"],
            "resource-discovery": ["AllowRegionalReadActions", "AllowSSMReadActions", "AllowPricingReadActions"],
        });
        for (const d of Object.values(documents())) {
            assert.equal(d.Version, "2012-10-17");
            assert.ok(
                d.Statement.every((s) => s.Effect === "Allow"),
                "only Allow statements",
            );
        }
    });

    describe("node lifecycle (NodeLifecyclePolicy)", () => {
        it("launches with this region's images, snapshots, security groups, subnets, capacity reservations and placement groups (AllowScopedEC2InstanceAccessActions)", async () => {
            const shared = [
                [`arn:aws:ec2:${REGION}::image/ami-0123456789abcdef0`, `arn:aws:ec2:${OTHER_REGION}::image/ami-0123456789abcdef0`],
                [`arn:aws:ec2:${REGION}::snapshot/snap-0123`, `arn:aws:ec2:${OTHER_REGION}::snapshot/snap-0123`],
                [ec2("security-group", "sg-0123"), ec2("security-group", "sg-0123", OTHER_REGION)],
                [ec2("subnet", "subnet-0123"), ec2("subnet", "subnet-0123", OTHER_REGION)],
                [ec2("capacity-reservation", "cr-0123"), ec2("capacity-reservation", "cr-0123", OTHER_REGION)],
                [ec2("placement-group", "pg-0123"), ec2("placement-group", "pg-0123", OTHER_REGION)],
            ];
            // CreateFleet names no snapshot or security group (Service Authorization Reference): only RunInstances does.
            for (const [action, kinds] of [
                ["ec2:RunInstances", shared],
                ["ec2:CreateFleet", shared.filter(([arn]) => !/:(snapshot|security-group)\//.test(arn))],
            ] as const) {
                for (const [here, elsewhere] of kinds) {
                    await allowed(action, here, {}, "no tag needed on the shared inputs of a launch");
                    await denied(action, elsewhere, {}, "another region");
                }
            }
            await denied("ec2:RunInstances", ec2("key-pair", "kp-0123"), {}, "a resource kind the reference policy does not list");
        });

        it("uses only this cluster's Karpenter launch templates (AllowScopedEC2LaunchTemplateAccessActions)", async () => {
            const template = ec2("launch-template", "lt-0123");
            for (const action of ["ec2:RunInstances", "ec2:CreateFleet"]) {
                await allowed(action, template, resourceTags(ownedTags()));
                await denied(action, template, resourceTags(ownedTags("cip-prod")), "another cluster's template");
                await denied(action, template, resourceTags(without(ownedTags(), "karpenter.sh/nodepool")), "no node pool tag");
                await denied(action, template, {}, "an untagged template");
                await denied(action, ec2("launch-template", "lt-0123", OTHER_REGION), resourceTags(ownedTags()), "another region");
            }
        });

        it("creates fleets, instances, volumes, interfaces, templates and spot requests only tagged for this cluster and a pool (AllowScopedEC2InstanceActionsWithTags)", async () => {
            const created: Array<[string, string]> = [
                ["ec2:CreateFleet", ec2("fleet", "fleet-0123")],
                ["ec2:CreateFleet", ec2("instance", "i-0123")],
                ["ec2:RunInstances", ec2("instance", "i-0123")],
                ["ec2:RunInstances", ec2("volume", "vol-0123")],
                ["ec2:CreateFleet", ec2("volume", "vol-0123")],
                ["ec2:RunInstances", ec2("network-interface", "eni-0123")],
                ["ec2:CreateLaunchTemplate", ec2("launch-template", "lt-0123")],
                ["ec2:RunInstances", ec2("spot-instances-request", "sir-0123")],
                ["ec2:RunInstances", ec2("launch-template", "lt-0123")],
            ];
            for (const [action, resource] of created) {
                await allowed(action, resource, requestTags(launchTags()));
                await denied(action, resource, requestTags(launchTags("cip-prod")), "tagged for another cluster");
                await denied(action, resource, {}, "untagged");
                await denied(action, resource.replace(REGION, OTHER_REGION), requestTags(launchTags()), "another region");
            }
            const instance = ec2("instance", "i-0123");
            const tags = launchTags();
            await denied("ec2:RunInstances", instance, requestTags(without(tags, `kubernetes.io/cluster/${CLUSTER}`)), "no cluster tag");
            await denied("ec2:RunInstances", instance, requestTags({ ...tags, [`kubernetes.io/cluster/${CLUSTER}`]: "shared" }), "shared");
            await denied("ec2:RunInstances", instance, requestTags(without(tags, "eks:eks-cluster-name")), "no EKS cluster name");
            await denied("ec2:RunInstances", instance, requestTags({ ...tags, "eks:eks-cluster-name": "cip-prod" }), "another EKS name");
            await denied("ec2:RunInstances", instance, requestTags(without(tags, "karpenter.sh/nodepool")), "no node pool");
        });

        it("tags at creation only what RunInstances, CreateFleet or CreateLaunchTemplate create for this cluster (AllowScopedResourceCreationTagging)", async () => {
            const kinds = [
                ec2("fleet", "fleet-0123"),
                ec2("instance", "i-0123"),
                ec2("volume", "vol-0123"),
                ec2("network-interface", "eni-0123"),
                ec2("launch-template", "lt-0123"),
                ec2("spot-instances-request", "sir-0123"),
            ];
            for (const resource of kinds) {
                for (const createAction of ["RunInstances", "CreateFleet", "CreateLaunchTemplate"]) {
                    await allowed("ec2:CreateTags", resource, { ...requestTags(launchTags()), "ec2:CreateAction": createAction });
                }
                await denied(
                    "ec2:CreateTags",
                    resource,
                    { ...requestTags(launchTags()), "ec2:CreateAction": "CreateVolume" },
                    "another create",
                );
                await denied("ec2:CreateTags", resource.replace(REGION, OTHER_REGION), {
                    ...requestTags(launchTags()),
                    "ec2:CreateAction": "RunInstances",
                });
            }
            const volume = ec2("volume", "vol-0123");
            const create = { "ec2:CreateAction": "RunInstances" };
            await denied("ec2:CreateTags", volume, { ...requestTags(launchTags("cip-prod")), ...create }, "another cluster");
            await denied("ec2:CreateTags", volume, { ...requestTags(without(launchTags(), "eks:eks-cluster-name")), ...create });
            await denied("ec2:CreateTags", volume, { ...requestTags(without(launchTags(), "karpenter.sh/nodepool")), ...create });
            await denied("ec2:CreateTags", volume, requestTags(launchTags()), "tags on an existing volume");
        });

        it("re-tags only its own instances, with Name, the node claim and the EKS cluster name (AllowScopedResourceTagging)", async () => {
            const instance = ec2("instance", "i-0123");
            const own = resourceTags(ownedTags());
            const retags: Array<Record<string, string>> = [
                { Name: "ip-10-0-0-1" },
                { "karpenter.sh/nodeclaim": "general-arm64-x7k2p" },
                { "eks:eks-cluster-name": CLUSTER },
                { Name: "ip-10-0-0-1", "karpenter.sh/nodeclaim": "general-arm64-x7k2p", "eks:eks-cluster-name": CLUSTER },
            ];
            for (const tags of retags) {
                await allowed("ec2:CreateTags", instance, { ...own, ...requestTags(tags) });
            }
            const nodeClaim = requestTags({ "karpenter.sh/nodeclaim": "general-arm64-x7k2p" });
            await denied("ec2:CreateTags", instance, { ...own, ...requestTags({ "eks:eks-cluster-name": "cip-prod" }) }, "EKS name");
            await denied("ec2:CreateTags", instance, { ...own, ...requestTags({ "karpenter.sh/nodepool": "other" }) }, "other key");
            await denied("ec2:CreateTags", instance, { ...own, ...requestTags({ [`kubernetes.io/cluster/cip-prod`]: "owned" }) });
            await denied("ec2:CreateTags", instance, { ...resourceTags(ownedTags("cip-prod")), ...nodeClaim }, "another cluster's node");
            await denied("ec2:CreateTags", instance, { ...resourceTags(without(ownedTags(), "karpenter.sh/nodepool")), ...nodeClaim });
            await denied("ec2:CreateTags", instance, nodeClaim, "an untagged instance");
            await denied("ec2:CreateTags", ec2("instance", "i-0123", OTHER_REGION), { ...own, ...nodeClaim }, "another region");
            await denied("ec2:CreateTags", ec2("volume", "vol-0123"), { ...own, ...nodeClaim }, "only instances are re-tagged");
        });

        it("terminates instances and deletes launch templates only of this cluster's pools (AllowScopedDeletion)", async () => {
            const cases: Array<[string, string]> = [
                ["ec2:TerminateInstances", ec2("instance", "i-0123")],
                ["ec2:DeleteLaunchTemplate", ec2("launch-template", "lt-0123")],
            ];
            for (const [action, resource] of cases) {
                await allowed(action, resource, resourceTags(ownedTags()));
                await denied(action, resource, resourceTags(ownedTags("cip-prod")), "another cluster's");
                await denied(action, resource, resourceTags(without(ownedTags(), "karpenter.sh/nodepool")), "not a pool's");
                await denied(action, resource, {}, "untagged");
                await denied(action, resource.replace(REGION, OTHER_REGION), resourceTags(ownedTags()), "another region");
            }
        });

        it("uses the node volume key only through EC2 in this region (AllowVolumeKeyForLaunches)", async () => {
            const viaEc2 = { "kms:ViaService": `ec2.${REGION}.amazonaws.com` };
            for (const action of [
                "kms:CreateGrant",
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
            ]) {
                await allowed(action, ARGS.volumeKeyArn, viaEc2);
                await denied(action, ARGS.volumeKeyArn, {}, "called directly");
                await denied(action, ARGS.volumeKeyArn, { "kms:ViaService": `ec2.${OTHER_REGION}.amazonaws.com` });
                await denied(action, ARGS.volumeKeyArn, { "kms:ViaService": `s3.${REGION}.amazonaws.com` });
                await denied(action, `arn:aws:kms:${REGION}:${ACCOUNT}:key/another`, viaEc2, "another key");
            }
            await denied("kms:Encrypt", ARGS.volumeKeyArn, viaEc2, "EC2 launches need no Encrypt");
            await denied("kms:ScheduleKeyDeletion", ARGS.volumeKeyArn, viaEc2);
        });
    });

    describe("IAM integration (IAMIntegrationPolicy)", () => {
        it("passes only the node role, only to EC2 (AllowPassingInstanceRole)", async () => {
            await allowed("iam:PassRole", ARGS.nodeRoleArn, { "iam:PassedToService": "ec2.amazonaws.com" });
            await denied("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/cip-prod-karpenter-node`, {
                "iam:PassedToService": "ec2.amazonaws.com",
            });
            await denied("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/admin`, { "iam:PassedToService": "ec2.amazonaws.com" });
            await denied("iam:PassRole", ARGS.nodeRoleArn, { "iam:PassedToService": "lambda.amazonaws.com" });
            await denied("iam:PassRole", ARGS.nodeRoleArn, {}, "no service named");
        });

        it("creates instance profiles only under the cluster's path, tagged for the cluster, its region and a node class (AllowScopedInstanceProfileCreationActions)", async () => {
            const tags = profileTags();
            await allowed("iam:CreateInstanceProfile", profile(), requestTags(tags));
            await denied(
                "iam:CreateInstanceProfile",
                profile(`/karpenter/${REGION}/cip-prod/${UID}/`),
                requestTags(tags),
                "another cluster's path",
            );
            await denied(
                "iam:CreateInstanceProfile",
                profile(`/karpenter/${OTHER_REGION}/${CLUSTER}/${UID}/`),
                requestTags(tags),
                "other region",
            );
            await denied("iam:CreateInstanceProfile", profile("/"), requestTags(tags), "outside the path");
            await denied("iam:CreateInstanceProfile", profile("/", "admin-profile"), requestTags(tags), "outside the path");
            for (const key of Object.keys(tags)) {
                await denied("iam:CreateInstanceProfile", profile(), requestTags(without(tags, key)), `without ${key}`);
            }
            await denied("iam:CreateInstanceProfile", profile(), requestTags(profileTags("cip-prod")), "another cluster");
            await denied("iam:CreateInstanceProfile", profile(), requestTags(profileTags(CLUSTER, OTHER_REGION)), "another region's tag");
            await denied("iam:CreateInstanceProfile", profile(), requestTags({ ...tags, "eks:eks-cluster-name": "cip-prod" }));
        });

        it("tags only its own profiles, keeping them this cluster's, region's and a node class's (AllowScopedInstanceProfileTagActions)", async () => {
            const tags = profileTags();
            const both = (resource: Record<string, string>, request: Record<string, string>) => ({
                ...resourceTags(resource),
                ...requestTags(request),
            });
            await allowed("iam:TagInstanceProfile", profile(), both(tags, tags));
            await denied("iam:TagInstanceProfile", profile("/"), both(tags, tags), "outside the path");
            await denied(
                "iam:TagInstanceProfile",
                profile(`/karpenter/${REGION}/cip-prod/${UID}/`),
                both(tags, tags),
                "another cluster's path",
            );
            for (const key of Object.keys(tags)) {
                if (key !== "eks:eks-cluster-name") {
                    await denied("iam:TagInstanceProfile", profile(), both(without(tags, key), tags), `resource without ${key}`);
                }
                await denied("iam:TagInstanceProfile", profile(), both(tags, without(tags, key)), `request without ${key}`);
            }
            await denied("iam:TagInstanceProfile", profile(), both(profileTags("cip-prod"), tags), "another cluster's profile");
            await denied("iam:TagInstanceProfile", profile(), both(profileTags(CLUSTER, OTHER_REGION), tags), "another region's profile");
            await denied("iam:TagInstanceProfile", profile(), both(tags, profileTags("cip-prod")), "moving it to another cluster");
            await denied(
                "iam:TagInstanceProfile",
                profile(),
                both(tags, profileTags(CLUSTER, OTHER_REGION)),
                "moving it to another region",
            );
        });

        it("adds and removes roles and deletes only its own profiles under the path (AllowScopedInstanceProfileActions)", async () => {
            const tags = resourceTags(profileTags());
            for (const action of ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"]) {
                await allowed(action, profile(), tags);
                await denied(action, profile("/"), tags, "outside the path");
                await denied(action, profile(`/karpenter/${REGION}/cip-prod/${UID}/`), tags, "another cluster's path");
                await denied(action, profile(), resourceTags(profileTags("cip-prod")), "another cluster's profile");
                await denied(action, profile(), resourceTags(profileTags(CLUSTER, OTHER_REGION)), "another region's profile");
                await denied(action, profile(), resourceTags(without(profileTags(), "karpenter.k8s.aws/ec2nodeclass")), "no node class");
                await denied(action, profile(), resourceTags(without(profileTags(), "topology.kubernetes.io/region")), "no region");
                await denied(action, profile(), {}, "untagged");
            }
        });

        it("reads its profiles under the path and, by name before they exist, the cluster's path-less names only (AllowInstanceProfileReadActions)", async () => {
            await allowed("iam:GetInstanceProfile", profile());
            // instanceprofile.go Create -> Get, and controller.go cleanupLegacyInstanceProfile: `<cluster>_<hash>`.
            await allowed("iam:GetInstanceProfile", profile("/"));
            await denied("iam:GetInstanceProfile", profile("/", "cip-prod_1234567890123456789"), {}, "another cluster's name");
            await denied("iam:GetInstanceProfile", profile("/", "admin-profile"), {}, "outside the path");
            await denied("iam:GetInstanceProfile", profile(`/karpenter/${REGION}/cip-prod/${UID}/`), {}, "another cluster's path");
            await denied("iam:GetInstanceProfile", profile(`/karpenter/${OTHER_REGION}/${CLUSTER}/${UID}/`), {}, "another region's path");
        });

        it("lists instance profiles (no resource type in IAM: `*`, as upstream's AllowUnscopedInstanceProfileListAction)", async () => {
            await allowed("iam:ListInstanceProfiles", "*");
            await denied("iam:ListRoles", "*", {}, "only profiles");
        });
    });

    describe("EKS integration, interruption, resource discovery", () => {
        it("describes only its own cluster and reads the zonal-shift status only of it (EKSIntegrationPolicy, ZonalShiftPolicy)", async () => {
            const cluster = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
            await allowed("eks:DescribeCluster", cluster);
            await denied("eks:DescribeCluster", `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/cip-prod`);
            await denied("eks:DescribeCluster", `arn:aws:eks:${OTHER_REGION}:${ACCOUNT}:cluster/${CLUSTER}`);
            await denied("eks:DescribeCluster", `arn:aws:eks:${REGION}:210987654321:cluster/${CLUSTER}`);
            const shift = (identifier: string) =>
                call("arc-zonal-shift:GetManagedResource", "*", { "arc-zonal-shift:ResourceIdentifier": identifier });
            assert.equal(await shift(cluster), "Allowed");
            assert.equal(await shift(`arn:aws:eks:${REGION}:${ACCOUNT}:cluster/cip-prod`), "ImplicitlyDenied");
            assert.equal(await shift(`arn:aws:eks:${OTHER_REGION}:${ACCOUNT}:cluster/${CLUSTER}`), "ImplicitlyDenied");
            assert.equal(await shift(`arn:aws:eks:${REGION}:210987654321:cluster/${CLUSTER}`), "ImplicitlyDenied");
        });

        it("receives, deletes and finds only its own interruption queue's messages (InterruptionPolicy)", async () => {
            for (const action of ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"]) {
                await allowed(action, ARGS.interruptionQueueArn);
                await denied(action, `arn:aws:sqs:${REGION}:${ACCOUNT}:payments`);
            }
            await denied("sqs:SendMessage", ARGS.interruptionQueueArn, {}, "only EventBridge sends");
            await denied("sqs:PurgeQueue", ARGS.interruptionQueueArn);
        });

        it("describes EC2 only in its region, reads only AWS's public SSM parameters here, and prices (ResourceDiscoveryPolicy)", async () => {
            for (const action of [
                "ec2:DescribeCapacityReservations",
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceStatus",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribePlacementGroups",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory",
                "ec2:DescribeSubnets",
            ]) {
                await allowed(action, "*", { "aws:RequestedRegion": REGION });
                await denied(action, "*", { "aws:RequestedRegion": OTHER_REGION }, "another region");
            }
            await denied("ec2:DescribeVolumes", "*", { "aws:RequestedRegion": REGION }, "not a call Karpenter makes");
            const parameter = (name: string, region = REGION) => `arn:aws:ssm:${region}::parameter/${name}`;
            const ami = "aws/service/eks/optimized-ami/1.33/amazon-linux-2023/arm64/standard/recommended/image_id";
            assert.equal(evaluate("ssm:GetParameter", parameter(ami)), "Allowed");
            assert.equal(evaluate("ssm:GetParameter", parameter(ami, OTHER_REGION)), "ImplicitlyDenied", "another region");
            assert.equal(evaluate("ssm:GetParameter", `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/cip-dev/secret`), "ImplicitlyDenied");
            assert.equal(evaluate("ssm:GetParameter", parameter("cip-dev/secret")), "ImplicitlyDenied", "not AWS's public tree");
            assert.equal(evaluate("ssm:GetParameters", parameter(ami)), "ImplicitlyDenied");
            await allowed("pricing:GetProducts", "*");
        });

        it("uses * only for reads that have no resource scope", () => {
            const unscoped = Object.values(documents())
                .flatMap((d) => d.Statement)
                .filter((s) => s.Resource === "*" || (Array.isArray(s.Resource) && s.Resource.includes("*")))
                .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
            assert.deepEqual(
                unscoped.filter(
                    (a) => !/^(ec2:Describe|pricing:GetProducts$|arc-zonal-shift:GetManagedResource$|iam:ListInstanceProfiles$)/.test(a),
                ),
                [],
            );
        });
    });

    describe("the interruption queue's policy (KarpenterInterruptionQueuePolicy)", () => {
        const queue = ARGS.interruptionQueueArn;
        const send = (principal: string, secure: string, action = "sqs:SendMessage") =>
            simulate({
                resourcePolicy: interruptionQueuePolicy(queue),
                principal,
                action,
                resource: queue,
                context: { "aws:SecureTransport": secure },
            });

        it("EventBridge and SQS deliver over TLS; no other service or account may send", async () => {
            assert.deepEqual(
                interruptionQueuePolicy(queue).Statement.map((s) => s.Sid),
                ["EventBridgeDelivers", "DenyInsecureTransport"],
            );
            assert.equal(await send("events.amazonaws.com", "true"), "Allowed");
            assert.equal(await send("sqs.amazonaws.com", "true"), "Allowed");
            assert.equal(await send("sns.amazonaws.com", "true"), "ImplicitlyDenied");
            assert.equal(await send("arn:aws:iam::210987654321:role/intruder", "true"), "ImplicitlyDenied");
            assert.equal(await send("events.amazonaws.com", "true", "sqs:ReceiveMessage"), "ImplicitlyDenied");
        });

        it("refuses every SQS call on the queue over plain HTTP, whoever makes it", async () => {
            assert.equal(await send("events.amazonaws.com", "false"), "ExplicitlyDenied");
            assert.equal(await send(PRINCIPAL, "false", "sqs:ReceiveMessage"), "ExplicitlyDenied");
            assert.equal(await send(PRINCIPAL, "false", "sqs:DeleteMessage"), "ExplicitlyDenied");
            const other = await simulate({
                resourcePolicy: interruptionQueuePolicy(queue),
                principal: "events.amazonaws.com",
                action: "sqs:SendMessage",
                resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:other`,
                context: { "aws:SecureTransport": "true" },
            });
            assert.equal(other, "ImplicitlyDenied", "the statements name the queue they protect");
        });
    });
});
