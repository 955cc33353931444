/**
 * Public exposure: what every public rule catalogue flags first. Compared with Checkov (CKV_AWS_38/39
 * EKS endpoint, CKV_AWS_37 control-plane logging, CKV_AWS_24/25 security groups, CKV_AWS_20/57 S3
 * ACLs, CKV_AWS_70 S3 policy, CKV_AWS_33 KMS key policy, CKV_AWS_26 SNS, CKV_AWS_79 IMDSv1), trivy's
 * AVD-AWS rules (0040/0041 EKS endpoint, 0038 logging, 0107 security groups, 0092 S3 ACL,
 * 0095 SNS, 0130 launch templates) and KICS's AWS queries; the checks are written from those rules'
 * documented intent, against the inputs of the Pulumi AWS and EKS SDKs.
 */
import { parseDocument, NormalizedStatement, statementLabel } from "./lib/iam-document";
import { isInternetWide } from "./lib/cidr";
import { isPublicAllow } from "./lib/iam-scope";
import { NO_FINDINGS, resourcePolicy, ResourceRule, ResourceView } from "./lib/rule";

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]);
const isFalse = (v: unknown): boolean => v === false || v === "false";

/**
 * The EKS API endpoint: public unless `endpointPublicAccess` is false (the AWS default is public),
 * and then open to `publicAccessCidrs`, which default to 0.0.0.0/0 (EKS API `VpcConfigRequest`).
 */
export const eksEndpointRule: ResourceRule = {
    name: "eks-cluster-deny-public-endpoint",
    description:
        "EKS API endpoints are private, or public only to named CIDRs: never public to 0.0.0.0/0 (the default when publicAccessCidrs is unset).",
    enforcementLevel: "mandatory",
    types: ["eks:index:Cluster", "aws:eks/cluster:Cluster"],
    check: (r) => {
        // The component takes the settings at top level; the raw resource under vpcConfig.
        const settings = r.type === "eks:index:Cluster" ? r.props : (r.props.vpcConfig ?? {});
        if (isFalse(settings.endpointPublicAccess)) {
            return NO_FINDINGS;
        }
        const cidrs = list(settings.publicAccessCidrs).map(String);
        const open = cidrs.length === 0 ? ["0.0.0.0/0 (the default)"] : cidrs.filter(isInternetWide);
        return open.length > 0
            ? [
                  `cluster "${r.name}" serves its API endpoint publicly to ${open.join(", ")}: set endpointPublicAccess false (with endpointPrivateAccess true) or list the CIDRs that need it in publicAccessCidrs.`,
              ]
            : NO_FINDINGS;
    },
};

/**
 * Every control-plane log type (EKS "Control plane logging"), as Checkov CKV_AWS_37, trivy AVD-AWS-0038
 * (aquasecurity/trivy-checks checks/cloud/aws/eks/enable_control_plane_logging.rego) and KICS
 * eks_cluster_log_disabled require: the controller-manager and scheduler logs show what the cluster did itself.
 */
export const REQUIRED_CLUSTER_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export const eksLoggingRule: ResourceRule = {
    name: "eks-cluster-require-control-plane-logging",
    description: `EKS clusters send the ${REQUIRED_CLUSTER_LOG_TYPES.join(", ")} control-plane logs to CloudWatch (all off by default).`,
    enforcementLevel: "mandatory",
    types: ["eks:index:Cluster", "aws:eks/cluster:Cluster"],
    check: (r) => {
        const enabled = new Set(list(r.props.enabledClusterLogTypes).map(String));
        const missing = REQUIRED_CLUSTER_LOG_TYPES.filter((t) => !enabled.has(t));
        return missing.length > 0
            ? [`cluster "${r.name}" does not log ${missing.join(", ")}: add them to enabledClusterLogTypes.`]
            : NO_FINDINGS;
    },
};

/**
 * Administrative ports: remote shells and desktops (SSH 22, Telnet 23, RDP 3389, VNC 5900, WinRM
 * 5985/5986), container and cluster control (Docker 2375/2376, Kubernetes API 6443, kubelet 10250).
 */
export const ADMIN_PORTS: ReadonlyArray<readonly [number, string]> = [
    [22, "SSH"],
    [23, "Telnet"],
    [2375, "Docker"],
    [2376, "Docker TLS"],
    [3389, "RDP"],
    [5900, "VNC"],
    [5985, "WinRM"],
    [5986, "WinRM HTTPS"],
    [6443, "Kubernetes API"],
    [10250, "kubelet"],
];

interface IngressRule {
    readonly protocol: string;
    readonly fromPort: number;
    readonly toPort: number;
    readonly cidrs: string[];
}

