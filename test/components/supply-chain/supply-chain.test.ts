import { strict as assert } from "node:assert";
import { X509Certificate } from "node:crypto";
import Ajv from "ajv";
import { AWS_SIGNER_ROOT_G1 } from "../../../components/supply-chain/signer-root";
import {
    buildKyvernoValues,
    ciPodSecurityPolicy,
    KubernetesObject,
    pinnedImagesPolicy,
    PUBLIC_ADDON_IMAGES,
    signedImagePrefixes,
    signedImagesPolicy,
    trustPolicy,
    trustStore,
} from "../../../components/supply-chain/kyverno";
import { lifecyclePolicy } from "../../../components/supply-chain/policies";
import { releaseDigest, validateSupplyChainArgs, VERIFIER_RELEASE_DIGEST_ANNOTATION } from "../../../components/supply-chain/supply-chain";
import { PolicyDocument } from "../../../components/shared/iam-documents";
import { simulateWebIdentity } from "../../helpers/iam";
import { configIssues, ofType, plan, PlanFile, single } from "../../helpers/mocks";
import { CLUSTER_POLICY_SCHEMA, jmespathFunctionsOf, KYVERNO_JMESPATH_FUNCTIONS, TRUST_POLICY_SCHEMA } from "./kyverno-schema";
import { decide, decideBoth, RegistryImage } from "./admission-model";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const PROFILE = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/cip_dev_A1B2C3D4E5`;
const OTHER_PROFILE = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/cip_prod_Z9Y8X7W6V5`;

