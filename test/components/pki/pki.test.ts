import { strict as assert } from "node:assert";
import { kubernetesModels, loadKubernetesModels } from "../../../components/shared/k8s-models";
import { Pki, validatePkiArgs } from "../../../components/pki/pki";
import { crlBucketStatements, crlKeyPolicy, issuerPermissions } from "../../../components/pki/policies";
import {
    approvedSigners,
    buildCertManagerValues,
    buildIssuerValues,
    certificate,
    pcaIssuer,
    SERVER_TEMPLATE,
    templateArn,
    validateCertificateRequest,
} from "../../../components/pki/objects";
import { issuerTemplateArn } from "../../helpers/pca";
import { policyDocument } from "../../../components/shared/iam-documents";
import { ofType, plan, PlanFile, single, configIssues } from "../../helpers/mocks";
import { testCluster, underOrgTags } from "../../helpers/fixtures";
import { simulate } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const CA = `arn:aws:acm-pca:eu-west-1:${ACCOUNT}:certificate-authority/11111111-2222-3333-4444-555555555555`;
const OTHER_CA = `arn:aws:acm-pca:eu-west-1:${ACCOUNT}:certificate-authority/99999999-2222-3333-4444-555555555555`;

describe("private PKI", () => {
    before(() => loadKubernetesModels());

    describe("issuer permissions", () => {
        const policy = issuerPermissions(CA);
        const role = `arn:aws:iam::${ACCOUNT}:role/pki-issuer`;

        const server = { "acm-pca:TemplateArn": templateArn(SERVER_TEMPLATE) };
        it("allows exactly Describe, Get and Issue, on this CA only", async () => {
            for (const action of ["acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate", "acm-pca:IssueCertificate"]) {
                assert.equal(
                    await simulate({ identityPolicies: [policy], principal: role, action, resource: CA, context: server }),
                    "Allowed",
                    action,
                );
            }
            assert.equal(
                await simulate({
                    identityPolicies: [policy],
                    principal: role,
                    action: "acm-pca:IssueCertificate",
                    resource: OTHER_CA,
                    context: server,
                }),
                "ImplicitlyDenied",
            );
            assert.equal(
                await simulate({ identityPolicies: [policy], principal: role, action: "acm-pca:DeleteCertificateAuthority", resource: CA }),
                "ImplicitlyDenied",
            );
            assert.equal(
                await simulate({ identityPolicies: [policy], principal: role, action: "acm-pca:RevokeCertificate", resource: CA }),
                "ImplicitlyDenied",
            );
            assert.deepEqual(
                policy.Statement.map((s) => s.Resource),
                [CA, CA],
            );
        });

        // aws-privateca-issuer pkg/aws/pca.go buildTemplateArn maps isCA to SubordinateCACertificate_PathLen0 and
        // more than two usages to the CSR-passthrough template; IAM refuses both (acm-pca:TemplateArn).
        for (const template of [
            "SubordinateCACertificate_PathLen0/V1",
            "BlankEndEntityCertificate_APICSRPassthrough/V1",
            "RootCACertificate/V1",
        ]) {
            it(`refuses IssueCertificate with ${template} (acm-pca:TemplateArn limited to ${SERVER_TEMPLATE})`, async () => {
                assert.equal(
                    await simulate({
                        identityPolicies: [policy],
                        principal: role,
                        action: "acm-pca:IssueCertificate",
                        resource: CA,
                        context: { "acm-pca:TemplateArn": templateArn(template) },
                    }),
                    "ImplicitlyDenied",
                );
            });
        }
    });

    describe("trust: who may get which certificate (pkg/aws/pca.go buildTemplateArn, cert-manager approver)", () => {
        const request = (): ReturnType<typeof certificate>["spec"] =>
            certificate("t", "private-ca", { namespace: "jenkins", secretName: "s", dnsNames: ["a.ci.internal"] }).spec;

        it("without an issuer template, the platform's own Certificate would be signed with the CSR-passthrough template, and isCA with the subordinate-CA one", () => {
            assert.equal(
                issuerTemplateArn(undefined, { usages: request()?.usages }),
                templateArn("BlankEndEntityCertificate_APICSRPassthrough/V1"),
            );
            assert.equal(issuerTemplateArn(undefined, { isCA: true }), templateArn("SubordinateCACertificate_PathLen0/V1"));
        });

        it("the platform's issuer signs every request, isCA included, with the server template, which is the one IAM allows", () => {
            const issuer = pcaIssuer("private-ca", "jenkins", CA, "eu-west-1");
            assert.equal(issuer.kind, "AWSPCAIssuer");
            assert.equal(issuer.metadata.namespace, "jenkins");
            const chosen = [
                issuerTemplateArn(issuer.spec.pcaTemplate.defaultTemplateName, { usages: request()?.usages }),
                issuerTemplateArn(issuer.spec.pcaTemplate.defaultTemplateName, { isCA: true }),
            ];
            assert.deepEqual(chosen, [templateArn(SERVER_TEMPLATE), templateArn(SERVER_TEMPLATE)]);
            const condition = issuerPermissions(CA).Statement.find((s) => s.Sid === "IssueServerCertificatesOnly")?.Condition;
            assert.deepEqual(condition, { StringEquals: { "acm-pca:TemplateArn": templateArn(SERVER_TEMPLATE) } });
        });

        it("cert-manager approves exactly the platform's AWS PCA issuers, never a cluster issuer or a tenant's issuer", () => {
            const signers = approvedSigners([{ namespace: "jenkins", name: "private-ca" }]);
            assert.deepEqual(signers, [
                "issuers.cert-manager.io/*",
                "clusterissuers.cert-manager.io/*",
                "awspcaissuers.awspca.cert-manager.io/jenkins.private-ca",
            ]);
            assert.ok(
                !signers.some((s) => s.startsWith("awspcaclusterissuers.") || s.startsWith("awspcaissuers.awspca.cert-manager.io/*")),
            );
            assert.deepEqual(
                (buildCertManagerValues([{ namespace: "jenkins", name: "private-ca" }]) as { approveSignerNames: string[] })
                    .approveSignerNames,
                signers,
            );
        });

        it("the issuer chart's approver role (bound to a `cert-manager` service account that does not exist, approving every awspca request) is off", () => {
            assert.deepEqual(
                (buildIssuerValues("arn:aws:iam::123456789012:role/x", "aws-privateca-issuer") as { approverRole: unknown }).approverRole,
                { enabled: false },
            );
        });
    });

    describe("CRL bucket", () => {
        const bucket = "arn:aws:s3:::cip-dev-pki-crl";
        // Built per call, not in the describe body: a document built once at load would hide a mutant the mutation run switches on later.
        const policy = () => policyDocument(...crlBucketStatements(bucket, ACCOUNT, "eu-west-1"));
        const write = (sourceArn: string, sourceAccount: string) =>
            simulate({
                resourcePolicy: policy(),
                principal: "acm-pca.amazonaws.com",
                action: "s3:PutObject",
                resource: `${bucket}/crl/11111111.crl`,
                context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceAccount },
            });

        it("lets ACM PCA write CRLs for this account's CAs only", async () => {
            assert.equal(await write(CA, ACCOUNT), "Allowed");
            assert.equal(await write(CA.replace(ACCOUNT, "999999999999"), "999999999999"), "ImplicitlyDenied");
        });

        it("lets ACM PCA use the bucket key only through S3", async () => {
            const key = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
            const use = (via: string) =>
                simulate({
                    resourcePolicy: crlKeyPolicy(ACCOUNT, "eu-west-1"),
                    principal: "acm-pca.amazonaws.com",
                    action: "kms:GenerateDataKey",
                    resource: key,
                    context: { "aws:SourceAccount": ACCOUNT, "kms:ViaService": via },
                });
            assert.equal(await use("s3.eu-west-1.amazonaws.com"), "Allowed");
            assert.equal(await use("secretsmanager.eu-west-1.amazonaws.com"), "ImplicitlyDenied");
        });
    });

    describe("objects", () => {
        it("the AWSPCAIssuer points at the CA with the server template", () => {
            const issuer = pcaIssuer("private-ca", "jenkins", CA, "eu-west-1");
            assert.equal(issuer.apiVersion, "awspca.cert-manager.io/v1beta1");
            assert.deepEqual(issuer.spec, {
                arn: CA,
                region: "eu-west-1",
                pcaTemplate: { defaultTemplateName: "EndEntityServerAuthCertificate/V1" },
            });
        });

        it("a Certificate carries DNS names, duration, renewal and key algorithm, and validates", () => {
            const cert = certificate("jenkins-tls", "private-ca", {
                namespace: "jenkins",
                secretName: "jenkins-tls",
                dnsNames: ["jenkins.ci.internal"],
                duration: "720h",
                renewBefore: "240h",
                keyAlgorithm: "RSA",
            });
            assert.deepEqual(cert.spec?.issuerRef, { group: "awspca.cert-manager.io", kind: "AWSPCAIssuer", name: "private-ca" });
            assert.deepEqual(
                [cert.spec?.duration, cert.spec?.renewBefore, cert.spec?.privateKey?.algorithm, cert.spec?.privateKey?.size],
                ["720h", "240h", "RSA", 2048],
            );
            assert.equal(cert.metadata?.namespace, "jenkins");
            cert.validate();
        });

        it("an invalid Certificate fails schema validation", () => {
            const { Certificate } = kubernetesModels();
            const invalid = new Certificate({
                metadata: { name: "x" },
                spec: { secretName: "x", issuerRef: { name: "private-ca" }, privateKey: { algorithm: "DSA" as "RSA" } },
            });
            assert.throws(() => invalid.validate(), /algorithm/);
        });

        it("rejects certificate requests without DNS names or with a bad duration", () => {
            assert.deepEqual(validateCertificateRequest("tls", { namespace: "n", secretName: "s", dnsNames: [], duration: "90 days" }), [
                "tls.dnsNames: empty; a certificate needs at least one DNS name",
                'tls.duration: got "90 days"; use a Go duration such as 2160h',
            ]);
        });

        it("cert-manager installs its CRDs and, with no certificate namespace, approves no AWS PCA request", () => {
            const values = buildCertManagerValues() as { crds: Record<string, boolean>; approveSignerNames: string[] };
            assert.deepEqual(values.crds, { enabled: true, keep: true });
            assert.deepEqual(values.approveSignerNames, ["issuers.cert-manager.io/*", "clusterissuers.cert-manager.io/*"]);
        });
    });

    describe("planned", () => {
        let planned: PlanFile;
        before(async () => {
            planned = await plan({
                program: async () => {
                    const pki = new Pki(
                        "pki",
                        {
                            cluster: testCluster(),
                            region: "eu-west-1",
                            accountId: ACCOUNT,
                            certManagerChartVersion: "v1.21.1",
                            issuerChartVersion: "v1.9.1",
                            certificateNamespaces: ["jenkins"],
                        },
                        { parent: underOrgTags() },
                    );
                    assert.throws(
                        () => pki.certificate("tenant", { namespace: "team-a", secretName: "s", dnsNames: ["jenkins.ci.internal"] }),
                        /tenant\.namespace: got "team-a"; the platform issues only into its certificate namespaces \(\["jenkins"\]/,
                    );
                    pki.certificate("ingress", { namespace: "jenkins", secretName: "jenkins-tls", dnsNames: ["jenkins.ci.internal"] });
                },
            });
        });

        it("creates a protected root CA with strong algorithms, HSM keys and reachable revocation (OCSP by default)", () => {
            const ca = single(planned, "aws:acmpca/certificateAuthority:CertificateAuthority");
            assert.equal(ca.inputs.type, "ROOT");
            assert.equal(ca.protect, true);
            assert.equal(ca.inputs.keyStorageSecurityStandard, "FIPS_140_2_LEVEL_3_OR_HIGHER");
            assert.deepEqual(
                (ca.inputs.certificateAuthorityConfiguration as { keyAlgorithm: string; signingAlgorithm: string }).keyAlgorithm,
                "EC_prime256v1",
            );
            assert.equal((ca.inputs.certificateAuthorityConfiguration as { signingAlgorithm: string }).signingAlgorithm, "SHA256WITHECDSA");
            const revocation = ca.inputs.revocationConfiguration as {
                crlConfiguration?: Record<string, unknown>;
                ocspConfiguration: { enabled: boolean };
            };
            // ACM PCA answers OCSP itself, reachable by every client; the private bucket's CRL alone would not be.
            assert.equal(revocation.ocspConfiguration.enabled, true);
            assert.notEqual(revocation.crlConfiguration?.enabled, true);
            assert.equal(ca.inputs.permanentDeletionTimeInDays, 30);
            assert.equal(
                ofType(planned, "aws:s3/bucket:Bucket").filter((b) => b.name.includes("pki-crl")).length,
                0,
                "no CRL bucket without CRLs",
            );
        });

        it("with revocation `both` (prod), also keeps CRLs for audit in a private, SSE-KMS bucket", async () => {
            const prod = await plan({ stack: "prod" });
            const ca = single(prod, "aws:acmpca/certificateAuthority:CertificateAuthority");
            const revocation = ca.inputs.revocationConfiguration as {
                crlConfiguration: Record<string, unknown>;
                ocspConfiguration: { enabled: boolean };
            };
            assert.deepEqual(
                [revocation.ocspConfiguration.enabled, revocation.crlConfiguration.enabled, revocation.crlConfiguration.s3ObjectAcl],
                [true, true, "BUCKET_OWNER_FULL_CONTROL"],
            );
            const sse = single(prod, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "pki-crl");
            assert.deepEqual(
                (
                    sse.inputs.rules as Array<{ bucketKeyEnabled: boolean; applyServerSideEncryptionByDefault: { sseAlgorithm: string } }>
                ).map((r) => [r.applyServerSideEncryptionByDefault.sseAlgorithm, r.bucketKeyEnabled]),
                [["aws:kms", true]],
            );
            const block = single(prod, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pki-crl");
            assert.deepEqual(
                [
                    block.inputs.blockPublicAcls,
                    block.inputs.blockPublicPolicy,
                    block.inputs.ignorePublicAcls,
                    block.inputs.restrictPublicBuckets,
                ],
                [true, true, true, true],
            );
        });

        it("activates the root CA with its self-signed certificate", () => {
            const cert = single(planned, "aws:acmpca/certificate:Certificate");
            assert.equal(cert.inputs.templateArn, "arn:aws:acm-pca:::template/RootCACertificate/V1");
            assert.match(String(cert.inputs.certificateAuthorityArn), /^arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority\//);
            const activation = single(planned, "aws:acmpca/certificateAuthorityCertificate:CertificateAuthorityCertificate");
            assert.match(String(activation.inputs.certificate), /BEGIN CERTIFICATE/);
        });

        it("scopes the issuer role to the CA and pins its trust to the issuer's service account", () => {
            const policy = JSON.parse(String(single(planned, "aws:iam/rolePolicy:RolePolicy", "pki-issuer").inputs.policy)) as {
                Statement: Array<{ Action: string[]; Resource: string }>;
            };
            const ca = single(planned, "aws:acmpca/certificateAuthority:CertificateAuthority");
            assert.match(policy.Statement[0].Resource, /^arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority\//);
            assert.equal(policy.Statement.length, 2);
            assert.ok(ca);
            const trust = String(single(planned, "aws:iam/role:Role", "pki-issuer").inputs.assumeRolePolicy);
            assert.match(trust, /"system:serviceaccount:cert-manager:aws-privateca-issuer"/);
            assert.match(trust, /:aud":"sts.amazonaws.com"/);
            assert.ok(
                !ofType(planned, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").some((a) =>
                    String(a.inputs.policyArn).includes("PrivateCA"),
                ),
            );
        });

        it("pins both charts and creates the namespace's issuer (server template, approved by cert-manager) and the requested certificate, no cluster issuer", () => {
            assert.deepEqual(
                ofType(planned, "kubernetes:helm.sh/v3:Release").map((r) => [r.inputs.chart, r.inputs.version]),
                [
                    ["cert-manager", "v1.21.1"],
                    ["aws-privateca-issuer", "v1.9.1"],
                ],
            );
            assert.deepEqual(ofType(planned, "kubernetes:awspca.cert-manager.io/v1beta1:AWSPCAClusterIssuer"), []);
            const issuer = single(planned, "kubernetes:awspca.cert-manager.io/v1beta1:AWSPCAIssuer");
            assert.deepEqual(issuer.inputs.metadata, { name: "private-ca", namespace: "jenkins" });
            assert.deepEqual((issuer.inputs.spec as { pcaTemplate: unknown }).pcaTemplate, {
                defaultTemplateName: "EndEntityServerAuthCertificate/V1",
            });
            const certManager = ofType(planned, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "cert-manager");
            assert.ok(
                (certManager?.inputs.values as { approveSignerNames: string[] }).approveSignerNames.includes(
                    "awspcaissuers.awspca.cert-manager.io/jenkins.private-ca",
                ),
            );
            const cert = single(planned, "kubernetes:cert-manager.io/v1:Certificate");
            assert.deepEqual((cert.inputs.spec as { dnsNames: string[] }).dnsNames, ["jenkins.ci.internal"]);
        });

        it("passes the policy pack", () => {
            assert.equal(planned.summary.mandatory, 0, JSON.stringify(planned.policy.violations));
        });
    });

    describe("config validation", () => {
        const issues = configIssues;

        it("refuses weak keys and SHA-1", async () => {
            assert.deepEqual(await issues({ "ciplatform:pkiKeyAlgorithm": "RSA_1024", "ciplatform:pkiSigningAlgorithm": "SHA1WITHRSA" }), [
                'ciplatform:pkiKeyAlgorithm: Invalid option: expected one of "RSA_2048"|"RSA_3072"|"RSA_4096"|"EC_prime256v1"|"EC_secp384r1"|"EC_secp521r1"',
                'ciplatform:pkiSigningAlgorithm: Invalid option: expected one of "SHA256WITHRSA"|"SHA384WITHRSA"|"SHA512WITHRSA"|"SHA256WITHECDSA"|"SHA384WITHECDSA"|"SHA512WITHECDSA"',
            ]);
        });

        it("refuses a root CA with a parent, a subordinate without one, and mismatched algorithms", async () => {
            assert.deepEqual(await issues({ "ciplatform:pkiParentCaArn": CA }), [
                "ciplatform:pkiParentCaArn: a root CA has no parent: set pkiMode subordinate, or remove pkiParentCaArn",
            ]);
            assert.deepEqual(await issues({ "ciplatform:pkiMode": "subordinate" }), [
                "ciplatform:pkiParentCaArn: a subordinate CA needs the ARN of the parent CA that signs it",
            ]);
            assert.deepEqual(await issues({ "ciplatform:pkiKeyAlgorithm": "RSA_4096" }), [
                "ciplatform:pkiSigningAlgorithm: does not match key algorithm RSA_4096: use a ...WITHRSA algorithm",
            ]);
        });

        it("refuses a permanent-deletion period outside 7-30 days", async () => {
            assert.deepEqual(await issues({ "ciplatform:pkiPermanentDeletionDays": 3 }), [
                "ciplatform:pkiPermanentDeletionDays: Too small: expected number to be >=7",
            ]);
            assert.deepEqual(
                validatePkiArgs({
                    region: "eu-west-1",
                    accountId: ACCOUNT,
                    certManagerChartVersion: "v1",
                    issuerChartVersion: "v1",
                    permanentDeletionDays: 45,
                }),
                ["permanentDeletionDays: got 45; ACM PCA allows 7 to 30"],
            );
        });

        it("a subordinate CA is signed by its parent with the path-length-0 template", async () => {
            const planned = await plan({ configChanges: { "ciplatform:pkiMode": "subordinate", "ciplatform:pkiParentCaArn": CA } });
            const cert = single(planned, "aws:acmpca/certificate:Certificate");
            assert.equal(cert.inputs.certificateAuthorityArn, CA);
            assert.equal(cert.inputs.templateArn, "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1");
            assert.equal(single(planned, "aws:acmpca/certificateAuthority:CertificateAuthority").inputs.type, "SUBORDINATE");
        });
    });
});
