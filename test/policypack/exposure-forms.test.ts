/**
 * The public-exposure rules (policypack/exposure.ts) called directly, with each form their inputs
 * take: CIDRs as a string or a list, IPv4 and IPv6 prefixes at the internet-wide boundary, each
 * security-group resource type and protocol spelling, port ranges, S3 ACL grants under either input,
 * public policy statements under each resource type, SNS keys and IMDS settings.
 */
import { strict as assert } from "node:assert";
import { DEFAULT_CONFIG } from "../../policypack/config";
import {
    ADMIN_PORTS,
    eksEndpointRule,
    eksLoggingRule,
    imdsRule,
    publicResourcePolicyRule,
    s3PublicRule,
    securityGroupRule,
    snsRule,
} from "../../policypack/exposure";
import { isInternetWide } from "../../policypack/lib/cidr";
import { ResourceRule } from "../../policypack/lib/rule";

type Json = Record<string, unknown>;
const check = (rule: ResourceRule, type: string, props: Json) =>
    rule.check({ type, name: "x", urn: `urn:pulumi:dev::p::${type}::x`, props, stackTags: new Map() }, DEFAULT_CONFIG);

describe("exposure rules by form (policypack/exposure.ts)", () => {
    it("isInternetWide (lib/cidr): IPv4 shorter than /8, IPv6 shorter than /16, whitespace trimmed, malformed never", () => {
        for (const cidr of ["0.0.0.0/0", " 0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/7", "::/0", "2000::/15"]) {
            assert.equal(isInternetWide(cidr), true, cidr);
        }
        for (const cidr of ["10.0.0.0/8", "2000::/16", "10.0.0.0", "0.0.0.0/x", "/0", "0.0.0.0/0000"]) {
            assert.equal(isInternetWide(cidr), false, cidr);
        }
    });

    it("eks-cluster-deny-public-endpoint: the component's top-level settings and the raw cluster's vpcConfig", () => {
        const open = (cidrs: string) =>
            `cluster "x" serves its API endpoint publicly to ${cidrs}: set endpointPublicAccess false (with endpointPrivateAccess true) or list the CIDRs that need it in publicAccessCidrs.`;
        assert.deepEqual(check(eksEndpointRule, "eks:index:Cluster", {}), [open("0.0.0.0/0 (the default)")]);
        assert.deepEqual(check(eksEndpointRule, "eks:index:Cluster", { endpointPublicAccess: "false" }), []);
        assert.deepEqual(
            check(eksEndpointRule, "eks:index:Cluster", { endpointPublicAccess: true, publicAccessCidrs: "203.0.113.0/24" }),
            [],
        );
        assert.deepEqual(check(eksEndpointRule, "eks:index:Cluster", { publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/1", "::/0"] }), [
            open("0.0.0.0/1, ::/0"),
        ]);
        assert.deepEqual(check(eksEndpointRule, "aws:eks/cluster:Cluster", { endpointPublicAccess: false, vpcConfig: {} }), [
            open("0.0.0.0/0 (the default)"),
        ]);
        assert.deepEqual(check(eksEndpointRule, "aws:eks/cluster:Cluster", { vpcConfig: { endpointPublicAccess: false } }), []);
        assert.deepEqual(check(eksEndpointRule, "aws:eks/cluster:Cluster", { vpcConfig: { publicAccessCidrs: null } }), [
            open("0.0.0.0/0 (the default)"),
        ]);
    });

    it("eks-cluster-require-control-plane-logging: names each missing log type", () => {
        assert.deepEqual(
            check(eksLoggingRule, "aws:eks/cluster:Cluster", {
                enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
            }),
            [],
        );
        assert.deepEqual(check(eksLoggingRule, "aws:eks/cluster:Cluster", { enabledClusterLogTypes: "api" }), [
            'cluster "x" does not log audit, authenticator, controllerManager, scheduler: add them to enabledClusterLogTypes.',
        ]);
    });

    it("ec2-securitygroup-deny-public-admin-ports: each resource type, protocol spelling, port range and CIDR form", () => {
        const opens = (type: string, label: string, what: string) =>
            `${type} "x" ${label} opens ${what}: reach administration through SSM Session Manager or a VPN, or name the source CIDRs.`;
        const SG = "aws:ec2/securityGroup:SecurityGroup";
        assert.deepEqual(
            check(securityGroupRule, SG, {
                ingress: [
                    { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
                    { protocol: "TCP", fromPort: 20, toPort: 23, cidrBlocks: "0.0.0.0/0", ipv6CidrBlocks: ["::/0"] },
                    { protocol: "udp", fromPort: 0, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] },
                    { protocol: "6", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] },
                    null,
                ],
            }),
            [opens(SG, "ingress 2", "SSH 22 to 0.0.0.0/0, ::/0; Telnet 23 to 0.0.0.0/0, ::/0")],
        );
        assert.deepEqual(
            check(securityGroupRule, SG, { ingress: { protocol: "6", fromPort: "6443", toPort: "", cidrBlocks: ["0.0.0.0/0"] } }),
            [opens(SG, "ingress 1", "Kubernetes API 6443 to 0.0.0.0/0; kubelet 10250 to 0.0.0.0/0")],
        );
        const all = ADMIN("0.0.0.0/0");
        assert.deepEqual(
            check(securityGroupRule, SG, { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] }),
            [opens(SG, "ingress 1", all)],
        );
        assert.deepEqual(check(securityGroupRule, SG, { ingress: [{ protocol: "all", cidrBlocks: ["0.0.0.0/0"] }] }), [
            opens(SG, "ingress 1", all),
        ]);
        assert.deepEqual(
            check(securityGroupRule, SG, { ingress: [{ protocol: "tcp", fromPort: null, toPort: 21, cidrBlocks: ["0.0.0.0/0"] }] }),
            [],
        );
        assert.deepEqual(check(securityGroupRule, SG, { ingress: [{ cidrBlocks: ["0.0.0.0/0"] }] }), []);
        // A missing (undefined, null or empty) toPort is the top of the range, as the provider reads it.
        const tcpFrom22 = (toPort: unknown) =>
            check(securityGroupRule, SG, { ingress: [{ protocol: "tcp", fromPort: 22, toPort, cidrBlocks: ["0.0.0.0/0"] }] });
        assert.equal(tcpFrom22(65535).length, 1);
        for (const missing of [undefined, null, ""]) {
            assert.deepEqual(tcpFrom22(missing), tcpFrom22(65535), String(missing));
        }

        const RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
        assert.deepEqual(
            check(securityGroupRule, RULE, { type: "ingress", protocol: "tcp", fromPort: 3389, toPort: 3389, ipv6CidrBlocks: "::/0" }),
            [opens(RULE, "rule", "RDP 3389 to ::/0")],
        );
        assert.deepEqual(check(securityGroupRule, RULE, { type: "egress", protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }), []);
        assert.deepEqual(check(securityGroupRule, RULE, { type: "ingress", protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }), [
            opens(RULE, "rule", all),
        ]);

        const VPC = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
        assert.deepEqual(
            check(securityGroupRule, VPC, { ipProtocol: "tcp", fromPort: 5900, toPort: 5986, cidrIpv4: "0.0.0.0/0", cidrIpv6: null }),
            [opens(VPC, "rule", "VNC 5900 to 0.0.0.0/0; WinRM 5985 to 0.0.0.0/0; WinRM HTTPS 5986 to 0.0.0.0/0")],
        );
        assert.deepEqual(check(securityGroupRule, VPC, { ipProtocol: "-1", cidrIpv6: "::/0" }), [opens(VPC, "rule", ADMIN("::/0"))]);
        assert.deepEqual(check(securityGroupRule, VPC, { ipProtocol: "-1", referencedSecurityGroupId: "sg-1" }), []);
    });

    it("s3-bucket-deny-public-access: canned ACLs, grants by uri or url under either input, and public policy statements", () => {
        const B = "aws:s3/bucketV2:BucketV2";
        for (const acl of ["public-read", "public-read-write", "authenticated-read"]) {
            assert.deepEqual(check(s3PublicRule, B, { acl }), [
                `${B} "x" sets the public ACL "${acl}": use "private" (and S3 Object Ownership BucketOwnerEnforced).`,
            ]);
        }
        assert.deepEqual(check(s3PublicRule, B, { acl: "private" }), []);
        const A = "aws:s3/bucketAclV2:BucketAclV2";
        const allUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
        const authUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
        assert.deepEqual(
            check(s3PublicRule, A, {
                accessControlPolicy: {
                    grants: [
                        { grantee: { type: "Group", uri: allUsers }, permission: "READ" },
                        { grantee: { type: "CanonicalUser", id: "abc" }, permission: "FULL_CONTROL" },
                        { grantee: { uri: `${allUsers}x` }, permission: "READ" },
                    ],
                },
                grants: { url: authUsers, permissions: ["READ_ACP"] },
            }),
            [`${A} "x" grants READ to ${allUsers}: remove the grant.`, `${A} "x" grants READ_ACP to ${authUsers}: remove the grant.`],
        );
        assert.deepEqual(check(s3PublicRule, A, { grants: [{ uri: allUsers }] }), [
            `${A} "x" grants access to ${allUsers}: remove the grant.`,
        ]);
        const P = "aws:s3/bucketPolicy:BucketPolicy";
        const statement = { Effect: "Allow", Principal: "*", Action: ["s3:GetObject", "s3:ListBucket"], Resource: "arn:aws:s3:::b/*" };
        assert.deepEqual(
            check(s3PublicRule, P, {
                policy: JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*" }, statement] }),
            }),
            [
                `${P} "x" policy statement 2 allows s3:GetObject, s3:ListBucket to everyone (Principal "*") without a condition that limits the caller: name the principals, or add aws:PrincipalOrgID / aws:SourceVpce / aws:SourceArn with exact values.`,
            ],
        );
        assert.deepEqual(
            check(s3PublicRule, P, { policy: { Statement: { ...statement, Action: undefined, NotAction: "s3:DeleteObject" } } }),
            [
                `${P} "x" policy statement 1 allows its actions to everyone (Principal "*") without a condition that limits the caller: name the principals, or add aws:PrincipalOrgID / aws:SourceVpce / aws:SourceArn with exact values.`,
            ],
        );
        assert.deepEqual(
            check(s3PublicRule, P, {
                policy: { Statement: { ...statement, Condition: { StringEquals: { "aws:SourceVpce": "vpce-1" } } } },
            }),
            [],
        );
        assert.deepEqual(check(s3PublicRule, P, { policy: "not json" }), []);
    });

    it("kms-secretsmanager-deny-public-policy: the policy input of each key and secret type", () => {
        const statement = { Sid: "Open", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" };
        for (const type of [
            "aws:kms/key:Key",
            "aws:kms/keyPolicy:KeyPolicy",
            "aws:kms/replicaKey:ReplicaKey",
            "aws:secretsmanager/secretPolicy:SecretPolicy",
            "aws:secretsmanager/secret:Secret",
        ]) {
            assert.deepEqual(
                check(publicResourcePolicyRule, type, { policy: JSON.stringify({ Statement: [statement] }) }),
                [
                    `${type} "x" policy statement "Open" allows kms:Decrypt to everyone (Principal "*") without a condition that limits the caller: name the account root or roles, or add kms:CallerAccount / aws:PrincipalOrgID / aws:PrincipalAccount with exact values.`,
                ],
                type,
            );
            assert.deepEqual(
                check(publicResourcePolicyRule, type, {
                    policy: JSON.stringify({
                        Statement: [{ ...statement, Condition: { StringEquals: { "kms:CallerAccount": "123456789012" } } }],
                    }),
                }),
                [],
                type,
            );
        }
    });

    it("sns-topic-require-kms: a CMK, not the AWS-managed alias in either form", () => {
        assert.deepEqual(check(snsRule, "aws:sns/topic:Topic", { kmsMasterKeyId: "" }), [
            'topic "x" is not encrypted: set kmsMasterKeyId to a customer-managed KMS key.',
        ]);
        const managed = 'topic "x" uses the AWS-managed key alias/aws/sns, which other services\' policies cannot be granted: use a CMK.';
        assert.deepEqual(check(snsRule, "aws:sns/topic:Topic", { kmsMasterKeyId: "alias/aws/sns" }), [managed]);
        assert.deepEqual(
            check(snsRule, "aws:sns/topic:Topic", { kmsMasterKeyId: "arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/aws/sns" }),
            [managed],
        );
        assert.deepEqual(check(snsRule, "aws:sns/topic:Topic", { kmsMasterKeyId: "alias/aws/snsx" }), []);
        assert.deepEqual(check(snsRule, "aws:sns/topic:Topic", { kmsMasterKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1" }), []);
    });

    it("ec2-require-imdsv2: required tokens or a disabled endpoint, for launch templates and instances", () => {
        assert.deepEqual(check(imdsRule, "aws:ec2/instance:Instance", { metadataOptions: { httpTokens: "required" } }), []);
        assert.deepEqual(check(imdsRule, "aws:ec2/instance:Instance", { metadataOptions: { httpEndpoint: "disabled" } }), []);
        assert.deepEqual(check(imdsRule, "aws:ec2/instance:Instance", { metadataOptions: { httpTokens: "optional" } }), [
            'instance "x" allows IMDSv1 (httpTokens "optional"): set metadataOptions.httpTokens "required" (and httpPutResponseHopLimit 1 unless containers need the node\'s role).',
        ]);
        assert.deepEqual(check(imdsRule, "aws:ec2/launchTemplate:LaunchTemplate", {}), [
            'launch template "x" allows IMDSv1 (httpTokens "optional (default)"): set metadataOptions.httpTokens "required" (and httpPutResponseHopLimit 1 unless containers need the node\'s role).',
        ]);
    });
});

/** Every admin port (the rule's own list), as the rule reports them for an all-ports rule. */
function ADMIN(cidr: string): string {
    return ADMIN_PORTS.map(([port, what]) => `${what} ${port} to ${cidr}`).join("; ");
}