describe("supply chain", () => {
    describe("AWS Signer root (trust anchor)", () => {
        it("is AWS Signer Code Signing Root CA G1: a self-signed CA valid until 2122", () => {
            const cert = new X509Certificate(AWS_SIGNER_ROOT_G1);
            assert.match(cert.subject, /CN=AWS Signer Code Signing Root CA G1/);
            assert.match(cert.subject, /O=AWS/);
            assert.equal(cert.ca, true);
            assert.equal(cert.issuer, cert.subject);
            assert.ok(cert.verify(cert.publicKey), "self-signature verifies");
            assert.ok(new Date(cert.validTo) > new Date("2122-01-01"));
            assert.equal(
                cert.fingerprint256,
                "90:A8:7D:05:43:C3:F0:94:DB:FF:95:89:B6:64:9A:FF:E2:F3:D6:E0:F3:08:79:9B:E2:25:84:61:C6:86:47:3F",
            );
        });
    });

    describe("signed-image admission (Kyverno policy + kyverno-notation-aws trust policy, evaluated by a model of both)", () => {
        const ajv = new Ajv({ allErrors: true, strict: false });
        const platformImages = [`${REGISTRY}/cip-dev/*`];
        const policy = signedImagesPolicy({
            name: "cip-dev-signed-images",
            platformPrefixes: signedImagePrefixes(REGISTRY),
            trustPolicyName: "cip-dev-images",
            excludedNamespaces: ["kyverno", "kyverno-notation-aws"],
        });
        const pinned = pinnedImagesPolicy({
            name: "cip-dev-pinned-images",
            platformImages,
            accountId: ACCOUNT,
            registry: REGISTRY,
            exemptions: PUBLIC_ADDON_IMAGES,
            auditNamespaces: ["ci"],
            excludedNamespaces: ["kyverno", "kyverno-notation-aws"],
        });
        const trust = trustPolicy("cip-dev-images", [`${REGISTRY}/cip-dev/apps`], PROFILE);
        const store = trustStore(AWS_SIGNER_ROOT_G1);
        const image = `${REGISTRY}/cip-dev/apps:1.0.0`;
        const digest = "sha256:" + "a".repeat(64);
        const signedBy = (profileArn: string, revoked = false): Record<string, RegistryImage> => ({
            [image]: { digest, signatures: [{ profileArn, root: AWS_SIGNER_ROOT_G1, revoked }] },
        });
        const pod = (img: string, namespace = "team-a", list: "containers" | "initContainers" = "containers") => ({
            namespace,
            spec: { [list]: [{ name: "app", image: img }] },
        });

        it("is a valid ClusterPolicy (closed schema from Kyverno 3.9.0's CRD) and a valid Notation trust policy", () => {
            for (const object of [
                policy,
                pinned,
                ciPodSecurityPolicy({ name: "c", enforceNamespaces: ["runner"], auditNamespaces: ["jenkins"] }),
            ]) {
                const valid = ajv.validate(CLUSTER_POLICY_SCHEMA, object);
                assert.ok(valid, `${object.metadata.name}: ${ajv.errorsText(ajv.errors)}`);
            }
            assert.ok(ajv.validate(TRUST_POLICY_SCHEMA, trust), ajv.errorsText(ajv.errors));
            // The schema is closed: a misspelt field fails.
            const misspelt = JSON.parse(JSON.stringify(policy)) as { spec: { rules: Array<Record<string, unknown>> } };
            misspelt.spec.rules[0].preconditon = misspelt.spec.rules[0].preconditions;
            assert.equal(ajv.validate(CLUSTER_POLICY_SCHEMA, misspelt), false);
        });

        it("calls only JMESPath functions Kyverno 1.19 evaluates (built-ins and kyverno v1.19.0 pkg/engine/jmespath)", () => {
            const ci = ciPodSecurityPolicy({ name: "c", enforceNamespaces: ["runner"], auditNamespaces: ["jenkins"] });
            const used = [policy, pinned, ci].flatMap((p) => jmespathFunctionsOf(p));
            assert.deepEqual([...new Set(used)].sort(), ["base64_decode", "length", "starts_with"]);
            for (const name of used) assert.ok(KYVERNO_JMESPATH_FUNCTIONS.has(name), name);
            // The scan sees calls inside expressions and lists, not names inside quoted literals.
            assert.deepEqual(jmespathFunctionsOf({ list: "a[?lower(x)]", key: "{{ to_lower('f(x)') }}" }), ["lower", "to_lower"]);
            assert.equal(KYVERNO_JMESPATH_FUNCTIONS.has("lower"), false);
        });

        it("fails closed: Fail policy, matched on pod create and update, Kyverno's and the verifier's namespaces excluded", () => {
            assert.equal(policy.spec.failurePolicy, "Fail");
            assert.equal(policy.spec.background, false);
            const rules = policy.spec.rules as Array<{ match: unknown; exclude: unknown }>;
            assert.equal(rules.length, 3);
            for (const rule of rules) {
                assert.deepEqual(rule.match, { any: [{ resources: { kinds: ["Pod"], operations: ["CREATE", "UPDATE"] } }] });
                assert.deepEqual(rule.exclude, { any: [{ resources: { namespaces: ["kyverno", "kyverno-notation-aws"] } }] });
            }
        });

        it("admits an image signed with the environment's profile, pinned to the verified digest", () => {
            const decision = decide(pod(image), policy, [trust], [store], signedBy(PROFILE));
            assert.deepEqual(decision, { admitted: true, images: [`${REGISTRY}/cip-dev/apps@${digest}`] });
        });

        it("rejects an unsigned image", () => {
            const decision = decide(pod(image), policy, [trust], [store], { [image]: { digest, signatures: [] } });
            assert.equal(decision.admitted, false);
            assert.match((decision as { reason: string }).reason, /no signature/);
        });

        it("rejects an image signed by another profile (another environment's)", () => {
            const decision = decide(pod(image), policy, [trust], [store], signedBy(OTHER_PROFILE));
            assert.equal(decision.admitted, false);
            assert.match((decision as { reason: string }).reason, /signature verification failed/);
        });

        it("rejects a revoked signature, and one under another root", () => {
            assert.equal(decide(pod(image), policy, [trust], [store], signedBy(PROFILE, true)).admitted, false);
            const other = { [image]: { digest, signatures: [{ profileArn: PROFILE, root: "-----BEGIN CERTIFICATE-----\nother" }] } };
            assert.equal(decide(pod(image), policy, [trust], [store], other).admitted, false);
        });

        it("checks init containers too, and leaves public images to the pinned-or-exempt policy", () => {
            assert.equal(decide(pod(image, "team-a", "initContainers"), policy, [trust], [store], {}).admitted, false);
            assert.deepEqual(decide(pod("quay.io/jetstack/cert-manager-controller:v1.21.1"), policy, [trust], [store], {}), {
                admitted: true,
                images: ["quay.io/jetstack/cert-manager-controller:v1.21.1"],
            });
        });

        it("never sends a public image of the same pod to the verifier (Kyverno loads a foreach's context before its preconditions)", () => {
            const mixed = {
                namespace: "team-a",
                spec: {
                    containers: [
                        { name: "proxy", image: "docker.io/library/nginx@sha256:" + "c".repeat(64) },
                        { name: "app", image },
                    ],
                },
            };
            assert.deepEqual(decide(mixed, policy, [trust], [store], signedBy(PROFILE)), {
                admitted: true,
                images: ["docker.io/library/nginx@sha256:" + "c".repeat(64), `${REGISTRY}/cip-dev/apps@${digest}`],
            });
        });

        it("rejects another environment's image of the same account's registry, even pinned by digest and signed by its profile", () => {
            // Same account, same registry host: the nodes may pull cip-prod/* too, and the pinned-or-exempt policy admits any digest.
            const foreign = `${REGISTRY}/cip-prod/apps@${digest}`;
            const registry = { [foreign]: { digest, signatures: [{ profileArn: OTHER_PROFILE, root: AWS_SIGNER_ROOT_G1 }] } };
            const decision = decide(pod(foreign), policy, [trust], [store], registry);
            assert.equal(decision.admitted, false);
            assert.match((decision as { reason: string }).reason, /no applicable trust policy/);
            const unsigned = { [foreign]: { digest, signatures: [] } };
            assert.equal(decide(pod(foreign), policy, [trust], [store], unsigned).admitted, false);
        });

        // Spellings of the account's registry the nodes can pull with the same credentials (Amazon ECR user guide, "Making
        // requests to Amazon ECR registries": <registry-id>.dkr-ecr.<region>.on.aws for dual-stack; FIPS endpoints; any region
        // of the account), and any other host under the account's id. None is the prefix the signed-images policy verifies.
        const SPELLINGS: Array<[string, string]> = [
            ["dual-stack", `${ACCOUNT}.dkr-ecr.${REGION}.on.aws`],
            ["another host under the account id", `${ACCOUNT}.dkr-ecr-fips.us-east-1.on.aws`],
            ["upper-case host", REGISTRY.toUpperCase()],
            ["mixed-case host", `${ACCOUNT}.DKR.ecr.${REGION}.amazonaws.com`],
            ["explicit port 443", `${REGISTRY}:443`],
            ["FIPS", `${ACCOUNT}.dkr.ecr-fips.us-east-1.amazonaws.com`],
            ["another region", `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`],
            ["China partition", `${ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn`],
            ["trailing dot", `${REGISTRY}.`],
        ];

        for (const [spelling, host] of SPELLINGS) {
            it(`rejects an image of the account's registry spelt ${spelling} (${host}), even pinned by digest, in CI namespaces too`, () => {
                const foreign = `${host}/cip-prod/apps@${digest}`;
                const registry = { [foreign]: { digest, signatures: [] } };
                // Without the canonical-host rule the verifier never sees it and the digest satisfies pinned-or-exempt.
                assert.equal(decide(pod(foreign), policy, [trust], [store], registry).admitted, true, "the verify rule does not match it");
                for (const namespace of ["team-a", "ci"]) {
                    const decision = decideBoth(pod(foreign, namespace), policy, [pinned], [trust], [store], registry);
                    assert.equal(decision.admitted, false, `${namespace}: ${JSON.stringify(decision)}`);
                    assert.match((decision as { reason: string }).reason, /canonical-registry-host/);
                }
                assert.equal(
                    decideBoth(pod(foreign, "team-a", "initContainers"), policy, [pinned], [trust], [store], registry).admitted,
                    false,
                );
            });
        }

        it("the canonical-host rule leaves the canonical spelling to verification, and other registries' digests alone", () => {
            assert.deepEqual(decideBoth(pod(image), policy, [pinned], [trust], [store], signedBy(PROFILE)), {
                admitted: true,
                images: [`${REGISTRY}/cip-dev/apps@${digest}`],
            });
            assert.equal(decideBoth(pod(image), policy, [pinned], [trust], [store], signedBy(OTHER_PROFILE)).admitted, false);
            for (const other of [
                "docker.io/library/nginx@sha256:" + "c".repeat(64),
                // Another account's registry (EKS add-on images) and a path that merely contains the account id.
                `602401143452.dkr.ecr.${REGION}.amazonaws.com/eks/coredns@${digest}`,
                `docker.io/${ACCOUNT}/tool@${digest}`,
            ]) {
                assert.deepEqual(
                    decideBoth(pod(other), policy, [pinned], [trust], [store], {}),
                    { admitted: true, images: [other] },
                    other,
                );
            }
            // It is its own rule, enforced with no audit override, with the schema-checked shape.
            const rule = (pinned.spec.rules as Array<{ name: string; validate: Record<string, unknown> }>).find(
                (r) => r.name === "canonical-registry-host",
            );
            assert.ok(rule);
            assert.equal(rule.validate.failureAction, "Enforce");
            assert.equal(rule.validate.failureActionOverrides, undefined);
        });

        it("rejects a platform image whose repository the trust policy does not scope", () => {
            const stray = `${REGISTRY}/cip-dev/other:1`;
            const registry = { [stray]: { digest, signatures: [{ profileArn: PROFILE, root: AWS_SIGNER_ROOT_G1 }] } };
            assert.equal(decide(pod(stray), policy, [trust], [store], registry).admitted, false);
        });
    });

    describe("pinned-or-exempt public images", () => {
        const policy = pinnedImagesPolicy({
            name: "cip-dev-pinned-images",
            platformImages: [`${REGISTRY}/cip-dev/*`],
            accountId: ACCOUNT,
            registry: REGISTRY,
            exemptions: [...PUBLIC_ADDON_IMAGES, { pattern: "docker.io/library/busybox:*", reason: "stack exemption" }],
            auditNamespaces: ["cip-dev-runner-arm64", "jenkins"],
            excludedNamespaces: ["kyverno"],
        });
        const validate = (policy.spec.rules as Array<{ validate: Record<string, unknown> }>)[0].validate as {
            failureAction: string;
            failureActionOverrides: Array<{ action: string; namespaces: string[] }>;
            foreach: Array<{ list: string; deny: { conditions: { all: Array<{ operator: string; value: string[] }> } } }>;
        };
        const denied = (image: string): boolean => {
            const condition = validate.foreach[0].deny.conditions.all[0];
            assert.equal(condition.operator, "AnyNotIn");
            return !condition.value.some((p) => new RegExp(`^${p.replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`).test(image));
        };

        it("enforces everywhere but audits where pipelines choose job images", () => {
            assert.equal(validate.failureAction, "Enforce");
            assert.deepEqual(validate.failureActionOverrides, [{ action: "Audit", namespaces: ["cip-dev-runner-arm64", "jenkins"] }]);
            assert.deepEqual(
                validate.foreach.map((f) => f.list),
                ["request.object.spec.containers", "request.object.spec.initContainers", "request.object.spec.ephemeralContainers"],
            );
        });

        it("admits digests, the platform's registry and exempted add-ons; denies an unpinned, unexempted image", () => {
            assert.equal(denied("docker.io/library/nginx@sha256:" + "b".repeat(64)), false);
            assert.equal(denied(`${REGISTRY}/cip-dev/apps:1`), false);
            assert.equal(denied("quay.io/jetstack/cert-manager-webhook:v1.21.1"), false);
            assert.equal(denied("docker.io/library/busybox:1.36"), false);
            assert.equal(denied("docker.io/library/nginx:latest"), true);
            assert.equal(denied(`${REGISTRY}/cip-prod/apps:1`), true);
        });

        it("gives every reviewed exemption a reason", () => {
            for (const e of PUBLIC_ADDON_IMAGES) assert.ok(e.reason.length > 10, e.pattern);
            assert.match(String(policy.metadata.annotations?.["policies.kyverno.io/description"]), /busybox:\* \(stack exemption\)/);
        });
    });

    describe("Pod Security of CI pods", () => {
        it("enforces restricted on runner jobs; enforces baseline and audits restricted on Jenkins agents", () => {
            const p = ciPodSecurityPolicy({ name: "c", enforceNamespaces: ["r1", "r2"], auditNamespaces: ["jenkins"] });
            assert.deepEqual(
                (p.spec.rules as Array<{ name: string; match: unknown; validate: unknown }>).map((r) => [r.name, r.match, r.validate]),
                [
                    [
                        "restricted-enforced",
                        { any: [{ resources: { kinds: ["Pod"], namespaces: ["r1", "r2"] } }] },
                        { failureAction: "Enforce", podSecurity: { level: "restricted", version: "latest" } },
                    ],
                    [
                        "baseline-enforced",
                        { any: [{ resources: { kinds: ["Pod"], namespaces: ["jenkins"] } }] },
                        { failureAction: "Enforce", podSecurity: { level: "baseline", version: "latest" } },
                    ],
                    [
                        "restricted-audited",
                        { any: [{ resources: { kinds: ["Pod"], namespaces: ["jenkins"] } }] },
                        { failureAction: "Audit", podSecurity: { level: "restricted", version: "latest" } },
                    ],
                ],
            );
        });
    });

    it("refuses bad supply-chain config with the key, value and what is allowed", async () => {
        assert.deepEqual(await configIssues({ "ciplatform:supplyChainRepositories": ["Apps"] }), [
            "ciplatform:supplyChainRepositories: must be an ECR repository name: lower-case letters, digits, and . _ - / between them, e.g. apps/web (at item 0)",
        ]);
        assert.deepEqual(await configIssues({ "ciplatform:runnersJobRoleArn": "arn:aws:iam::123456789012:role/other" }), [
            "ciplatform:runnersJobRoleArn: the runner jobs' role is the supply chain's CI job role (push and sign only) while supplyChainEnabled is true: remove runnersJobRoleArn, or set supplyChainEnabled false",
        ]);
        assert.deepEqual(await configIssues({ "ciplatform:supplyChainEnabled": false }), [
            "ciplatform:findingsEnabled: findings travel as policy reports, whose CRDs Kyverno installs (supply chain): set supplyChainEnabled true, or findingsEnabled false",
        ]);
    });

    it("validates its arguments with messages that name the argument", () => {
        assert.deepEqual(validateSupplyChainArgs({ prefix: "cip-dev", repositories: ["apps", "Bad Name"], signatureValidityMonths: 200 }), [
            'repositories: got "Bad Name"; an ECR repository name is lower-case path segments such as apps/web',
            "signatureValidityMonths: got 200; AWS Signer allows 1 to 135 months",
        ]);
    });

    it("Kyverno runs 3 admission replicas in HA, one otherwise, on the system nodes with restricted pods", () => {
        const ha = buildKyvernoValues(true) as Record<string, Record<string, unknown>>;
        const single1 = buildKyvernoValues(false) as Record<string, Record<string, unknown>>;
        assert.equal(ha.admissionController.replicas, 3);
        assert.equal(ha.backgroundController.replicas, 2);
        assert.equal(single1.admissionController.replicas, 1);
        assert.deepEqual(ha.admissionController.nodeSelector, { "ciplatform.io/pool": "system" });
        assert.deepEqual(ha.reportsController.podSecurityContext, { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    });

    it("Kyverno's calls to the verifier carry a token its TokenReview accepts (API server audience, not kyverno-svc.kyverno.io)", () => {
        // kyverno-notation-aws v1.1 reviews the caller's token with no audience (the API server's); Kyverno 1.19 sends
        // `apiCallToken.audience` (chart default kyverno-svc.kyverno.io), which that review rejects: every signed image refused.
        for (const ha of [true, false]) {
            const values = buildKyvernoValues(ha) as { apiCallToken?: { audience?: string } };
            assert.equal(values.apiCallToken?.audience, "", "apiCallToken.audience must be empty");
        }
    });

    it("the verifier patch's release digest changes with the release's chart version and values, not with key order", () => {
        const values = { region: "eu-west-1", serviceAccount: { enabled: true, name: "kyverno-notation-aws" } };
        const base = releaseDigest("kyverno-notation-aws", "1.1.0", values);
        assert.match(base, /^[0-9a-f]{64}$/);
        assert.equal(releaseDigest("kyverno-notation-aws", "1.1.0", { serviceAccount: values.serviceAccount, region: "eu-west-1" }), base);
        assert.notEqual(releaseDigest("kyverno-notation-aws", "1.1.1", values), base);
        assert.notEqual(releaseDigest("kyverno-notation-aws", "1.1.0", { ...values, region: "eu-central-1" }), base);
    });

    describe("planned (dev, prod)", () => {
        const plans: Record<string, PlanFile> = {};
        before(async () => {
            plans.dev = await plan({ stack: "dev" });
            plans.prod = await plan({ stack: "prod" });
        });

        it("a Notation signing profile, immutable KMS-encrypted repositories scanned on push with lifecycle rules", () => {
            const profile = single(plans.dev, "aws:signer/signingProfile:SigningProfile");
            assert.equal(profile.inputs.platformId, "Notation-OCI-SHA384-ECDSA");
            assert.equal(profile.inputs.namePrefix, "cip_dev_");
            const repo = single(plans.dev, "aws:ecr/repository:Repository");
            assert.equal(repo.inputs.name, "cip-dev/apps");
            assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
            assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
            assert.match(String((repo.inputs.encryptionConfigurations as Array<Record<string, string>>)[0].kmsKey), /^arn:aws:kms:/);
            // The tested policy (lifecycle.test.ts) with the configured count (supplyChainKeepImages, default 100).
            assert.deepEqual(
                JSON.parse(String(single(plans.dev, "aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs.policy)),
                lifecyclePolicy(100),
            );
        });

        it("the CI job role trusts only the runner jobs' service accounts (IRSA)", async () => {
            const role = ofType(plans.dev, "aws:iam/role:Role").find((r) => r.name === "cip-dev-supply-ci-job");
            assert.ok(role);
            const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as PolicyDocument;
            const federated = String((trust.Statement[0].Principal as { Federated: string }).Federated);
            const issuer = federated.split("oidc-provider/")[1];
            const as = (sub: string) =>
                simulateWebIdentity(trust, issuer, { sub, aud: "sts.amazonaws.com" }, federated).then((d) => d === "Allowed");
            assert.equal(await as("system:serviceaccount:cip-dev-runner-arm64:gitlab-runner-jobs"), true);
            assert.equal(await as("system:serviceaccount:cip-dev-runner-amd64:gitlab-runner-jobs"), true);
            assert.equal(await as("system:serviceaccount:cip-dev-runner-arm64:gitlab-runner"), false);
            assert.equal(await as("system:serviceaccount:team-a:default"), false);
            const jobs = ofType(plans.dev, "kubernetes:core/v1:ServiceAccount").filter((s) => s.name.endsWith("-jobs"));
            assert.ok(jobs.length === 2);
            for (const sa of jobs) {
                assert.match(
                    String((sa.inputs.metadata as { annotations: Record<string, string> }).annotations["eks.amazonaws.com/role-arn"]),
                    /cip-dev-supply-ci-job/,
                );
            }
        });

        // Helm's three-way-merge upgrade resets the Deployment to the chart's replicas and AWS_REGION (helm/helm pkg/kube/client.go,
        // kyverno-notation-aws 1.1.0 templates/deployment.yaml): the patch must change, and so be re-applied, whenever the release does.
        it("the verifier's Deployment patch is re-applied (forced) whenever the verifier release is upgraded", async () => {
            const patchOf = (p: PlanFile) => {
                const patch = single(p, "kubernetes:apps/v1:DeploymentPatch");
                return (patch.inputs.metadata as { annotations: Record<string, string> }).annotations;
            };
            const releaseOf = (p: PlanFile) => {
                const r = ofType(p, "kubernetes:helm.sh/v3:Release").find((x) => x.inputs.chart === "kyverno-notation-aws");
                assert.ok(r);
                return r;
            };
            const upgraded = await plan({ stack: "dev", configChanges: { "ciplatform:supplyChainNotationAwsChartVersion": "1.1.1" } });
            for (const p of [plans.dev, upgraded]) {
                const release = releaseOf(p);
                const annotations = patchOf(p);
                assert.equal(annotations["pulumi.com/patchForce"], "true");
                assert.equal(
                    annotations[VERIFIER_RELEASE_DIGEST_ANNOTATION],
                    releaseDigest(
                        String(release.inputs.chart),
                        String(release.inputs.version),
                        release.inputs.values as Record<string, unknown>,
                    ),
                );
            }
            assert.equal(releaseOf(upgraded).inputs.version, "1.1.1");
            assert.notEqual(patchOf(upgraded)[VERIFIER_RELEASE_DIGEST_ANNOTATION], patchOf(plans.dev)[VERIFIER_RELEASE_DIGEST_ANNOTATION]);
        });

        it("Kyverno and the verifier are pinned; prod runs them HA; the policies wait for Kyverno", () => {
            const release = (p: PlanFile, chart: string) =>
                ofType(p, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === chart);
            const dev = release(plans.dev, "kyverno");
            const prod = release(plans.prod, "kyverno");
            assert.ok(dev && prod);
            assert.equal(dev.inputs.version, "3.9.0");
            assert.equal((prod.inputs.values as Record<string, Record<string, unknown>>).admissionController.replicas, 3);
            assert.equal((dev.inputs.values as Record<string, Record<string, unknown>>).admissionController.replicas, 1);
            assert.equal(release(plans.dev, "kyverno-notation-aws")?.inputs.version, "1.1.0");
            const policies = ofType(plans.dev, "kubernetes:kyverno.io/v1:ClusterPolicy");
            assert.deepEqual(policies.map((p) => p.name).sort(), [
                "cip-dev-supply-ci-pod-security",
                "cip-dev-supply-pinned-images",
                "cip-dev-supply-signed-images",
            ]);
            for (const p of policies) assert.ok(p.dependsOn.includes(dev.urn), `${p.name} waits for Kyverno`);
            // The canonical-host rule names the stack's own account and the very host the signed-images policy verifies.
            const ruleOf = (name: string, rule: string) =>
                (
                    policies.find((p) => p.name === name)?.inputs.spec as {
                        rules: Array<{ name: string; validate?: unknown; mutate?: unknown }>;
                    }
                ).rules.find((r) => r.name === rule);
            const canonical = JSON.stringify(ruleOf("cip-dev-supply-pinned-images", "canonical-registry-host")?.validate);
            const verified = JSON.stringify(ruleOf("cip-dev-supply-signed-images", "verify-containers")?.mutate);
            const host = /starts_with\(element\.image, '(\d{12})\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/'\)/.exec(canonical);
            assert.ok(host, canonical);
            assert.ok(canonical.includes(`starts_with(element.image, '${host[1]}.')`), canonical);
            assert.ok(verified.includes(`starts_with(image, '${host[1]}.dkr.ecr.eu-west-1.amazonaws.com/')`), verified);
            const trust = ofType(plans.dev, "kubernetes:notation.nirmata.io/v1alpha1:TrustPolicy")[0] as unknown as KubernetesObject & {
                inputs: { spec: { trustPolicies: Array<{ trustedIdentities: string[] }> } };
            };
            assert.match(
                trust.inputs.spec.trustPolicies[0].trustedIdentities[0],
                /^arn:aws:signer:eu-west-1:\d{12}:\/signing-profiles\/cip_dev_/,
            );
        });
    });
});
