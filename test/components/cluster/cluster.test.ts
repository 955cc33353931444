import { strict as assert } from "node:assert";
import { CONTROL_PLANE_LOG_TYPES, validateClusterArgs } from "../../../components/cluster/cluster";
import { PREVIEW_GROUP } from "../../../components/cluster/access";
import { ebsKeyPolicy } from "../../../components/shared/kms-policies";
import { ofType, plan, PlanFile, single, configIssues } from "../../helpers/mocks";
import { simulate } from "../../helpers/iam";

describe("cluster", () => {
    describe("dev plan", () => {
        let planned: PlanFile;
        before(async () => {
            planned = await plan();
        });

        it("encrypts Secrets with its own rotating CMK, keeps the endpoint private and ships every log type", () => {
            const cluster = single(planned, "eks:index:Cluster");
            const secretsKey = single(planned, "aws:kms/key:Key", "cluster-secrets");
            assert.equal(secretsKey.inputs.enableKeyRotation, true);
            assert.equal(secretsKey.inputs.deletionWindowInDays, 7);
            assert.match(String(cluster.inputs.encryptionConfigKeyArn), /^arn:aws:kms:eu-west-1:123456789012:key\//);
            assert.equal(cluster.inputs.endpointPrivateAccess, true);
            assert.equal(cluster.inputs.endpointPublicAccess, false);
            assert.equal(cluster.inputs.authenticationMode, "API");
            assert.equal(cluster.inputs.createOidcProvider, true);
            assert.deepEqual(cluster.inputs.enabledClusterLogTypes, [...CONTROL_PLANE_LOG_TYPES]);
            const logs = single(planned, "aws:cloudwatch/logGroup:LogGroup", "control-plane");
            assert.equal(logs.inputs.name, "/aws/eks/cip-dev/cluster");
            assert.equal(logs.inputs.retentionInDays, 90);
            assert.ok(logs.inputs.kmsKeyId);
        });

        it("pins every add-on's version, and creates the VPC CNI and kube-proxy before the system nodes", () => {
            const addons = ofType(planned, "aws:eks/addon:Addon").filter((a) => a.name.startsWith("cip-dev-cluster-"));
            for (const a of addons)
                assert.match(String(a.inputs.addonVersion), /^v\d+\.\d+\.\d+-eksbuild\.\d+$/, String(a.inputs.addonName));
            const group = single(planned, "aws:eks/nodeGroup:NodeGroup", "cluster-system");
            const deps = group.dependsOn;
            for (const first of ["vpc-cni", "kube-proxy"])
                assert.ok(
                    deps.some((urn) => urn.endsWith(`cip-dev-cluster-${first}`)),
                    `${first} before the node group: ${deps.join(", ")}`,
                );
        });

        it("installs the managed core add-ons, giving the CNI and EBS CSI driver their own IRSA roles", () => {
            const addons = ofType(planned, "aws:eks/addon:Addon")
                .filter((a) => a.name.startsWith("cip-dev-cluster-"))
                .map((a) => a.inputs.addonName)
                .sort();
            assert.deepEqual(addons, ["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
            const cni = single(planned, "aws:eks/addon:Addon", "vpc-cni");
            assert.match(String(cni.inputs.serviceAccountRoleArn), /role\/cip-dev-cluster-vpc-cni/);
            const trust = JSON.parse(String(single(planned, "aws:iam/role:Role", "cluster-vpc-cni").inputs.assumeRolePolicy)) as {
                Statement: Array<{ Condition: { StringEquals: Record<string, string> } }>;
            };
            const conditions = trust.Statement[0].Condition.StringEquals;
            const issuer = Object.keys(conditions)[0].replace(/:sub$/, "");
            assert.deepEqual(conditions, {
                [`${issuer}:sub`]: "system:serviceaccount:kube-system:aws-node",
                [`${issuer}:aud`]: "sts.amazonaws.com",
            });
        });

        it("runs a tainted Graviton on-demand system node group with IMDSv2 hop limit 1 and encrypted volumes", () => {
            const group = single(planned, "aws:eks/nodeGroup:NodeGroup", "system");
            assert.equal(group.inputs.amiType, "AL2023_ARM_64_STANDARD");
            assert.equal(group.inputs.capacityType, "ON_DEMAND");
            assert.deepEqual(group.inputs.taints, [{ key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" }]);
            assert.deepEqual(group.inputs.labels, { "ciplatform.io/pool": "system" });
            const template = single(planned, "aws:ec2/launchTemplate:LaunchTemplate", "system");
            assert.deepEqual(template.inputs.metadataOptions, {
                httpEndpoint: "enabled",
                httpTokens: "required",
                httpPutResponseHopLimit: 1,
            });
            const ebs = (template.inputs.blockDeviceMappings as Array<{ ebs: Record<string, string> }>)[0].ebs;
            assert.equal(ebs.encrypted, "true");
            assert.match(ebs.kmsKeyId, /^arn:aws:kms:/);
        });

        it("makes an encrypted gp3 StorageClass the default", () => {
            const sc = single(planned, "kubernetes:storage.k8s.io/v1:StorageClass", "gp3");
            assert.equal(
                (sc.inputs.metadata as { annotations: Record<string, string> }).annotations["storageclass.kubernetes.io/is-default-class"],
                "true",
            );
            const parameters = sc.inputs.parameters as Record<string, string>;
            assert.equal(parameters.type, "gp3");
            assert.equal(parameters.encrypted, "true");
            assert.match(parameters.kmsKeyId, /^arn:aws:kms:/);
        });

        it("adds people's admin roles as access entries with the cluster-admin policy, and no entry for the creating deploy role", async () => {
            const withAdmin = await plan({
                configChanges: { "ciplatform:clusterAdminRoleArns": ["arn:aws:iam::123456789012:role/platform-admins"] },
            });
            type Entry = {
                principalArn: string;
                accessPolicies?: Record<string, { policyArn: string }>;
                kubernetesGroups?: string[];
                type?: string;
            };
            const entries = single(withAdmin, "eks:index:Cluster").inputs.accessEntries as Record<string, Entry>;
            assert.deepEqual(
                Object.values(entries).map((e) => [
                    e.principalArn,
                    e.accessPolicies?.clusterAdmin?.policyArn ?? e.kubernetesGroups?.join(","),
                ]),
                [
                    [
                        "arn:aws:iam::123456789012:role/platform-admins",
                        "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                    ],
                    ["arn:aws:iam::123456789012:role/ciplatform-foundation/cip-deployer-preview", PREVIEW_GROUP],
                ],
            );
            assert.ok(
                !Object.values(entries).some((e) => e.principalArn.includes("deploy-dev")),
                "the deploy role is admin through EKS's bootstrap entry only",
            );
        });

        it("refuses the creating deploy role in clusterAdminRoleArns before anything is created (a second entry fails with 409)", async () => {
            const deployRole = "arn:aws:iam::123456789012:role/ciplatform-foundation/cip-deployer-deploy-dev";
            await assert.rejects(plan({ configChanges: { "ciplatform:clusterAdminRoleArns": [deployRole] } }), (err: Error) => {
                assert.match(
                    err.message,
                    /ciplatform:clusterAdminRoleArns: lists arn:aws:iam::123456789012:role\/ciplatform-foundation\/cip-deployer-deploy-dev, the deploy role that creates the cluster/,
                );
                return true;
            });
        });

        it("admits the environment's deploy and preview runners to the private endpoint on 443, and nothing else", () => {
            const rules = ofType(planned, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) =>
                r.name.includes("endpoint-from-runners"),
            );
            assert.deepEqual(
                rules.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort, r.inputs.ipProtocol]),
                [
                    ["sg-deploy-dev", 443, 443, "tcp"],
                    ["sg-preview-dev", 443, 443, "tcp"],
                ],
            );
            assert.ok(rules.every((r) => r.inputs.cidrIpv4 === undefined));
        });

        it("gives the preview role reads and server-side dry runs only, enforced by admission", () => {
            const role = single(planned, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "cluster-preview");
            const rules = role.inputs.rules as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
            assert.ok(rules.every((r) => !r.resources.includes("secrets") && !r.verbs.includes("delete") && !r.verbs.includes("*")));
            assert.deepEqual(rules.find((r) => r.apiGroups.includes("admissionregistration.k8s.io"))?.verbs, ["get", "list", "watch"]);
            const binding = single(planned, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "cluster-preview");
            assert.deepEqual(binding.inputs.subjects, [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: PREVIEW_GROUP }]);
            const policy = single(planned, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", "preview-dry-run-only");
            const spec = policy.inputs.spec as {
                matchConditions: Array<{ expression: string }>;
                validations: Array<{ expression: string }>;
                failurePolicy: string;
            };
            assert.equal(spec.failurePolicy, "Fail");
            assert.equal(spec.matchConditions[0].expression, `'${PREVIEW_GROUP}' in request.userInfo.groups`);
            assert.equal(spec.validations[0].expression, "request.dryRun == true");
            const policyBinding = single(
                planned,
                "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
                "preview-dry-run-only",
            );
            assert.deepEqual((policyBinding.inputs.spec as { validationActions: string[] }).validationActions, ["Deny"]);
        });

        it("protects keys only where config asks (dev opts out, prod protects)", async () => {
            assert.equal(single(planned, "aws:kms/key:Key", "cluster-secrets").protect, false);
            const prod = await plan({ stack: "prod" });
            assert.equal(single(prod, "aws:kms/key:Key", "cluster-secrets").protect, true);
            assert.equal(single(prod, "eks:index:Cluster").inputs.deletionProtection, true);
        });
    });

    describe("volume key policy", () => {
        it("lets the Auto Scaling service-linked role use the key, so managed nodes can launch", async () => {
            const policy = ebsKeyPolicy("123456789012", "eu-west-1");
            const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
            const asg = "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
            assert.equal(
                await simulate({ resourcePolicy: policy, principal: asg, action: "kms:GenerateDataKeyWithoutPlaintext", resource: key }),
                "Allowed",
            );
            assert.equal(
                await simulate({
                    resourcePolicy: policy,
                    principal: asg,
                    action: "kms:CreateGrant",
                    resource: key,
                    context: { "kms:GrantIsForAWSResource": "true" },
                }),
                "Allowed",
            );
            assert.equal(
                await simulate({
                    resourcePolicy: policy,
                    principal: "arn:aws:iam::999999999999:role/outsider",
                    action: "kms:Decrypt",
                    resource: key,
                }),
                "ImplicitlyDenied",
            );
        });

        it("has Karpenter's statement: any principal of the account may use the key through EC2 only", async () => {
            const policy = ebsKeyPolicy("123456789012", "eu-west-1");
            const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
            const karpenter = "arn:aws:iam::123456789012:role/cip-dev-karpenter-controller";
            const viaEc2 = { "kms:ViaService": "ec2.eu-west-1.amazonaws.com", "kms:CallerAccount": "123456789012" };
            const statement = policy.Statement.find((s) => s.Sid === "EbsUseViaEc2InAccount");
            assert.deepEqual(statement?.Principal, { AWS: "*" });
            assert.deepEqual(statement?.Condition, { StringEquals: viaEc2 });
            for (const action of [
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:Decrypt",
                "kms:CreateGrant",
                "kms:ReEncryptFrom",
                "kms:DescribeKey",
            ]) {
                assert.equal(
                    await simulate({ resourcePolicy: policy, principal: karpenter, action, resource: key, context: viaEc2 }),
                    "Allowed",
                    action,
                );
            }
            // Not directly, not through another service, not for another account.
            assert.equal(
                await simulate({ resourcePolicy: policy, principal: karpenter, action: "kms:Decrypt", resource: key }),
                "ImplicitlyDenied",
            );
            assert.equal(
                await simulate({
                    resourcePolicy: policy,
                    principal: karpenter,
                    action: "kms:Decrypt",
                    resource: key,
                    context: { ...viaEc2, "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
                }),
                "ImplicitlyDenied",
            );
            assert.equal(
                await simulate({
                    resourcePolicy: policy,
                    principal: "arn:aws:iam::999999999999:role/x",
                    action: "kms:Decrypt",
                    resource: key,
                    context: { ...viaEc2, "kms:CallerAccount": "999999999999" },
                }),
                "ImplicitlyDenied",
            );
        });

        it("lets the EBS CSI driver manage grants for attached volumes through EC2, as its docs ask", async () => {
            const policy = ebsKeyPolicy("123456789012", "eu-west-1");
            const key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
            const csi = "arn:aws:iam::123456789012:role/cip-dev-cluster-ebs-csi";
            const context = {
                "kms:ViaService": "ec2.eu-west-1.amazonaws.com",
                "kms:CallerAccount": "123456789012",
                "kms:GrantIsForAWSResource": "true",
            };
            for (const action of ["kms:ListGrants", "kms:RevokeGrant"]) {
                assert.equal(await simulate({ resourcePolicy: policy, principal: csi, action, resource: key, context }), "Allowed", action);
                assert.equal(
                    await simulate({
                        resourcePolicy: policy,
                        principal: csi,
                        action,
                        resource: key,
                        context: { ...context, "kms:GrantIsForAWSResource": "false" },
                    }),
                    "ImplicitlyDenied",
                    action,
                );
            }
        });
    });

    describe("config validation", () => {
        const issues = configIssues;

        it("refuses a public endpoint without a CIDR allow-list, or open to the world", async () => {
            assert.deepEqual(await issues({ "ciplatform:clusterEndpointPublicAccess": true }), [
                "ciplatform:clusterPublicAccessCidrs: a public API endpoint needs an explicit CIDR allow-list; list the CIDRs or set clusterEndpointPublicAccess false",
            ]);
            assert.deepEqual(
                await issues({ "ciplatform:clusterEndpointPublicAccess": true, "ciplatform:clusterPublicAccessCidrs": ["0.0.0.0/0"] }),
                [
                    "ciplatform:clusterPublicAccessCidrs: must not contain 0.0.0.0/0 (prefixes shorter than /8, such as 0.0.0.0/0, open the endpoint to the internet): list the networks that administer the cluster, such as 203.0.113.0/24",
                ],
            );
            // The whole internet in two halves is refused too.
            assert.deepEqual(
                await issues({
                    "ciplatform:clusterEndpointPublicAccess": true,
                    "ciplatform:clusterPublicAccessCidrs": ["0.0.0.0/1", "128.0.0.0/1", "203.0.113.0/24"],
                }),
                [
                    "ciplatform:clusterPublicAccessCidrs: must not contain 0.0.0.0/1, 128.0.0.0/1 (prefixes shorter than /8, such as 0.0.0.0/0, open the endpoint to the internet): list the networks that administer the cluster, such as 203.0.113.0/24",
                ],
            );
        });

        it("refuses weights outside 1-100, Graviton not preferred, unknown architectures", async () => {
            assert.deepEqual(
                await issues({ "ciplatform:karpenterGravitonWeight": 101, "ciplatform:karpenterCiArchitectures": ["arm64", "riscv64"] }),
                [
                    "ciplatform:karpenterGravitonWeight: Too big: expected number to be <=100",
                    'ciplatform:karpenterCiArchitectures: Invalid option: expected one of "arm64"|"amd64" (at item 1)',
                ],
            );
            assert.deepEqual(await issues({ "ciplatform:karpenterGravitonWeight": 5 }), [
                "ciplatform:karpenterGravitonWeight: must be higher than karpenterX86Weight (10) so Graviton is preferred",
            ]);
        });

        it("refuses @latest AMIs in prod", async () => {
            assert.deepEqual(await issues({ "ciplatform:karpenterAmiAlias": "al2023@latest" }, "prod"), [
                "ciplatform:karpenterAmiAlias: prod pins its AMI: use al2023@vYYYYMMDD, not @latest",
            ]);
        });

        it("refuses non-Graviton system nodes", () => {
            assert.deepEqual(
                validateClusterArgs({
                    clusterName: "c",
                    region: "eu-west-1",
                    accountId: "1",
                    vpcId: "v",
                    privateSubnetIds: [],
                    systemNodeInstanceTypes: ["m5.large"],
                }),
                ['systemNodeInstanceTypes: got "m5.large"; the system node group is Graviton-only (e.g. t4g.medium)'],
            );
        });
    });
});