/** Admin ports an ingress rule opens to the world. `-1`/`all` is every protocol and port. */
function openAdminPorts(rule: IngressRule): string[] {
    const open = rule.cidrs.filter(isInternetWide);
    if (open.length === 0) {
        return [];
    }
    const protocol = rule.protocol.toLowerCase();
    const allPorts = protocol === "-1" || protocol === "all";
    if (!allPorts && protocol !== "tcp" && protocol !== "6") {
        return [];
    }
    return ADMIN_PORTS.filter(([port]) => allPorts || (port >= rule.fromPort && port <= rule.toPort)).map(
        ([port, what]) => `${what} ${port} to ${open.join(", ")}`,
    );
}

function ingressRules(r: ResourceView): Array<{ label: string; rule: IngressRule }> {
    const num = (v: unknown, fallback: number): number => (v === undefined || v === null || v === "" ? fallback : Number(v));
    switch (r.type) {
        case "aws:ec2/securityGroup:SecurityGroup":
            return list(r.props.ingress).map((raw, i) => {
                const rule = (raw ?? {}) as Record<string, unknown>;
                return {
                    label: `ingress ${i + 1}`,
                    rule: {
                        protocol: String(rule.protocol ?? ""),
                        fromPort: num(rule.fromPort, 0),
                        toPort: num(rule.toPort, 65535),
                        cidrs: [...list(rule.cidrBlocks), ...list(rule.ipv6CidrBlocks)].map(String),
                    },
                };
            });
        case "aws:ec2/securityGroupRule:SecurityGroupRule":
            return r.props.type === "ingress"
                ? [
                      {
                          label: "rule",
                          rule: {
                              protocol: String(r.props.protocol ?? ""),
                              fromPort: num(r.props.fromPort, 0),
                              toPort: num(r.props.toPort, 65535),
                              cidrs: [...list(r.props.cidrBlocks), ...list(r.props.ipv6CidrBlocks)].map(String),
                          },
                      },
                  ]
                : [];
        default:
            // aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule
            return [
                {
                    label: "rule",
                    rule: {
                        protocol: String(r.props.ipProtocol ?? ""),
                        fromPort: num(r.props.fromPort, 0),
                        toPort: num(r.props.toPort, 65535),
                        cidrs: [r.props.cidrIpv4, r.props.cidrIpv6].filter((c) => c !== undefined && c !== null).map(String),
                    },
                },
            ];
    }
}

export const securityGroupRule: ResourceRule = {
    name: "ec2-securitygroup-deny-public-admin-ports",
    description: `Security groups open no administrative port (${ADMIN_PORTS.map(([p]) => p).join(", ")}, or all ports) to 0.0.0.0/0 or ::/0.`,
    enforcementLevel: "mandatory",
    types: [
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    ],
    check: (r) =>
        ingressRules(r).flatMap(({ label, rule }) => {
            const open = openAdminPorts(rule);
            return open.length > 0
                ? [
                      `${r.type} "${r.name}" ${label} opens ${open.join("; ")}: reach administration through SSM Session Manager or a VPN, or name the source CIDRs.`,
                  ]
                : [];
        }),
};

/** Canned ACLs that grant everyone (or every AWS account) access (S3 "Canned ACL"). */
const PUBLIC_CANNED_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);
const PUBLIC_GRANTEES = /\/groups\/global\/(AllUsers|AuthenticatedUsers)$/;

/** One finding per public Allow of the policy, in order (the shared empty list when there is none, as for most). */
function publicPolicyFindings(r: ResourceView, what: string, policy: unknown, fix: string): readonly string[] {
    const statements = parseDocument(policy);
    let found: string[] | undefined;
    if (statements !== undefined) {
        for (let i = 0; i < statements.length; i++) {
            const s: NormalizedStatement = statements[i];
            if (isPublicAllow(s)) {
                (found ??= []).push(
                    `${r.type} "${r.name}" ${what} ${statementLabel(s, i)} allows ${s.actions.join(", ") || "its actions"} to everyone (Principal "*") without a condition that limits the caller: ${fix}`,
                );
            }
        }
    }
    return found ?? NO_FINDINGS;
}

const NO_GRANTS: readonly unknown[] = Object.freeze([]);

const S3_FIX = "name the principals, or add aws:PrincipalOrgID / aws:SourceVpce / aws:SourceArn with exact values.";

