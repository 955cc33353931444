/**
 * Issue 24, through the real policy host: what the IAM scope analysis counts as a pin (a condition naming the
 * subnet or VPC, the cluster tag's value), what it does not (a wildcard, a Null condition alone, a network as
 * wide as the internet), PassRole/AssumeRole on every role however the ARN spells it, the platform's own
 * CodeBuild and Load Balancer Controller policies passing without an exemption, and the exposure paths that
 * had no fixture (public KMS and Secrets Manager policies, S3 v1 ACLs and grants, admin through a
 * PolicyAttachment, an inline IPv6 ingress rule on an admin port).
 */
import { strict as assert } from "node:assert";
import { AnalyzerInput } from "../../tools/offline/analyzer";
import { analyzeResources } from "../helpers/pack";
import { DEFAULT_CONFIG } from "../../policypack/config";
import { platformExemptions } from "../../tools/offline/analyzer";
import { runnerServiceRolePolicy } from "../../components/foundation/policies";
import { loadBalancerControllerPermissions } from "../../components/ingress/policy";
import { policyJson as doc } from "../helpers/policy-json";

const TAGS = { environment: "dev", owner: "team", "cost-center": "cc-1", "managed-by": "pulumi" };
const ACCOUNT = "123456789012";
const SUBNET = `arn:aws:ec2:eu-west-1:${ACCOUNT}:subnet/subnet-0abc`;
const VPC = `arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc/vpc-0abc`;
const INTERFACES = `arn:aws:ec2:eu-west-1:${ACCOUNT}:network-interface/*`;
const GROUPS = `arn:aws:ec2:eu-west-1:${ACCOUNT}:security-group/*`;

interface Fixture {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}
const input = (f: Fixture): AnalyzerInput => ({
    urn: `urn:pulumi:dev::ciplatform::${f.type}::${f.name}`,
    type: f.type,
    name: f.name,
    properties: f.inputs,
    parent: null,
    protect: false,
    dependsOn: [],
});

/** Findings of one policy per fixture name. */
async function findings(policy: string, fixtures: Fixture[]): Promise<Map<string, string[]>> {
    const violations = await analyzeResources(fixtures.map(input));
    const byName = new Map<string, string[]>(fixtures.map((f) => [f.name, []]));
    for (const v of violations.filter((v) => v.policy === policy)) {
        byName.get(v.urn.split("::").pop() ?? "")?.push(v.message);
    }
    return byName;
}

const rolePolicy = (name: string, ...statements: object[]): Fixture => ({
    type: "aws:iam/rolePolicy:RolePolicy",
    name,
    inputs: { role: "app-role", policy: doc(...statements) },
});

