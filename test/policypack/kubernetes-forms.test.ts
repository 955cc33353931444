/**
 * The Kubernetes rules (policypack/kubernetes.ts) called directly, with each form their inputs take:
 * a chart from an OCI reference or a repository (repositoryOpts.repo or repo, with or without a
 * trailing slash), exact and loose versions, Karpenter node classes with each IMDS and volume
 * setting, AMI aliases in and out of prod, NodePool limits, and API versions from the object or the type token.
 */
import { strict as assert } from "node:assert";
import { DEFAULT_CONFIG } from "../../policypack/config";
import { deprecatedApiRule, helmRule, latestAmiRule, nodeClassRule, nodePoolLimitsRule } from "../../policypack/kubernetes";
import { applies, ResourceRule } from "../../policypack/lib/rule";

type Json = Record<string, unknown>;
const check = (rule: ResourceRule, type: string, props: Json, stack = "dev", stackTags = new Map<string, string>()) =>
    rule.check({ type, name: "x", urn: `urn:pulumi:${stack}::p::${type}::x`, props, stackTags }, DEFAULT_CONFIG);
const RELEASE = "kubernetes:helm.sh/v3:Release";
const NODECLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";

describe("Kubernetes rules by form (policypack/kubernetes.ts)", () => {
    const allowed = DEFAULT_CONFIG.allowedHelmRepositories.join(", ");
    const from = (chart: string, repo: string) =>
        `Helm release "x" (${chart}) comes from ${repo}: use one of ${allowed} or add it to allowedHelmRepositories.`;
    it("kubernetes-helm-require-pinned-chart: an allowed repository by OCI chart, repositoryOpts.repo or repo (trailing slashes ignored)", () => {
        assert.deepEqual(check(helmRule, RELEASE, { chart: "oci://public.ecr.aws/karpenter/karpenter", version: "1.8.1" }), []);
        assert.deepEqual(
            check(helmRule, RELEASE, {
                chart: "cert-manager",
                version: "v1.19.1",
                repositoryOpts: { repo: "https://charts.jetstack.io//" },
            }),
            [],
        );
        assert.deepEqual(
            check(helmRule, "kubernetes:helm.sh/v4:Chart", {
                chart: "gitlab-runner",
                version: "0.80.0-rc.1",
                repo: "https://charts.gitlab.io",
            }),
            [],
        );
        assert.deepEqual(
            check(helmRule, RELEASE, {
                chart: "oci://ghcr.io/evil/karpenter",
                version: "1.0.0",
                repositoryOpts: { repo: "oci://public.ecr.aws/karpenter" },
            }),
            [from("oci://ghcr.io/evil/karpenter", "oci://ghcr.io/evil")],
        );
        assert.deepEqual(
            check(helmRule, RELEASE, { chart: "x", version: "1.0.0", repositoryOpts: { repo: "https://charts.jetstack.io/extra" } }),
            [from("x", "https://charts.jetstack.io/extra")],
        );
        assert.deepEqual(check(helmRule, RELEASE, { version: "1.0.0" }), [from("", "an unnamed repository")]);
        assert.deepEqual(check(helmRule, RELEASE, { chart: "local/oci://x", version: "1.0.0", repo: "https://charts.jetstack.io" }), []);
    });
    it("kubernetes-helm-require-pinned-chart: an exact version only", () => {
        const repo = { repo: "https://charts.jetstack.io" };
        const unpinned = (got: string) => `Helm release "x" (c) is not pinned: set version to an exact chart version (got ${got}).`;
        for (const version of ["1.2.3", "v1.2.3", "1.2.3-beta.1"]) {
            assert.deepEqual(check(helmRule, RELEASE, { chart: "c", version, ...repo }), [], version);
        }
        for (const [version, got] of [
            [undefined, "null"],
            ["^1.2.3", '"^1.2.3"'],
            ["1.2", '"1.2"'],
            ["1.2.3 ", '"1.2.3 "'],
            ["1.2.x", '"1.2.x"'],
        ] as const) {
            assert.deepEqual(check(helmRule, RELEASE, { chart: "c", version, ...repo }), [unpinned(got)], String(version));
        }
    });

    it("karpenter-nodeclass-require-imdsv2-encryption: IMDSv2, hop limit 1, and every declared volume encrypted", () => {
        const good = {
            metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
            blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: true } }],
        };
        assert.deepEqual(check(nodeClassRule, NODECLASS, { spec: good }), []);
        assert.deepEqual(check(nodeClassRule, NODECLASS, {}), [
            'EC2NodeClass "x" allows IMDSv1: set metadataOptions.httpTokens "required".',
            'EC2NodeClass "x" lets pods reach IMDS (hop limit default 1 not set): set metadataOptions.httpPutResponseHopLimit 1.',
            `EC2NodeClass "x" uses the AMI's default volumes: declare blockDeviceMappings with encrypted volumes.`,
        ]);
        const loose = {
            metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 2 },
            blockDeviceMappings: [
                { deviceName: "/dev/xvda", ebs: { encrypted: "true" } },
                {},
                { deviceName: "/dev/xvdb", ebs: { encrypted: true } },
            ],
        };
        assert.deepEqual(check(nodeClassRule, NODECLASS, { spec: loose }), [
            'EC2NodeClass "x" allows IMDSv1: set metadataOptions.httpTokens "required".',
            'EC2NodeClass "x" lets pods reach IMDS (hop limit 2): set metadataOptions.httpPutResponseHopLimit 1.',
            'EC2NodeClass "x" device /dev/xvda is not encrypted: set ebs.encrypted true and kmsKeyID.',
            'EC2NodeClass "x" device ? is not encrypted: set ebs.encrypted true and kmsKeyID.',
        ]);
        assert.deepEqual(check(nodeClassRule, NODECLASS, { spec: { ...good, blockDeviceMappings: "all" } }), [
            `EC2NodeClass "x" uses the AMI's default volumes: declare blockDeviceMappings with encrypted volumes.`,
        ]);
        assert.ok(applies(nodeClassRule, NODECLASS) && !applies(nodeClassRule, "kubernetes:karpenter.sh/v1:NodePool"));
    });

    it("karpenter-nodeclass-deny-latest-ami-in-prod: an @latest alias among the terms, in a prod stack by tag or stack name", () => {
        const spec = { amiSelectorTerms: [{ id: "ami-1" }, { alias: "al2023@latest" }] };
        const message = 'EC2NodeClass "x" uses al2023@latest in prod: pin a release such as al2023@v20261020.';
        assert.deepEqual(check(latestAmiRule, NODECLASS, { spec }, "prod"), [message]);
        assert.deepEqual(check(latestAmiRule, NODECLASS, { spec }, "dev", new Map([["environment", "prod"]])), [message]);
        assert.deepEqual(check(latestAmiRule, NODECLASS, { spec }, "prod", new Map([["environment", "staging"]])), []);
        assert.deepEqual(check(latestAmiRule, NODECLASS, { spec }, "dev"), []);
        assert.deepEqual(
            check(latestAmiRule, NODECLASS, { spec: { amiSelectorTerms: [{ alias: "al2023@v20261020" }, { alias: "latest" }] } }, "prod"),
            [],
        );
        assert.deepEqual(check(latestAmiRule, NODECLASS, { spec: { amiSelectorTerms: { alias: "al2023@latest" } } }, "prod"), []);
        assert.deepEqual(check(latestAmiRule, NODECLASS, {}, "prod"), []);
    });

    it("karpenter-nodepool-require-limits: a non-empty limits object", () => {
        const pool = "kubernetes:karpenter.sh/v1:NodePool";
        const none = ['NodePool "x" has no limits: set spec.limits (cpu, memory) so a runaway workload cannot launch without bound.'];
        assert.deepEqual(check(nodePoolLimitsRule, pool, { spec: { limits: { cpu: "100" } } }), []);
        for (const props of [{}, { spec: {} }, { spec: { limits: {} } }, { spec: { limits: "100" } }, { spec: { limits: null } }]) {
            assert.deepEqual(check(nodePoolLimitsRule, pool, props), none, JSON.stringify(props));
        }
    });

    it("kubernetes-api-deny-deprecated-versions: apiVersion from the object, else from the type token; Helm types are not read", () => {
        assert.deepEqual(check(deprecatedApiRule, "kubernetes:external-secrets.io/v1beta1:ExternalSecret", {}), [
            'ExternalSecret "x" uses the deprecated API external-secrets.io/v1beta1: use external-secrets.io/v1.',
        ]);
        assert.deepEqual(
            check(deprecatedApiRule, "kubernetes:apiextensions.k8s.io/v1:CustomResource", {
                apiVersion: "karpenter.sh/v1alpha5",
                kind: "Provisioner",
            }),
            ['CustomResource "x" uses the deprecated API karpenter.sh/v1alpha5: use karpenter.sh/v1 (NodePool).'],
        );
        assert.deepEqual(
            check(deprecatedApiRule, "kubernetes:external-secrets.io/v1beta1:ExternalSecret", { apiVersion: "external-secrets.io/v1" }),
            [],
        );
        assert.deepEqual(check(deprecatedApiRule, "kubernetes:core/v1:ConfigMap", {}), []);
        assert.deepEqual(
            ["kubernetes:core/v1:ConfigMap", "kubernetes:helm.sh/v3:Release", "aws:s3/bucket:Bucket", "xkubernetes:helm.sh/v3:Release"].map(
                (t) => applies(deprecatedApiRule, t),
            ),
            [true, false, false, false],
        );
    });
});