export const s3PublicRule: ResourceRule = {
    name: "s3-bucket-deny-public-access",
    description:
        'S3 buckets are not public: no public canned ACL or ACL grant to AllUsers/AuthenticatedUsers, and no bucket policy allowing Principal "*" without a limiting condition.',
    enforcementLevel: "mandatory",
    types: [
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",
        "aws:s3/bucketAclV2:BucketAclV2",
        "aws:s3/bucketAcl:BucketAcl",
        "aws:s3/bucketPolicy:BucketPolicy",
    ],
    check: (r) => {
        let problems: string[] | undefined;
        const acl = r.props.acl;
        if (typeof acl === "string" && PUBLIC_CANNED_ACLS.has(acl)) {
            (problems ??= []).push(
                `${r.type} "${r.name}" sets the public ACL "${acl}": use "private" (and S3 Object Ownership BucketOwnerEnforced).`,
            );
        }
        const aclGrants: unknown = r.props.accessControlPolicy?.grants;
        const ownGrants: unknown = r.props.grants;
        // Most buckets grant nothing: no list is built for them.
        const grants = (aclGrants === undefined && ownGrants === undefined ? NO_GRANTS : [...list(aclGrants), ...list(ownGrants)]) as Array<
            Record<string, unknown>
        >;
        for (let g = 0; g < grants.length; g++) {
            const grant = grants[g];
            const grantee = (grant?.grantee ?? grant) as Record<string, unknown>;
            const uri = String(grantee?.uri ?? grantee?.url ?? "");
            if (PUBLIC_GRANTEES.test(uri)) {
                (problems ??= []).push(
                    `${r.type} "${r.name}" grants ${String(grant.permission ?? grant.permissions ?? "access")} to ${uri}: remove the grant.`,
                );
            }
        }
        if (r.props.policy !== undefined) {
            const findings = publicPolicyFindings(r, "policy", r.props.policy, S3_FIX);
            if (findings.length > 0) {
                (problems ??= []).push(...findings);
            }
        }
        return problems ?? NO_FINDINGS;
    },
};

/** Where KMS and Secrets Manager resources carry their resource policies. */
const RESOURCE_POLICY_INPUTS: Record<string, string> = {
    "aws:kms/key:Key": "policy",
    "aws:kms/keyPolicy:KeyPolicy": "policy",
    "aws:kms/replicaKey:ReplicaKey": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:secretsmanager/secret:Secret": "policy",
};

export const publicResourcePolicyRule: ResourceRule = {
    name: "kms-secretsmanager-deny-public-policy",
    description:
        'KMS key policies and Secrets Manager resource policies allow nothing to Principal "*" without a condition that limits the caller (account, organisation, principal ARN or source, compared by value).',
    enforcementLevel: "mandatory",
    types: Object.keys(RESOURCE_POLICY_INPUTS),
    check: (r) =>
        publicPolicyFindings(
            r,
            "policy",
            r.props[RESOURCE_POLICY_INPUTS[r.type]],
            "name the account root or roles, or add kms:CallerAccount / aws:PrincipalOrgID / aws:PrincipalAccount with exact values.",
        ),
};

const AWS_MANAGED_SNS_KEY = /^(alias\/aws\/sns|arn:aws[a-z-]*:kms:[^:]+:\d+:alias\/aws\/sns)$/;

export const snsRule: ResourceRule = {
    name: "sns-topic-require-kms",
    description: "SNS topics encrypt messages at rest with a customer-managed KMS key (kmsMasterKeyId, not alias/aws/sns).",
    enforcementLevel: "mandatory",
    types: ["aws:sns/topic:Topic"],
    check: (r) => {
        const key = r.props.kmsMasterKeyId;
        if (!key) {
            return [`topic "${r.name}" is not encrypted: set kmsMasterKeyId to a customer-managed KMS key.`];
        }
        return AWS_MANAGED_SNS_KEY.test(String(key))
            ? [`topic "${r.name}" uses the AWS-managed key alias/aws/sns, which other services' policies cannot be granted: use a CMK.`]
            : NO_FINDINGS;
    },
};

export const imdsRule: ResourceRule = {
    name: "ec2-require-imdsv2",
    description:
        "Launch templates and instances require IMDSv2 (metadataOptions.httpTokens required, or the metadata endpoint disabled); EC2's default still allows IMDSv1.",
    enforcementLevel: "mandatory",
    types: ["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"],
    check: (r) => {
        const options = r.props.metadataOptions ?? {};
        if (options.httpEndpoint === "disabled" || options.httpTokens === "required") {
            return NO_FINDINGS;
        }
        const kind = r.type === "aws:ec2/instance:Instance" ? "instance" : "launch template";
        return [
            `${kind} "${r.name}" allows IMDSv1 (httpTokens ${JSON.stringify(options.httpTokens ?? "optional (default)")}): set metadataOptions.httpTokens "required" (and httpPutResponseHopLimit 1 unless containers need the node's role).`,
        ];
    },
};

export const exposureRules = [
    eksEndpointRule,
    eksLoggingRule,
    securityGroupRule,
    s3PublicRule,
    publicResourcePolicyRule,
    snsRule,
    imdsRule,
];
export const exposurePolicies = exposureRules.map(resourcePolicy);