describe("IAM scope pins and gaps (lib/iam-scope, iam.ts) through the policy host", () => {
    it("iam-policy-restrict-star-resource: ec2:Subnet / ec2:Vpc on named ARNs pin network interfaces and security groups; wildcards and no condition do not", async () => {
        const deleteInterfaces = (condition?: object): object => ({
            Effect: "Allow",
            Action: "ec2:DeleteNetworkInterface",
            Resource: INTERFACES,
            ...(condition ? { Condition: condition } : {}),
        });
        const result = await findings("iam-policy-restrict-star-resource", [
            rolePolicy("subnet-arnequals", deleteInterfaces({ ArnEquals: { "ec2:Subnet": [SUBNET] } })),
            rolePolicy("subnet-stringequals", deleteInterfaces({ StringEquals: { "ec2:Subnet": SUBNET } })),
            rolePolicy("vpc-arnlike", {
                Effect: "Allow",
                Action: "ec2:DeleteSecurityGroup",
                Resource: GROUPS,
                Condition: { ArnLike: { "ec2:Vpc": VPC } },
            }),
            rolePolicy("subnet-wildcard", deleteInterfaces({ ArnLike: { "ec2:Subnet": `arn:aws:ec2:eu-west-1:${ACCOUNT}:subnet/*` } })),
            rolePolicy("subnet-negated", deleteInterfaces({ ArnNotEquals: { "ec2:Subnet": SUBNET } })),
            rolePolicy("no-condition", deleteInterfaces()),
            rolePolicy("role-paths", { Effect: "Allow", Action: "iam:GetRole", Resource: `arn:aws:iam::${ACCOUNT}:role/*/*` }),
        ]);
        assert.deepEqual(result.get("subnet-arnequals"), []);
        assert.deepEqual(result.get("subnet-stringequals"), []);
        assert.deepEqual(result.get("vpc-arnlike"), []);
        for (const open of ["subnet-wildcard", "subnet-negated", "no-condition"]) {
            assert.equal(result.get(open)?.length, 1, open);
            assert.match(result.get(open)?.[0] ?? "", /ec2:DeleteNetworkInterface on .*network-interface\/\*/);
        }
        // role/*/* (every role on every path) is as broad as role/*.
        assert.match(result.get("role-paths")?.[0] ?? "", /iam:GetRole on .*role\/\*\/\* \(every resource of its type/);
    });

    it("iam-policy-restrict-star-resource: the resource a Create<Type> call makes is pinned by a required resource named in the statement (CreateNetworkInterface in named subnets); not for other actions or wildcard subnets", async () => {
        const create = (action: string, ...Resource: string[]): object => ({ Effect: "Allow", Action: action, Resource });
        const result = await findings("iam-policy-restrict-star-resource", [
            rolePolicy("create-in-subnets", create("ec2:CreateNetworkInterface", INTERFACES, SUBNET)),
            rolePolicy(
                "create-in-any-subnet",
                create("ec2:CreateNetworkInterface", INTERFACES, `arn:aws:ec2:eu-west-1:${ACCOUNT}:subnet/*`),
            ),
            rolePolicy("create-alone", create("ec2:CreateNetworkInterface", INTERFACES)),
            rolePolicy("delete-with-subnet", create("ec2:DeleteNetworkInterface", INTERFACES, SUBNET)),
            rolePolicy("run-in-subnet", create("ec2:RunInstances", `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/*`, SUBNET)),
        ]);
        assert.deepEqual(result.get("create-in-subnets"), []);
        for (const open of ["create-in-any-subnet", "create-alone", "delete-with-subnet", "run-in-subnet"]) {
            assert.equal(result.get(open)?.length, 1, open);
        }
    });

    it("iam-policy-restrict-star-resource: a condition pins only when its key is in the action's request context for the resource type (iam-data ec2.json: ec2:Subnet is not in CreateNetworkInterface's network-interface row, ec2:Vpc not in CreateSecurityGroup's security-group row)", async () => {
        const on = (action: string, resource: string, condition: object): object => ({
            Effect: "Allow",
            Action: action,
            Resource: resource,
            Condition: condition,
        });
        const result = await findings("iam-policy-restrict-star-resource", [
            // The two statements rv24b found: approved before, denied by IAM on every call.
            rolePolicy("create-group-by-vpc", on("ec2:CreateSecurityGroup", GROUPS, { ArnEquals: { "ec2:Vpc": VPC } })),
            rolePolicy(
                "create-interface-by-subnet",
                on("ec2:CreateNetworkInterface", INTERFACES, { ArnEquals: { "ec2:Subnet": [SUBNET] } }),
            ),
            rolePolicy("create-interface-by-subnet-star", on("ec2:CreateNetworkInterface", "*", { ArnEquals: { "ec2:Subnet": [SUBNET] } })),
            // Keys that are in the context: the existing interface's subnet, the new group's request tag.
            rolePolicy(
                "permission-by-subnet",
                on("ec2:CreateNetworkInterfacePermission", INTERFACES, { ArnEquals: { "ec2:Subnet": SUBNET } }),
            ),
            rolePolicy("delete-by-subnet", on("ec2:DeleteNetworkInterface", INTERFACES, { ArnEquals: { "ec2:Subnet": SUBNET } })),
            rolePolicy(
                "create-group-by-request-tag",
                on("ec2:CreateSecurityGroup", GROUPS, { StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": "cip-dev" } }),
            ),
            // The new interface has no tags yet: its resource tag is not in CreateNetworkInterface's context.
            rolePolicy(
                "create-interface-by-resource-tag",
                on("ec2:CreateNetworkInterface", INTERFACES, { StringEquals: { "aws:ResourceTag/team": "a" } }),
            ),
            // ACM lists aws:ResourceTag on the certificate type, not on DescribeCertificate's row: still in context.
            rolePolicy(
                "describe-certificate-by-tag",
                on("acm:DescribeCertificate", `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/*`, {
                    StringEquals: { "aws:ResourceTag/team": "a" },
                }),
            ),
        ]);
        for (const dead of [
            "create-group-by-vpc",
            "create-interface-by-subnet",
            "create-interface-by-subnet-star",
            "create-interface-by-resource-tag",
        ]) {
            assert.equal(result.get(dead)?.length, 1, dead);
            assert.match(result.get(dead)?.[0] ?? "", /grants ec2:Create(SecurityGroup|NetworkInterface) on /, dead);
        }
        for (const pinned of ["permission-by-subnet", "delete-by-subnet", "create-group-by-request-tag", "describe-certificate-by-tag"]) {
            assert.deepEqual(result.get(pinned), [], pinned);
        }
    });

    it("iam-policy-condition-key-in-context (advisory): a key absent from every resource type's context of an action is reported (the statement never matches); keys in context, negations, IfExists and global keys are not", async () => {
        const on = (action: string, resource: string | string[], condition: object): object => ({
            Effect: "Allow",
            Action: action,
            Resource: resource,
            Condition: condition,
        });
        const result = await findings("iam-policy-condition-key-in-context", [
            rolePolicy("create-group-by-vpc", on("ec2:CreateSecurityGroup", GROUPS, { ArnEquals: { "ec2:Vpc": VPC } })),
            rolePolicy(
                "create-interface-by-subnet",
                on("ec2:CreateNetworkInterface", [INTERFACES, SUBNET], { ArnEquals: { "ec2:Subnet": SUBNET } }),
            ),
            rolePolicy("delete-by-subnet", on("ec2:DeleteNetworkInterface", INTERFACES, { ArnEquals: { "ec2:Subnet": SUBNET } })),
            rolePolicy(
                "create-group-by-request-tag",
                on("ec2:CreateSecurityGroup", GROUPS, { StringEquals: { "aws:RequestTag/team": "a" } }),
            ),
            rolePolicy("negated", on("ec2:CreateSecurityGroup", GROUPS, { ArnNotEquals: { "ec2:Vpc": VPC } })),
            rolePolicy("if-exists", on("ec2:CreateSecurityGroup", GROUPS, { ArnEqualsIfExists: { "ec2:Vpc": VPC } })),
            rolePolicy(
                "global",
                on("ec2:CreateSecurityGroup", GROUPS, { ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/ci` } }),
            ),
        ]);
        assert.deepEqual(result.get("create-group-by-vpc"), [
            'aws:iam/rolePolicy:RolePolicy "create-group-by-vpc" policy statement 1: condition key ec2:vpc is not in the request context of ec2:CreateSecurityGroup on resource type security-group: the statement never matches ec2:CreateSecurityGroup (IAM denies it unless another statement allows it).',
        ]);
        assert.match(
            result.get("create-interface-by-subnet")?.[0] ?? "",
            /ec2:subnet is not in the request context of ec2:CreateNetworkInterface on resource type network-interface, subnet:/,
        );
        for (const fine of ["delete-by-subnet", "create-group-by-request-tag", "negated", "if-exists", "global"]) {
            assert.deepEqual(result.get(fine), [], fine);
        }
    });

    it("iam-policy-restrict-star-resource: the cluster tag's value pins (resource or request tag); the tag's presence alone (Null) does not", async () => {
        const deleteGroups = (condition: object): object => ({
            Effect: "Allow",
            Action: "ec2:DeleteSecurityGroup",
            Resource: GROUPS,
            Condition: condition,
        });
        const result = await findings("iam-policy-restrict-star-resource", [
            rolePolicy("null-only", deleteGroups({ Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } })),
            rolePolicy(
                "null-and-value",
                deleteGroups({
                    Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" },
                    StringEquals: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "cip-dev" },
                }),
            ),
            rolePolicy("request-tag", {
                Effect: "Allow",
                Action: "elasticloadbalancing:CreateTargetGroup",
                Resource: `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/*/*`,
                Condition: { StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": "cip-dev" } },
            }),
            rolePolicy("tag-wildcard", deleteGroups({ StringLike: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "*" } })),
        ]);
        assert.equal(result.get("null-only")?.length, 1);
        assert.deepEqual(result.get("null-and-value"), []);
        assert.deepEqual(result.get("request-tag"), []);
        assert.equal(result.get("tag-wildcard")?.length, 1);
    });

    it("iam-policy-scope-pass-role: iam:PassRole and sts:AssumeRole on every role (role/*, role/*/*, role/?*, any account) fail; a path or name prefix passes", async () => {
        const use = (name: string, action: string, resource: string) =>
            rolePolicy(name, { Effect: "Allow", Action: action, Resource: resource });
        const result = await findings("iam-policy-scope-pass-role", [
            use("pass-star", "iam:PassRole", "*"),
            use("pass-role-star", "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/*`),
            use("pass-role-paths", "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/*/*`),
            use("pass-role-any-name", "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/?*`),
            use("assume-any-account", "sts:AssumeRole", "arn:aws:iam::*:role/*"),
            use("assume-role-paths", "sts:AssumeRole", `arn:aws:iam::${ACCOUNT}:role/*/*`),
            use("pass-role-no-slash", "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role*`),
            use("assume-role-prefix-of-type", "sts:AssumeRole", `arn:aws:iam::${ACCOUNT}:ro?*`),
            use("pass-prefix", "iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/ci/*`),
            use("assume-named", "sts:AssumeRole", `arn:aws:iam::${ACCOUNT}:role/deploy-*`),
        ]);
        for (const broad of [
            "pass-star",
            "pass-role-star",
            "pass-role-paths",
            "pass-role-any-name",
            "assume-any-account",
            "assume-role-paths",
            "pass-role-no-slash",
            "assume-role-prefix-of-type",
        ]) {
            assert.equal(result.get(broad)?.length, 1, broad);
            assert.match(result.get(broad)?.[0] ?? "", /allows (iam:PassRole|sts:AssumeRole) on every role/);
        }
        assert.deepEqual(result.get("pass-prefix"), []);
        assert.deepEqual(result.get("assume-named"), []);
    });

    it("iam-role-deny-public-trust: aws:SourceIp as wide as the internet (0.0.0.0/0, ::/0, 0.0.0.0/1) is no guard; a narrow network is", async () => {
        const trustedFrom = (name: string, cidr: string): Fixture => ({
            type: "aws:iam/role:Role",
            name,
            inputs: {
                tags: TAGS,
                assumeRolePolicy: doc({
                    Effect: "Allow",
                    Principal: { AWS: "*" },
                    Action: "sts:AssumeRole",
                    Condition: { IpAddress: { "aws:SourceIp": cidr } },
                }),
            },
        });
        const result = await findings("iam-role-deny-public-trust", [
            trustedFrom("ipv4-any", "0.0.0.0/0"),
            trustedFrom("ipv6-any", "::/0"),
            trustedFrom("half-internet", "0.0.0.0/1"),
            trustedFrom("office", "203.0.113.0/24"),
        ]);
        for (const open of ["ipv4-any", "ipv6-any", "half-internet"]) {
            assert.equal(result.get(open)?.length, 1, open);
        }
        assert.deepEqual(result.get("office"), []);
    });

    it("the platform's CodeBuild build role and Load Balancer Controller policy pass without an exemption, and the pack ships none for them", async () => {
        const exempted = [...DEFAULT_CONFIG.exemptions, ...platformExemptions()].filter((e) =>
            /ingress-controller|runners/.test(e.resourceName ?? ""),
        );
        assert.deepEqual(exempted, [], "neither the pack's defaults nor policy-config.json name a platform runner or ingress resource");
        const subnets = [SUBNET, `arn:aws:ec2:eu-west-1:${ACCOUNT}:subnet/subnet-0def`];
        const build = runnerServiceRolePolicy({
            region: "eu-west-1",
            accountId: ACCOUNT,
            project: "cip-dev-runners",
            subnetArns: subnets,
            securityGroupArn: `arn:aws:ec2:eu-west-1:${ACCOUNT}:security-group/sg-0abc`,
            connectionArn: `arn:aws:codeconnections:eu-west-1:${ACCOUNT}:connection/0123`,
        });
        const ingress = loadBalancerControllerPermissions("eu-west-1", ACCOUNT, "vpc-0abc", "cip-dev");
        const policies = [
            {
                type: "aws:iam/rolePolicy:RolePolicy",
                name: "cip-dev-runners-deploy-build",
                inputs: { role: "build", policy: JSON.stringify(build) },
            },
            {
                type: "aws:iam/rolePolicy:RolePolicy",
                name: "cip-dev-ingress-controller",
                inputs: { role: "lbc", policy: JSON.stringify(ingress) },
            },
        ];
        for (const policy of ["iam-policy-restrict-star-resource", "iam-policy-scope-pass-role", "iam-policy-deny-wildcard-actions"]) {
            const result = await findings(policy, policies);
            assert.deepEqual([...result.values()].flat(), [], policy);
        }
        // The same documents without their pins fail: the rule, not an exemption, lets them through.
        const unpinned = JSON.parse(
            JSON.stringify(ingress).replaceAll(
                '"StringEquals":{"aws:ResourceTag/elbv2.k8s.aws/cluster":"cip-dev"}',
                '"Null":{"aws:ResourceTag/elbv2.k8s.aws/cluster":"false"}',
            ),
        ) as object;
        const result = await findings("iam-policy-restrict-star-resource", [
            { type: "aws:iam/rolePolicy:RolePolicy", name: "unpinned", inputs: { role: "lbc", policy: JSON.stringify(unpinned) } },
        ]);
        assert.ok((result.get("unpinned")?.length ?? 0) >= 3, JSON.stringify(result.get("unpinned")));
    });
});

describe("exposure paths without a fixture until now (exposure.ts, iam.ts) through the policy host", () => {
    const publicPolicy = doc({ Effect: "Allow", Principal: "*", Action: ["kms:Decrypt", "secretsmanager:GetSecretValue"], Resource: "*" });
    const orgPolicy = doc({
        Effect: "Allow",
        Principal: "*",
        Action: ["kms:Decrypt", "secretsmanager:GetSecretValue"],
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" } },
    });

    it("kms-secretsmanager-deny-public-policy: a Secrets Manager secret, a KMS key and a KMS replica key with a public policy fail; limited to an organisation they pass", async () => {
        const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
        const fixtures = (suffix: string, policy: string): Fixture[] => [
            {
                type: "aws:secretsmanager/secretPolicy:SecretPolicy",
                name: `secret-policy-${suffix}`,
                inputs: { secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s", policy },
            },
            { type: "aws:kms/key:Key", name: `key-${suffix}`, inputs: { tags: TAGS, enableKeyRotation: true, policy } },
            { type: "aws:kms/replicaKey:ReplicaKey", name: `replica-${suffix}`, inputs: { tags: TAGS, primaryKeyArn: KEY_ARN, policy } },
        ];
        const result = await findings("kms-secretsmanager-deny-public-policy", [
            ...fixtures("public", publicPolicy),
            ...fixtures("org", orgPolicy),
        ]);
        for (const name of ["secret-policy-public", "key-public", "replica-public"]) {
            assert.equal(result.get(name)?.length, 1, name);
            assert.match(result.get(name)?.[0] ?? "", /to everyone \(Principal "\*"\)/);
        }
        for (const name of ["secret-policy-org", "key-org", "replica-org"]) {
            assert.deepEqual(result.get(name), [], name);
        }
    });

    it("s3-bucket-deny-public-access: an S3 v1 bucket's public-read, public-read-write and authenticated-read ACLs and AllUsers/AuthenticatedUsers grants fail; private passes", async () => {
        const bucket = (name: string, inputs: Record<string, unknown>): Fixture => ({
            type: "aws:s3/bucket:Bucket",
            name,
            inputs: { tags: TAGS, ...inputs },
        });
        const group = (g: string) => `http://acs.amazonaws.com/groups/global/${g}`;
        const result = await findings("s3-bucket-deny-public-access", [
            bucket("public-read", { acl: "public-read" }),
            bucket("public-read-write", { acl: "public-read-write" }),
            bucket("authenticated-read", { acl: "authenticated-read" }),
            bucket("grant-all-users", { grants: [{ type: "Group", uri: group("AllUsers"), permissions: ["READ"] }] }),
            bucket("grant-authenticated", { grants: [{ type: "Group", uri: group("AuthenticatedUsers"), permissions: ["WRITE"] }] }),
            bucket("private", { acl: "private", grants: [{ type: "CanonicalUser", id: "abc", permissions: ["FULL_CONTROL"] }] }),
        ]);
        for (const name of ["public-read", "public-read-write", "authenticated-read", "grant-all-users", "grant-authenticated"]) {
            assert.equal(result.get(name)?.length, 1, name);
        }
        assert.deepEqual(result.get("private"), []);
    });

    it("iam-policy-deny-admin-access: a PolicyAttachment of AdministratorAccess fails; of a read-only policy passes", async () => {
        const attachment = (name: string, policyArn: string): Fixture => ({
            type: "aws:iam/policyAttachment:PolicyAttachment",
            name,
            inputs: { policyArn, roles: ["app-role"] },
        });
        const result = await findings("iam-policy-deny-admin-access", [
            attachment("admin", "arn:aws:iam::aws:policy/AdministratorAccess"),
            attachment("read-only", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        ]);
        assert.equal(result.get("admin")?.length, 1);
        assert.deepEqual(result.get("read-only"), []);
    });

    it("ec2-securitygroup-deny-public-admin-ports: an inline ingress rule with ipv6CidrBlocks ::/0 on SSH fails; on HTTPS, or from a named IPv6 network, passes", async () => {
        const group = (name: string, ingress: object): Fixture => ({
            type: "aws:ec2/securityGroup:SecurityGroup",
            name,
            inputs: { tags: TAGS, ingress: [ingress] },
        });
        const result = await findings("ec2-securitygroup-deny-public-admin-ports", [
            group("ssh-ipv6-world", { protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/0"] }),
            group("https-ipv6-world", { protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"] }),
            group("ssh-ipv6-office", { protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["2001:db8::/48"] }),
        ]);
        assert.equal(result.get("ssh-ipv6-world")?.length, 1);
        assert.match(result.get("ssh-ipv6-world")?.[0] ?? "", /SSH 22 to ::\/0/);
        assert.deepEqual(result.get("https-ipv6-world"), []);
        assert.deepEqual(result.get("ssh-ipv6-office"), []);
    });
});
