import { strict as assert } from "node:assert";
import { kubernetesModels, loadKubernetesModels } from "../../../components/shared/k8s-models";
import { ec2NodeClass, nodePool, platformNodePools, PoolSettings } from "../../../components/karpenter/objects";
import { INTERRUPTION_RULES, interruptionQueuePolicy, karpenterControllerPolicies } from "../../../components/karpenter/policy";
import { validateKarpenterArgs } from "../../../components/karpenter/karpenter";
import { ofType, plan, PlannedResource, single } from "../../helpers/mocks";
import { simulate } from "../../helpers/iam";

const SETTINGS: PoolSettings = {
    gravitonWeight: 100,
    x86Weight: 10,
    generalCpuLimit: 200,
    ciArchitectures: ["arm64", "amd64"],
    ciWeight: 50,
    ciCpuLimit: 400,
    ciConsolidateAfter: "1m",
};

type Requirement = { key: string; operator: string; values?: string[] };
type PoolSpec = {
    weight: number;
    limits: Record<string, string>;
    disruption: { consolidationPolicy: string; consolidateAfter: string; budgets: Array<{ nodes: string }> };
    template: {
        metadata: { labels: Record<string, string> };
        spec: { taints: Array<Record<string, string>>; requirements: Requirement[]; expireAfter: string };
    };
};

function poolSpec(planned: PlannedResource): PoolSpec {
    return planned.inputs.spec as PoolSpec;
}

function requirement(spec: PoolSpec, key: string): string[] | undefined {
    return spec.template.spec.requirements.find((r) => r.key === key)?.values;
}

