/**
 * Each section's own rules (stacks/settings/*.ts), through the parser a plan runs first: the boundary values of each
 * refinement (the last value accepted and the first refused), each cross-key rule on and off, and the exact message a user
 * reads (key, value given, what is allowed). Fast: nothing is planned, so the mutation run can afford every case.
 */
import { strict as assert } from "node:assert";
import { z } from "zod";
import { ConfigError, formatIssue, parseFoundationConfig, parsePlatformConfig } from "../../stacks/config";
import { describeSetting } from "../../stacks/settings/define";
import { compareVersions } from "../../stacks/settings/runners";
import { configWith } from "../helpers/mocks";

/** The issues a shipped stack's config gets with `changes` (keys without namespace); `account` is the foundation's stack. */
function issuesOf(changes: Record<string, unknown>, stack: string): string[] {
    const foundation = stack === "account";
    const namespace = foundation ? "ciplatform-foundation" : "ciplatform";
    const values: Record<string, string> = { ...configWith(stack).values };
    for (const [key, value] of Object.entries(changes)) {
        values[`${namespace}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    try {
        (foundation ? parseFoundationConfig : parsePlatformConfig)(values, stack);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
        return err.issues.map(formatIssue);
    }
    return [];
}

type Case = [changes: Record<string, unknown>, stack: string, issues: string[]];

function check(cases: readonly Case[]): void {
    for (const [changes, stack, issues] of cases) {
        assert.deepEqual(issuesOf(changes, stack), issues, `${stack} with ${JSON.stringify(changes)}`);
    }
}

describe("stack config: each section's rules and messages (stacks/settings)", () => {
    it("storage (stacks/settings/storage.ts)", () => {
        check([
            [{ storageReplicas: 1 }, "dev", ["ciplatform:storageReplicas: Too small: expected number to be >=2 (got 1)"]],
            [{ storageReplicas: 2 }, "dev", []],
            [{ storageReplicas: 4 }, "dev", ["ciplatform:storageReplicas: Too big: expected number to be <=3 (got 4)"]],
            [{ storageReplicas: 2 }, "prod", ["ciplatform:storageReplicas: prod keeps three replicas across three zones; set 3 (got 2)"]],
            [
                { storageNodeInstanceTypes: ["m7g.xlarge", "m7i.xlarge"] },
                "dev",
                [
                    'ciplatform:storageNodeInstanceTypes: mixes arm64 and amd64 types, but one AMI serves one architecture; list types of one architecture (got ["m7g.xlarge","m7i.xlarge"])',
                ],
            ],
            [
                { storageNodeInstanceTypes: [] },
                "dev",
                ["ciplatform:storageNodeInstanceTypes: Too small: expected array to have >=1 items (got [])"],
            ],
            [
                { storageNodeInstanceTypes: ["i4g.xlarge"] },
                "dev",
                [
                    'ciplatform:storageNodeInstanceTypes: "i4g.xlarge" has instance-store disks; use a type without local disks (no `d` attribute, not i/d/h families), e.g. m7g.xlarge or m7i.xlarge (at item 0) (got ["i4g.xlarge"])',
                ],
            ],
            [
                { storageSnapshotRetentionDays: 6 },
                "prod",
                ["ciplatform:storageSnapshotRetentionDays: prod keeps snapshots at least 7 days; set 7 or more (got 6)"],
            ],
            [{ storageSnapshotRetentionDays: 7 }, "prod", []],
            [{ storageNodesPerZone: 0 }, "dev", ["ciplatform:storageNodesPerZone: Too small: expected number to be >=1 (got 0)"]],
            [{ storageNodesPerZone: 11 }, "dev", ["ciplatform:storageNodesPerZone: Too big: expected number to be <=10 (got 11)"]],
            [
                { storageNodeDataVolumeGiB: 19 },
                "dev",
                ["ciplatform:storageNodeDataVolumeGiB: Too small: expected number to be >=20 (got 19)"],
            ],
            [
                { storageNodeDataVolumeGiB: 16385 },
                "dev",
                ["ciplatform:storageNodeDataVolumeGiB: Too big: expected number to be <=16384 (got 16385)"],
            ],
            [
                { storageOperatorChartVersion: "v2.8.1" },
                "dev",
                ['ciplatform:storageOperatorChartVersion: must be an exact chart version such as 2.8.1 (got "v2.8.1")'],
            ],
            [
                { storageSnapshotControllerVersion: "v8.3.0" },
                "dev",
                [
                    'ciplatform:storageSnapshotControllerVersion: must be an exact EKS add-on version such as v8.3.0-eksbuild.1 (got "v8.3.0")',
                ],
            ],
            [
                { storageNodeAmiId: "ami-123" },
                "dev",
                ['ciplatform:storageNodeAmiId: must be an AMI id such as ami-0123456789abcdef0, or empty (got "ami-123")'],
            ],
            [
                { storageS3KeyRotation: "Q3" },
                "dev",
                ['ciplatform:storageS3KeyRotation: must be a short lower-case label such as 2026-q3 (got "Q3")'],
            ],
        ]);
    });

    it("pki (stacks/settings/pki.ts)", () => {
        check([
            [
                { pkiParentCaArn: "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/12345678-1234-1234-1234-123456789012" },
                "dev",
                [
                    'ciplatform:pkiParentCaArn: a root CA has no parent: set pkiMode subordinate, or remove pkiParentCaArn (got "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/12345678-1234-1234-1234-123456789012")',
                ],
            ],
            [
                { pkiMode: "subordinate" },
                "dev",
                ['ciplatform:pkiParentCaArn: a subordinate CA needs the ARN of the parent CA that signs it (got "")'],
            ],
            [
                { pkiKeyAlgorithm: "RSA_2048" },
                "dev",
                [
                    'ciplatform:pkiSigningAlgorithm: does not match key algorithm RSA_2048: use a ...WITHRSA algorithm (got "SHA256WITHECDSA")',
                ],
            ],
            [
                { pkiSigningAlgorithm: "SHA256WITHRSA" },
                "dev",
                [
                    'ciplatform:pkiSigningAlgorithm: does not match key algorithm EC_prime256v1: use a ...WITHECDSA algorithm (got "SHA256WITHRSA")',
                ],
            ],
            [{ pkiKeyAlgorithm: "RSA_2048", pkiSigningAlgorithm: "SHA256WITHRSA" }, "dev", []],
            [{ pkiValidityYears: 21 }, "dev", ["ciplatform:pkiValidityYears: Too big: expected number to be <=20 (got 21)"]],
            [{ pkiPermanentDeletionDays: 6 }, "dev", ["ciplatform:pkiPermanentDeletionDays: Too small: expected number to be >=7 (got 6)"]],
            [
                { pkiOcspCustomCname: "Not_A_Name" },
                "dev",
                ['ciplatform:pkiOcspCustomCname: must be a DNS name such as ocsp.pki.example.com, or empty (got "Not_A_Name")'],
            ],
            [{ pkiCommonName: "" }, "dev", ['ciplatform:pkiCommonName: Too small: expected string to have >=1 characters (got "")']],
        ]);
    });

    it("runners (stacks/settings/runners.ts)", () => {
        check([
            [
                { runnersTokenSecretName: "" },
                "dev",
                [
                    'ciplatform:runnersTokenSecretName: is required when runners are enabled: name the secret that will hold each runner\'s glrt- token (e.g. gitlab-runner-token) (got "")',
                ],
            ],
            [{ runnersEnabled: false, runnersTokenSecretName: "" }, "dev", []],
            [
                { runnersChartVersion: "0.87.9" },
                "dev",
                [
                    'ciplatform:runnersChartVersion: must be 0.88.0 or later (runner 18.11+, the first that sets a seccomp profile on job pods), such as 0.93.0 (got "0.87.9")',
                ],
            ],
            [{ runnersChartVersion: "0.88.0" }, "dev", []],
            [
                { runnersChartVersion: "1.0.0" },
                "dev",
                [
                    'ciplatform:runnersChartVersion: ships runner unknown; use 0.88.0 or later (runner v18.11.0+, the first that gives job pods a seccomp profile) (got "1.0.0")',
                ],
            ],
            [
                { runnersGitlabUrl: "http://gitlab.com" },
                "dev",
                [
                    'ciplatform:runnersGitlabUrl: must be an https:// URL of GitLab.com or your self-managed GitLab (got "http://gitlab.com")',
                ],
            ],
            [
                { runnersArchitectures: ["arm64", "arm64"] },
                "dev",
                ['ciplatform:runnersArchitectures: must not repeat an architecture (got ["arm64","arm64"])'],
            ],
            [
                { runnersJobCpuRequest: "2 cores" },
                "dev",
                ['ciplatform:runnersJobCpuRequest: must be a Kubernetes quantity such as 500m, 2 or 4Gi (got "2 cores")'],
            ],
            [
                { runnersExtraTags: ["a b"] },
                "dev",
                ['ciplatform:runnersExtraTags: must be a GitLab tag (letters, digits, _ . -) (at item 0) (got ["a b"])'],
            ],
            [
                { runnersJobRoleArn: "role" },
                "dev",
                ['ciplatform:runnersJobRoleArn: must be an IAM role ARN, or empty for jobs without cloud permissions (got "role")'],
            ],
        ]);
    });

    it("karpenter (stacks/settings/karpenter.ts)", () => {
        check([
            [
                { karpenterGravitonWeight: 10, karpenterX86Weight: 10 },
                "dev",
                ["ciplatform:karpenterGravitonWeight: must be higher than karpenterX86Weight (10) so Graviton is preferred (got 10)"],
            ],
            [
                { karpenterAmiAlias: "al2023@latest" },
                "prod",
                ['ciplatform:karpenterAmiAlias: prod pins its AMI: use al2023@vYYYYMMDD, not @latest (got "al2023@latest")'],
            ],
            [{ karpenterAmiAlias: "al2023@v20250101" }, "prod", []],
        ]);
    });

    it("core (stacks/settings/core.ts)", () => {
        check([
            [
                { kmsDeletionWindowDays: 7 },
                "prod",
                ["ciplatform:kmsDeletionWindowDays: prod keeps the 30-day KMS deletion window; set 30 or remove the key (got 7)"],
            ],
            [
                { protectStatefulResources: false },
                "prod",
                [
                    "ciplatform:protectStatefulResources: prod keeps its stateful resources protected: allowed is true; to turn it off anyway (e.g. to decommission prod), also set allowUnprotectedProd: true (got false)",
                ],
            ],
            [{ protectStatefulResources: false, allowUnprotectedProd: true }, "prod", []],
            [{ abacTagKey: "aws:x" }, "dev", ['ciplatform:abacTagKey: must not start with the reserved prefix aws: (got "aws:x")']],
            [{ abacTagKey: "AWS:x" }, "dev", ['ciplatform:abacTagKey: must not start with the reserved prefix aws: (got "AWS:x")']],
        ]);
    });

    it("secrets (stacks/settings/secrets.ts)", () => {
        check([
            [
                { secretsRecoveryWindowDays: 7 },
                "prod",
                [
                    "ciplatform:secretsRecoveryWindowDays: prod keeps deleted secrets recoverable for 30 days; set 30 or remove the key (got 7)",
                ],
            ],
            [{ secretsRecoveryWindowDays: 7 }, "dev", []],
        ]);
    });

    it("cluster (stacks/settings/cluster.ts)", () => {
        check([
            [
                { clusterEndpointPublicAccess: true },
                "dev",
                [
                    "ciplatform:clusterPublicAccessCidrs: a public API endpoint needs an explicit CIDR allow-list; list the CIDRs or set clusterEndpointPublicAccess false (got [])",
                ],
            ],
            [
                { clusterEndpointPublicAccess: true, clusterPublicAccessCidrs: ["0.0.0.0/0"] },
                "dev",
                [
                    'ciplatform:clusterPublicAccessCidrs: must not contain 0.0.0.0/0 (prefixes shorter than /8, such as 0.0.0.0/0, open the endpoint to the internet): list the networks that administer the cluster, such as 203.0.113.0/24 (got ["0.0.0.0/0"])',
                ],
            ],
            [
                { clusterPublicAccessCidrs: ["10.0.0.256/24"] },
                "dev",
                [
                    'ciplatform:clusterPublicAccessCidrs: must be an IPv4 CIDR whose four octets are each 0-255, such as 203.0.113.0/24 (at item 0) (got ["10.0.0.256/24"])',
                ],
            ],
            [
                { clusterPublicAccessCidrs: ["10.0.0.0/33"] },
                "dev",
                [
                    'ciplatform:clusterPublicAccessCidrs: must have a prefix length of 0-32, such as 203.0.113.0/24 (at item 0) (got ["10.0.0.0/33"])',
                ],
            ],
        ]);
    });

    it("foundation network (stacks/settings/foundation.ts)", () => {
        check([
            [
                { networkDevVpcCidr: "10.1.0.0/16" },
                "account",
                [
                    'ciplatform-foundation:networkStagingVpcCidr: overlaps dev\'s 10.1.0.0/16; give each environment its own range so the networks can be peered later (got "10.1.0.0/16")',
                ],
            ],
            [
                { networkProdVpcCidr: "10.0.128.0/17" },
                "account",
                [
                    'ciplatform-foundation:networkProdVpcCidr: overlaps dev\'s 10.0.0.0/16; give each environment its own range so the networks can be peered later (got "10.0.128.0/17")',
                ],
            ],
            [
                { networkDevVpcCidr: "10.0.0.0/21" },
                "account",
                [
                    'ciplatform-foundation:networkDevVpcCidr: must have a prefix length from /16 to /20 (room for three private and three public subnets) (got "10.0.0.0/21")',
                ],
            ],
            [
                { networkDevVpcCidr: "10.0.0.0/15" },
                "account",
                [
                    'ciplatform-foundation:networkDevVpcCidr: must have a prefix length from /16 to /20 (room for three private and three public subnets) (got "10.0.0.0/15")',
                ],
            ],
            [
                { networkAvailabilityZones: ["a", "a", "b"] },
                "account",
                ['ciplatform-foundation:networkAvailabilityZones: must not repeat a zone (got ["a","a","b"])'],
            ],
            [
                { networkAvailabilityZones: ["a", "g", "b"] },
                "account",
                [
                    'ciplatform-foundation:networkAvailabilityZones: must be a zone letter a, b, c, d, e, f (no AWS region has more zones) (at item 1) (got ["a","g","b"])',
                ],
            ],
            [
                { networkFlowLogRetentionDays: 2 },
                "account",
                [
                    "ciplatform-foundation:networkFlowLogRetentionDays: must be one of CloudWatch's retention periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (got 2)",
                ],
            ],
        ]);
    });

    it("deploy runners (stacks/settings/foundation.ts)", () => {
        check([
            [
                { runnersConnectionArn: "" },
                "account",
                [
                    'ciplatform-foundation:runnersConnectionArn: is required: create the connection (aws codeconnections create-connection), authorize it in the console, and set its ARN (docs/empty-account.md) (got "")',
                ],
            ],
            [
                { runnersBuildTimeoutMinutes: 59 },
                "account",
                ["ciplatform-foundation:runnersBuildTimeoutMinutes: Too small: expected number to be >=60 (got 59)"],
            ],
        ]);
    });

    it("ci (stacks/settings/ci.ts)", () => {
        check([
            [
                { ciProject: "" },
                "account",
                ['ciplatform-foundation:ciProject: is required: the repository whose pipelines assume the roles (got "")'],
            ],
            [
                { ciThirdPartyAccountId: "123456789012" },
                "account",
                [
                    'ciplatform-foundation:ciThirdPartyExternalId: is required with ciThirdPartyAccountId: third-party access always needs an External ID (got "")',
                ],
            ],
            [
                { ciProvider: "github" },
                "account",
                [
                    'ciplatform-foundation:ciUrl: GitHub Actions tokens come from https://token.actions.githubusercontent.com (got "https://gitlab.com")',
                ],
            ],
            [
                { ciEnvironments: ["dev", "dev"] },
                "account",
                ['ciplatform-foundation:ciEnvironments: must not repeat an environment (got ["dev","dev"])'],
            ],
        ]);
    });
    it("foundation network: a range is its aligned block (10.1.128.0/16 is 10.1.0.0/16), /20 is the longest prefix, three distinct zones", () => {
        check([
            [{ networkDevVpcCidr: "10.0.0.0/20" }, "account", []],
            [
                { networkProdVpcCidr: "10.1.128.0/16" },
                "account",
                [
                    'ciplatform-foundation:networkProdVpcCidr: overlaps staging\'s 10.1.0.0/16; give each environment its own range so the networks can be peered later (got "10.1.128.0/16")',
                ],
            ],
            [
                { networkStagingVpcCidr: "10.0.16.0/20" },
                "account",
                [
                    'ciplatform-foundation:networkStagingVpcCidr: overlaps dev\'s 10.0.0.0/16; give each environment its own range so the networks can be peered later (got "10.0.16.0/20")',
                ],
            ],
            [{ networkStagingVpcCidr: "10.3.0.0/20" }, "account", []],
            [
                { networkAvailabilityZones: ["a", "b"] },
                "account",
                ['ciplatform-foundation:networkAvailabilityZones: must name exactly three zones (got ["a","b"])'],
            ],
        ]);
    });

    it("jenkins (stacks/settings/jenkins.ts): the snapshot schedule is a cron expression", () => {
        check([
            [
                { jenkinsSnapshotSchedule: "every hour" },
                "dev",
                [
                    'ciplatform:jenkinsSnapshotSchedule: use a cron expression such as "0 */6 * * *" (minute hour * * weekday) (got "every hour")',
                ],
            ],
            [{ jenkinsSnapshotSchedule: "0 */6 * * *" }, "dev", []],
        ]);
    });

    it("the accepted side of each cross-key rule (one architecture, a subordinate CA with its parent, GitHub's issuer)", () => {
        check([
            [{ storageNodeInstanceTypes: ["m7i.xlarge", "m6i.large"] }, "dev", []],
            [
                {
                    pkiMode: "subordinate",
                    pkiParentCaArn: "arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/12345678-1234-1234-1234-123456789012",
                },
                "dev",
                [],
            ],
            [{ ciProvider: "github", ciUrl: "https://token.actions.githubusercontent.com" }, "account", []],
        ]);
    });

    it("ci: the External ID is a secret never echoed; the project is a path", () => {
        check([
            [
                { ciThirdPartyAccountId: "123456789012", ciThirdPartyExternalId: "abc" },
                "account",
                [
                    "ciplatform-foundation:ciThirdPartyExternalId: is a secret: the stack file must hold it as a secure: value; set it with `pulumi config set --secret ciThirdPartyExternalId <value>` (got a plaintext value, not shown)",
                ],
            ],
            [
                { ciProject: "a" },
                "account",
                [
                    'ciplatform-foundation:ciProject: must be a project path such as platform/ciplatform (GitLab) or org/repo (GitHub) (got "a")',
                ],
            ],
        ]);
    });
    it("the last value each rule accepts: octet 255 and /32, dev's short snapshot retention, distinct repositories; only wide CIDRs named", () => {
        check([
            [{ clusterPublicAccessCidrs: ["203.0.113.255/32"] }, "dev", []],
            [
                { clusterEndpointPublicAccess: true, clusterPublicAccessCidrs: ["10.0.0.0/8", "0.0.0.0/0", "0.0.0.0/1"] },
                "dev",
                [
                    'ciplatform:clusterPublicAccessCidrs: must not contain 0.0.0.0/0, 0.0.0.0/1 (prefixes shorter than /8, such as 0.0.0.0/0, open the endpoint to the internet): list the networks that administer the cluster, such as 203.0.113.0/24 (got ["10.0.0.0/8","0.0.0.0/0","0.0.0.0/1"])',
                ],
            ],
            [{ storageSnapshotRetentionDays: 6 }, "dev", []],
            [
                { karpenterCiArchitectures: ["arm64", "arm64"] },
                "dev",
                ['ciplatform:karpenterCiArchitectures: must not repeat an architecture (got ["arm64","arm64"])'],
            ],
            [
                { supplyChainRepositories: ["apps", "apps"] },
                "dev",
                ['ciplatform:supplyChainRepositories: must not repeat a repository (got ["apps","apps"])'],
            ],
            [{ supplyChainRepositories: ["apps", "tools"] }, "dev", []],
        ]);
    });

    it("chart versions compare numerically, part by part, a missing part as 0 (stacks/settings/runners.ts compareVersions)", () => {
        assert.ok(compareVersions("1.2.10", "1.2.9") > 0);
        assert.ok(compareVersions("0.87.9", "0.88.0") < 0);
        assert.equal(compareVersions("1.2", "1.2.0"), 0);
        assert.ok(compareVersions("1.2", "1.2.1") < 0);
        assert.ok(compareVersions("1.2.1", "1.2") > 0);
    });

    it("each setting's help, type and allowed values come from its schema; a setting Pulumi.yaml cannot declare is refused (stacks/settings/define.ts)", () => {
        assert.deepEqual(describeSetting("pki", "mode", z.enum(["root", "subordinate"]).default("root").describe("CA mode.")), {
            key: "pkiMode",
            type: "string",
            itemType: undefined,
            description: "CA mode.",
            required: false,
            default: "root",
            allowed: ["root", "subordinate"],
        });
        assert.deepEqual(describeSetting("", "zones", z.array(z.enum(["a", "b"])).describe("Zones.")), {
            key: "zones",
            type: "array",
            itemType: "string",
            description: "Zones.",
            required: true,
            default: undefined,
            allowed: ["a", "b"],
        });
        assert.equal(describeSetting("x", "n", z.number().int().describe("N.")).type, "integer");
        assert.throws(
            () => describeSetting("x", "name", z.string()),
            /^Error: setting xName has no description: every key needs help text for `pulumi config`$/,
        );
        assert.throws(
            () => describeSetting("x", "map", z.object({ a: z.string() }).describe("A map.")),
            /^Error: setting xMap: its schema maps to JSON type object, which Pulumi.yaml cannot declare$/,
        );
        assert.throws(
            () => describeSetting("x", "list", z.array(z.object({ a: z.string() })).describe("A list.")),
            /^Error: setting xList\[\]: its schema maps to JSON type object, which Pulumi.yaml cannot declare$/,
        );
        assert.throws(() => describeSetting("x", "mixed", z.enum(["a"]).or(z.literal(1)).describe("Mixed.")), /cannot declare/);
    });
});