describe("Karpenter", () => {
    before(() => loadKubernetesModels());

    describe("NodePools", () => {
        let pools: Map<string, ReturnType<typeof nodePool>>;
        before(async () => {
            await loadKubernetesModels();
            pools = new Map(platformNodePools(SETTINGS).map((p) => [p.name, nodePool(p)]));
        });

        it("prefers the Graviton pool over the x86 fallback", () => {
            const arm = pools.get("general-arm64");
            const x86 = pools.get("general-amd64");
            assert.ok(arm && x86);
            assert.ok((arm.spec?.weight ?? 0) > (x86.spec?.weight ?? 0));
            assert.deepEqual(arm.spec?.template.spec.requirements.find((r) => r.key === "kubernetes.io/arch")?.values, ["arm64"]);
            assert.deepEqual(x86.spec?.template.spec.requirements.find((r) => r.key === "kubernetes.io/arch")?.values, ["amd64"]);
            for (const pool of [arm, x86]) {
                assert.deepEqual(pool.spec?.template.spec.requirements.find((r) => r.key === "karpenter.sh/capacity-type")?.values, [
                    "spot",
                    "on-demand",
                ]);
                assert.deepEqual(pool.spec?.template.spec.taints, []);
            }
        });

        it("gives each CI architecture a tainted pool admitting Spot and on-demand that only consolidates empty nodes", () => {
            for (const arch of ["arm64", "amd64"]) {
                const ci = pools.get(`ci-${arch}`);
                assert.ok(ci, `ci-${arch}`);
                assert.deepEqual(ci.spec?.template.spec.taints, [{ key: "ciplatform.io/ci", value: "true", effect: "NoSchedule" }]);
                assert.deepEqual(ci.spec?.template.metadata?.labels, { "ciplatform.io/pool": "ci" });
                assert.deepEqual(ci.spec?.template.spec.requirements.find((r) => r.key === "kubernetes.io/arch")?.values, [arch]);
                // Both capacity types admitted: Karpenter launches Spot when an offering is available and on-demand when Spot is short.
                assert.deepEqual(ci.spec?.template.spec.requirements.find((r) => r.key === "karpenter.sh/capacity-type")?.values, [
                    "spot",
                    "on-demand",
                ]);
                assert.equal(ci.spec?.disruption?.consolidationPolicy, "WhenEmpty");
                assert.equal(ci.spec?.disruption?.consolidateAfter, "1m");
            }
        });

        it("has no storage pool: Karpenter never launches, consolidates, expires or drifts storage nodes", () => {
            assert.deepEqual([...pools.keys()], ["general-arm64", "general-amd64", "ci-arm64", "ci-amd64"]);
            for (const pool of pools.values()) {
                assert.notEqual(pool.spec?.template.metadata?.labels?.["ciplatform.io/pool"], "storage");
                assert.ok(!pool.spec?.template.spec.taints?.some((t) => t.key === "ciplatform.io/storage"));
            }
        });

        it("every pool has a CPU limit and validates against the karpenter.sh/v1 schema", () => {
            for (const pool of pools.values()) {
                assert.ok(pool.spec?.limits?.cpu, `${pool.metadata?.name} has no CPU limit`);
                pool.validate();
            }
        });

        it("a NodePool outside the schema fails validation", () => {
            const invalid = nodePool({ ...platformNodePools(SETTINGS)[0], weight: 101 });
            assert.throws(() => invalid.validate(), /weight/);
        });
    });

    describe("EC2NodeClass", () => {
        const input = {
            name: "default",
            role: "node-role",
            clusterName: "cip-dev",
            amiAlias: "al2023@v20261020",
            securityGroupId: "sg-0123456789abcdef0",
            volumeKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            rootVolumeGiB: 50,
            tags: { environment: "dev" },
        };

        it("requires IMDSv2 with hop limit 1 and encrypts every volume with the CMK", () => {
            const nodeClass = ec2NodeClass(input);
            assert.deepEqual(nodeClass.spec?.metadataOptions, {
                httpEndpoint: "enabled",
                httpProtocolIPv6: "disabled",
                httpTokens: "required",
                httpPutResponseHopLimit: 1,
            });
            const devices = nodeClass.spec?.blockDeviceMappings ?? [];
            assert.deepEqual(
                devices.map((d) => [d.deviceName, d.ebs?.encrypted, d.ebs?.kmsKeyID, d.ebs?.volumeSize]),
                [["/dev/xvda", true, input.volumeKeyArn, "50Gi"]],
            );
            assert.deepEqual(nodeClass.spec?.amiSelectorTerms, [{ alias: "al2023@v20261020" }]);
            assert.deepEqual(nodeClass.spec?.subnetSelectorTerms, [{ tags: { "karpenter.sh/discovery": "cip-dev" } }]);
            nodeClass.validate();
        });

        it("an EC2NodeClass outside the schema fails validation", () => {
            const nodeClass = ec2NodeClass(input);
            const { EC2NodeClass } = kubernetesModels();
            const broken = new EC2NodeClass({
                metadata: { name: "broken" },
                spec: { ...nodeClass.spec, metadataOptions: { httpTokens: "sometimes" as "required" } } as NonNullable<
                    typeof nodeClass.spec
                >,
            });
            assert.throws(() => broken.validate(), /httpTokens/);
        });
    });

    describe("controller policy", () => {
        const policies = karpenterControllerPolicies({
            region: "eu-west-1",
            accountId: "123456789012",
            clusterName: "cip-dev",
            nodeRoleArn: "arn:aws:iam::123456789012:role/cip-dev-karpenter-node",
            interruptionQueueArn: "arn:aws:sqs:eu-west-1:123456789012:cip-dev",
            volumeKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        });
        const identityPolicies = Object.values(policies);
        const principal = "arn:aws:iam::123456789012:role/cip-dev-karpenter-controller";
        const instance = "arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0";

        it("may launch instances only when tagging them for this cluster", async () => {
            const launch = (cluster: string) =>
                simulate({
                    identityPolicies,
                    principal,
                    action: "ec2:RunInstances",
                    resource: instance,
                    context: {
                        [`aws:RequestTag/kubernetes.io/cluster/${cluster}`]: "owned",
                        "aws:RequestTag/eks:eks-cluster-name": cluster,
                        "aws:RequestTag/karpenter.sh/nodepool": "general-arm64",
                        "aws:TagKeys": [`kubernetes.io/cluster/${cluster}`, "eks:eks-cluster-name", "karpenter.sh/nodepool"],
                    },
                });
            assert.equal(await launch("cip-dev"), "Allowed");
            assert.equal(await launch("someone-else"), "ImplicitlyDenied");
        });

        it("may terminate only this cluster's Karpenter instances", async () => {
            const terminate = (cluster: string) =>
                simulate({
                    identityPolicies,
                    principal,
                    action: "ec2:TerminateInstances",
                    resource: instance,
                    context: {
                        [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: "owned",
                        "aws:ResourceTag/karpenter.sh/nodepool": "ci-arm64",
                    },
                });
            assert.equal(await terminate("cip-dev"), "Allowed");
            assert.equal(await terminate("other"), "ImplicitlyDenied");
        });

        it("may pass only the node role, only to EC2", async () => {
            const pass = (role: string, service: string) =>
                simulate({
                    identityPolicies,
                    principal,
                    action: "iam:PassRole",
                    resource: role,
                    context: { "iam:PassedToService": service },
                });
            assert.equal(await pass("arn:aws:iam::123456789012:role/cip-dev-karpenter-node", "ec2.amazonaws.com"), "Allowed");
            assert.equal(await pass("arn:aws:iam::123456789012:role/admin", "ec2.amazonaws.com"), "ImplicitlyDenied");
            assert.equal(await pass("arn:aws:iam::123456789012:role/cip-dev-karpenter-node", "lambda.amazonaws.com"), "ImplicitlyDenied");
        });

        it("may describe only its own cluster and read only its own queue", async () => {
            const describe = (cluster: string) =>
                simulate({
                    identityPolicies,
                    principal,
                    action: "eks:DescribeCluster",
                    resource: `arn:aws:eks:eu-west-1:123456789012:cluster/${cluster}`,
                });
            assert.equal(await describe("cip-dev"), "Allowed");
            assert.equal(await describe("prod"), "ImplicitlyDenied");
            const receive = (queue: string) =>
                simulate({
                    identityPolicies,
                    principal,
                    action: "sqs:ReceiveMessage",
                    resource: `arn:aws:sqs:eu-west-1:123456789012:${queue}`,
                });
            assert.equal(await receive("cip-dev"), "Allowed");
            assert.equal(await receive("payments"), "ImplicitlyDenied");
        });

        it("uses * only for read actions, never for a mutating one", () => {
            const unscoped = identityPolicies
                .flatMap((d) => d.Statement)
                .filter((s) => s.Resource === "*")
                .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
            for (const action of unscoped) {
                assert.match(
                    action,
                    /^(ec2:Describe|pricing:GetProducts$|iam:ListInstanceProfiles$|arc-zonal-shift:GetManagedResource$)/,
                    action,
                );
            }
        });

        it("the interruption queue accepts EventBridge deliveries and refuses plain HTTP", async () => {
            const queueArn = "arn:aws:sqs:eu-west-1:123456789012:cip-dev";
            const policy = interruptionQueuePolicy(queueArn);
            const send = (secure: string) =>
                simulate({
                    resourcePolicy: policy,
                    principal: "events.amazonaws.com",
                    action: "sqs:SendMessage",
                    resource: queueArn,
                    context: { "aws:SecureTransport": secure },
                });
            assert.equal(await send("true"), "Allowed");
            assert.equal(await send("false"), "ExplicitlyDenied");
        });
    });

    describe("in the dev plan", () => {
        let planned: Awaited<ReturnType<typeof plan>>;
        before(async () => {
            planned = await plan();
        });

        it("routes every interruption event type to the queue", () => {
            const queue = single(planned, "aws:sqs/queue:Queue", "interruptions");
            assert.equal(queue.inputs.sqsManagedSseEnabled, true);
            const rules = ofType(planned, "aws:cloudwatch/eventRule:EventRule");
            const targets = ofType(planned, "aws:cloudwatch/eventTarget:EventTarget");
            assert.equal(rules.length, Object.keys(INTERRUPTION_RULES).length);
            for (const [key, pattern] of Object.entries(INTERRUPTION_RULES)) {
                const rule = single(planned, "aws:cloudwatch/eventRule:EventRule", `-${key}`);
                assert.deepEqual(JSON.parse(String(rule.inputs.eventPattern)), pattern);
                const target = single(planned, "aws:cloudwatch/eventTarget:EventTarget", `-${key}`);
                assert.match(String(target.inputs.arn), /^arn:aws:sqs:eu-west-1:123456789012:cip-dev$/);
            }
            assert.equal(targets.length, rules.length);
            // The event types karpenter-provider-aws v1.14.1's interruption controller handles and its getting-started
            // cloudformation.yaml routes to the queue: written out here, so a type dropped from the product fails.
            const routed = rules
                .map((rule) => (JSON.parse(String(rule.inputs.eventPattern)) as { "detail-type": string[] })["detail-type"])
                .flat();
            assert.deepEqual(routed.sort(), [
                "AWS Health Event",
                "EC2 Capacity Reservation Instance Interruption Warning",
                "EC2 Instance Rebalance Recommendation",
                "EC2 Instance State-change Notification",
                "EC2 Spot Instance Interruption Warning",
            ]);
        });

        it("passes the queue name (not its URL or ARN) and the IRSA role to the chart", () => {
            const release = single(planned, "kubernetes:helm.sh/v3:Release", "karpenter-controller");
            const values = release.inputs.values as {
                settings: Record<string, string>;
                serviceAccount: { annotations: Record<string, string> };
            };
            assert.deepEqual(values.settings, { clusterName: "cip-dev", interruptionQueue: "cip-dev" });
            assert.match(
                values.serviceAccount.annotations["eks.amazonaws.com/role-arn"],
                /^arn:aws:iam::123456789012:role\/cip-dev-karpenter-controller/,
            );
            assert.equal(release.inputs.version, "1.14.1");
            assert.equal(release.inputs.chart, "oci://public.ecr.aws/karpenter/karpenter");
            assert.equal(
                single(planned, "kubernetes:helm.sh/v3:Release", "karpenter-crds").inputs.chart,
                "oci://public.ecr.aws/karpenter/karpenter-crd",
            );
        });

        it("gives the node role an EC2_LINUX access entry", () => {
            const entry = single(planned, "aws:eks/accessEntry:AccessEntry", "karpenter-node");
            assert.equal(entry.inputs.type, "EC2_LINUX");
            assert.match(String(entry.inputs.principalArn), /role\/cip-dev-karpenter-node/);
        });

        it("creates the four NodePools with the configured weights", () => {
            const pools = ofType(planned, "kubernetes:karpenter.sh/v1:NodePool").map((p) => [
                (p.inputs.metadata as { name: string }).name,
                poolSpec(p).weight,
            ]);
            assert.deepEqual(pools, [
                ["general-arm64", 100],
                ["general-amd64", 10],
                ["ci-arm64", 50],
                ["ci-amd64", 50],
            ]);
            const ci = ofType(planned, "kubernetes:karpenter.sh/v1:NodePool").find((p) => p.name.endsWith("ci-amd64"));
            assert.ok(ci);
            assert.deepEqual(requirement(poolSpec(ci), "kubernetes.io/arch"), ["amd64"]);
        });

        it("tags the instances Karpenter launches with the org tags", () => {
            const nodeClass = single(planned, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", "nodeclass-default");
            assert.deepEqual((nodeClass.inputs.spec as { tags: Record<string, string> }).tags, {
                environment: "dev",
                owner: "platform-team",
                "cost-center": "cc-1234",
                "managed-by": "pulumi",
            });
        });
    });

    describe("validation", () => {
        const base = { amiAlias: "al2023@latest", chartVersion: "1.14.1" };
        it("rejects weights outside 1-100 and Graviton not above x86", () => {
            assert.deepEqual(validateKarpenterArgs({ ...base, pools: { gravitonWeight: 150, x86Weight: 0 } }), [
                "pools.gravitonWeight: got 150; a NodePool weight is an integer from 1 to 100",
                "pools.x86Weight: got 0; a NodePool weight is an integer from 1 to 100",
            ]);
            assert.deepEqual(validateKarpenterArgs({ ...base, pools: { gravitonWeight: 10, x86Weight: 20 } }), [
                "pools.gravitonWeight: got 10; must exceed x86Weight (20) so Graviton is preferred",
            ]);
        });
        it("rejects an unknown architecture and a floating chart version", () => {
            assert.deepEqual(
                validateKarpenterArgs({
                    amiAlias: "al2023@latest",
                    chartVersion: "^1",
                    pools: { ciArchitectures: ["riscv64" as "arm64"] },
                }),
                [
                    'pools.ciArchitectures: got "riscv64"; allowed: arm64, amd64',
                    'chartVersion: got "^1"; pin an exact version such as 1.14.1',
                ],
            );
        });
        it("rejects a chart before 1.7.0: its instance profiles live at /, outside the path the controller policy allows", () => {
            for (const chartVersion of ["1.6.8", "1.0.0", "0.37.0"]) {
                assert.deepEqual(validateKarpenterArgs({ ...base, chartVersion }), [
                    `chartVersion: got "${chartVersion}"; use 1.7.0 or later (instance profiles under /karpenter/<region>/<cluster>/, which the controller policy requires)`,
                ]);
            }
            for (const chartVersion of ["1.7.0", "1.14.1", "1.10.0", "2.0.0"]) {
                assert.deepEqual(validateKarpenterArgs({ ...base, chartVersion }), [], chartVersion);
            }
        });
    });
});
