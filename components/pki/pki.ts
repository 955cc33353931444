import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CertificateIssuer, CertificateRequestArgs, ClusterHandle } from "../shared/interfaces";
import { EncryptedBucket } from "../shared/encrypted-bucket";
import { mergeValues, releaseArgs } from "../shared/helm";
import { irsaTrustPolicy, toJson } from "../shared/iam-documents";
import { crlBucketStatements, crlKeyPolicy, issuerPermissions } from "./policies";
import {
    buildCertManagerValues,
    buildIssuerValues,
    certificate,
    ISSUER_REF,
    pcaIssuer,
    validateCertificateNamespaces,
    validateCertificateRequest,
} from "./objects";
import { platformNamespace } from "../shared/namespace";

export const CERT_MANAGER_CHART = { chart: "cert-manager", repository: "https://charts.jetstack.io" } as const;
export const PCA_ISSUER_CHART = {
    chart: "aws-privateca-issuer",
    repository: "https://cert-manager.github.io/aws-privateca-issuer",
} as const;

const NAMESPACE = "cert-manager";

/** A resource option's `dependsOn` as a list. */
function dependsOnList(d: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
    return d === undefined ? [] : Array.isArray(d) ? (d as pulumi.Input<pulumi.Resource>[]) : [d as pulumi.Input<pulumi.Resource>];
}
const ISSUER_SERVICE_ACCOUNT = "aws-privateca-issuer";

/** Arguments of the private PKI. */
export interface PkiArgs {
    readonly cluster: ClusterHandle;
    readonly region: string;
    readonly accountId: string;
    /** Root CA made here, or a subordinate signed by `parentCaArn`. @default "root" */
    readonly mode?: "root" | "subordinate";
    /** Parent CA of a subordinate CA. @default - none */
    readonly parentCaArn?: string;
    /** @default "EC_prime256v1" */
    readonly keyAlgorithm?: string;
    /** @default "SHA256WITHECDSA" */
    readonly signingAlgorithm?: string;
    /** @default "ciplatform internal CA" */
    readonly commonName?: string;
    /** @default "ciplatform" */
    readonly organization?: string;
    /** CA certificate validity. @default 10 */
    readonly validityYears?: number;
    /**
     * Revocation clients can check: ACM PCA's managed OCSP responder (reachable by anyone AWS can
     * reach), optionally with a CRL kept in the private bucket for audit. A CRL alone is refused:
     * the bucket is private, so clients could not fetch it.
     * @default "ocsp"
     */
    readonly revocation?: "crl" | "ocsp" | "both";
    /** Host name (CNAME to ACM PCA's responder) put in certificates as the OCSP URL. @default - AWS's responder URL */
    readonly ocspCustomCname?: string;
    /** Days a deleted CA stays restorable. @default 30 */
    readonly permanentDeletionDays?: number;
    /** Exact chart versions. */
    readonly certManagerChartVersion: string;
    readonly issuerChartVersion: string;
    /** Name of the platform's AWSPCAIssuer in each certificate namespace. @default "private-ca" */
    readonly issuerName?: string;
    /**
     * Namespaces the platform issues TLS server certificates into from the CA (`certificate()`): each
     * gets an AWSPCAIssuer that cert-manager approves. Nothing else can get a certificate from the CA.
     * @default [] (load balancers get ACM private certificates through `loadBalancerCertificate`)
     */
    readonly certificateNamespaces?: readonly string[];
    /** Days before deleted keys are destroyed. @default 30 */
    readonly kmsDeletionWindowDays?: number;
    /** Protect the CA, its bucket and key. @default true */
    readonly protect?: boolean;
}

const STRONG_KEYS = ["RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"];
const STRONG_SIGNING = ["SHA256WITHRSA", "SHA384WITHRSA", "SHA512WITHRSA", "SHA256WITHECDSA", "SHA384WITHECDSA", "SHA512WITHECDSA"];

/** Validates the CA settings; messages name the argument, the value and what is allowed. */
export function validatePkiArgs(args: Omit<PkiArgs, "cluster">): string[] {
    const problems: string[] = [];
    const mode = args.mode ?? "root";
    const key = args.keyAlgorithm ?? "EC_prime256v1";
    const signing = args.signingAlgorithm ?? "SHA256WITHECDSA";
    if (!STRONG_KEYS.includes(key)) {
        problems.push(`keyAlgorithm: got ${JSON.stringify(key)}; allowed: ${STRONG_KEYS.join(", ")}`);
    }
    if (!STRONG_SIGNING.includes(signing)) {
        problems.push(`signingAlgorithm: got ${JSON.stringify(signing)}; allowed: ${STRONG_SIGNING.join(", ")}`);
    } else if (key.startsWith("RSA") !== signing.endsWith("WITHRSA")) {
        problems.push(`signingAlgorithm: got ${JSON.stringify(signing)}; does not match key algorithm ${key}`);
    }
    if (mode === "root" && args.parentCaArn) {
        problems.push(`parentCaArn: got ${JSON.stringify(args.parentCaArn)}; a root CA has no parent (use mode "subordinate")`);
    }
    if (mode === "subordinate" && !args.parentCaArn) {
        problems.push("parentCaArn: not set; a subordinate CA needs the parent CA that signs it");
    }
    if ((args.revocation ?? "ocsp") === "crl") {
        problems.push(
            'revocation: got "crl"; the CRL bucket is private (SSE-KMS, public access blocked), so clients could not fetch it: use "ocsp" (ACM PCA\'s managed responder) or "both" (OCSP for clients, the CRL kept for audit)',
        );
    }
    problems.push(...validateCertificateNamespaces(args.certificateNamespaces ?? []));
    const days = args.permanentDeletionDays ?? 30;
    if (!Number.isInteger(days) || days < 7 || days > 30) {
        problems.push(`permanentDeletionDays: got ${days}; ACM PCA allows 7 to 30`);
    }
    return problems;
}

/**
 * A private CA whose keys never leave AWS HSMs (ACM Private CA, FIPS 140-2 level 3), CRLs in a
 * private encrypted bucket or OCSP, cert-manager and the AWS PCA issuer with a role that can only
 * issue TLS server certificates from this CA, and an `AWSPCAIssuer` in each namespace the platform
 * issues into, whose requests alone cert-manager approves (docs/pki.md). Implements `CertificateIssuer`.
 */
export class Pki extends pulumi.ComponentResource implements CertificateIssuer {
    /** ARN of the platform CA. */
    public readonly caArn: pulumi.Output<string>;
    /** The CA certificate (PEM), for clients that must trust the platform's endpoints. */
    public readonly caCertificatePem: pulumi.Output<string>;
    /** Name of the AWSPCAIssuer in each certificate namespace. */
    public readonly issuerName: string;
    /** Namespaces `certificate()` may issue into. */
    public readonly certificateNamespaces: readonly string[];
    /** cert-manager issuer reference. */
    public readonly issuerRef: { readonly group: string; readonly kind: string; readonly name: string };

    private readonly provider: k8s.Provider;
    private readonly issuerReady: pulumi.Resource[];
    private readonly caArnForIssuers: pulumi.Output<string>;
    private readonly region: string;
    private readonly namespaceIssuers = new Map<string, k8s.apiextensions.CustomResource>();
    private readonly acmPermission: aws.acmpca.Permission;
    private readonly activation: aws.acmpca.CertificateAuthorityCertificate;

    constructor(name: string, args: PkiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:pki:Pki", name, {}, opts);
        const problems = validatePkiArgs(args);
        if (problems.length > 0) {
            throw new Error(`Pki ${name}: ${problems.join("; ")}`);
        }

        // Defaults, resolved once.
        const mode = args.mode ?? "root";
        const keyAlgorithm = args.keyAlgorithm ?? "EC_prime256v1";
        const signingAlgorithm = args.signingAlgorithm ?? "SHA256WITHECDSA";
        const revocation = args.revocation ?? "ocsp";
        const protect = args.protect ?? true;
        const validityYears = args.validityYears ?? 10;
        this.issuerName = args.issuerName ?? "private-ca";
        this.certificateNamespaces = [...(args.certificateNamespaces ?? [])];
        const pcaIssuers = this.certificateNamespaces.map((namespace) => ({ namespace, name: this.issuerName }));
        this.issuerRef = { ...ISSUER_REF, name: this.issuerName };
        this.provider = args.cluster.provider;
        const k8sOpts = { parent: this, provider: args.cluster.provider };

        const crlBucket =
            revocation === "ocsp"
                ? undefined
                : new EncryptedBucket(
                      `${name}-crl`,
                      {
                          region: args.region,
                          accountId: args.accountId,
                          purpose: `${name} certificate revocation lists`,
                          keyPolicy: crlKeyPolicy(args.accountId, args.region),
                          statements: (arn) => crlBucketStatements(arn, args.accountId, args.region),
                          kmsDeletionWindowDays: args.kmsDeletionWindowDays,
                          protect,
                      },
                      { parent: this },
                  );

        const ca = new aws.acmpca.CertificateAuthority(
            `${name}-ca`,
            {
                type: mode === "root" ? "ROOT" : "SUBORDINATE",
                usageMode: "GENERAL_PURPOSE",
                keyStorageSecurityStandard: "FIPS_140_2_LEVEL_3_OR_HIGHER",
                certificateAuthorityConfiguration: {
                    keyAlgorithm,
                    signingAlgorithm,
                    subject: { commonName: args.commonName ?? "ciplatform internal CA", organization: args.organization ?? "ciplatform" },
                },
                revocationConfiguration: {
                    crlConfiguration: crlBucket
                        ? { enabled: true, expirationInDays: 7, s3BucketName: crlBucket.bucket, s3ObjectAcl: "BUCKET_OWNER_FULL_CONTROL" }
                        : { enabled: false },
                    ocspConfiguration: {
                        enabled: revocation !== "crl",
                        ...(args.ocspCustomCname ? { ocspCustomCname: args.ocspCustomCname } : {}),
                    },
                },
                permanentDeletionTimeInDays: args.permanentDeletionDays ?? 30,
            },
            { parent: this, protect, dependsOn: crlBucket ? [crlBucket] : [] },
        );

        // Root: the CA signs its own certificate. Subordinate: the parent signs it (path length 0).
        const signed = new aws.acmpca.Certificate(
            `${name}-ca-certificate`,
            {
                certificateAuthorityArn: mode === "root" ? ca.arn : (args.parentCaArn ?? ""),
                certificateSigningRequest: ca.certificateSigningRequest,
                signingAlgorithm,
                templateArn:
                    mode === "root"
                        ? "arn:aws:acm-pca:::template/RootCACertificate/V1"
                        : "arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1",
                validity: { type: "YEARS", value: String(validityYears) },
            },
            { parent: this },
        );
        const activation = new aws.acmpca.CertificateAuthorityCertificate(
            `${name}-ca-activation`,
            {
                certificateAuthorityArn: ca.arn,
                certificate: signed.certificate,
                certificateChain: mode === "root" ? undefined : signed.certificateChain,
            },
            { parent: this },
        );

        const namespace = platformNamespace(`${name}-namespace`, NAMESPACE, "restricted", false, k8sOpts);
        const certManager = new k8s.helm.v3.Release(
            `${name}-cert-manager`,
            releaseArgs(
                { ...CERT_MANAGER_CHART, version: args.certManagerChartVersion },
                namespace.metadata.name,
                buildCertManagerValues(pcaIssuers),
            ),
            // cert-manager's pods (and its webhook, which the issuer chart's objects need) run on the system nodes.
            { ...k8sOpts, dependsOn: [...args.cluster.systemReady] },
        );

        const issuerRole = new aws.iam.Role(
            `${name}-issuer`,
            {
                description: "aws-privateca-issuer (IRSA): may only issue from the platform CA",
                assumeRolePolicy: toJson(
                    pulumi
                        .all([args.cluster.oidcProviderArn, args.cluster.oidcIssuer])
                        .apply(([arn, issuer]) => irsaTrustPolicy(arn, issuer, NAMESPACE, ISSUER_SERVICE_ACCOUNT)),
                ),
            },
            { parent: this },
        );
        const issuerPolicy = new aws.iam.RolePolicy(
            `${name}-issuer`,
            { role: issuerRole.name, policy: toJson(ca.arn.apply(issuerPermissions)) },
            { parent: this },
        );
        const issuerChart = new k8s.helm.v3.Release(
            `${name}-issuer`,
            releaseArgs(
                { ...PCA_ISSUER_CHART, version: args.issuerChartVersion },
                namespace.metadata.name,
                issuerRole.arn.apply((arn) => mergeValues(buildIssuerValues(arn, ISSUER_SERVICE_ACCOUNT))),
            ),
            { ...k8sOpts, dependsOn: [certManager, issuerPolicy, ...args.cluster.systemReady] },
        );
        // The namespaced issuers are created by `certificate()`, after the namespace they live in.
        this.issuerReady = [issuerChart, activation];
        this.caArnForIssuers = ca.arn;
        this.region = args.region;

        // ACM may issue (and renew) private certificates from this CA for load balancers.
        this.acmPermission = new aws.acmpca.Permission(
            `${name}-acm`,
            {
                certificateAuthorityArn: ca.arn,
                principal: "acm.amazonaws.com",
                actions: ["IssueCertificate", "GetCertificate", "ListPermissions"],
            },
            { parent: this, dependsOn: [activation] },
        );
        this.activation = activation;

        this.caArn = ca.arn;
        this.caCertificatePem = signed.certificate;
        this.registerOutputs({ caArn: this.caArn, caCertificatePem: this.caCertificatePem, issuerName: this.issuerName });
    }

    /**
     * An ACM certificate for a load balancer, issued by the platform CA (its key stays in ACM; ACM
     * renews it). Returns its ARN, for `alb.ingress.kubernetes.io/certificate-arn`.
     */
    public loadBalancerCertificate(name: string, hostname: string): pulumi.Output<string> {
        const cert = new aws.acm.Certificate(
            `${name}-certificate`,
            { domainName: hostname, certificateAuthorityArn: this.caArn, keyAlgorithm: "EC_prime256v1" },
            { parent: this, dependsOn: [this.acmPermission, this.activation] },
        );
        return cert.arn;
    }

    /**
     * Requests a TLS server certificate from the platform CA into one of `certificateNamespaces`
     * (pass the namespace in `opts.dependsOn`); the namespace's AWSPCAIssuer is created with the first request.
     */
    public certificate(name: string, args: CertificateRequestArgs, opts?: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
        const problems = validateCertificateRequest(name, args);
        if (!this.certificateNamespaces.includes(args.namespace)) {
            problems.push(
                `${name}.namespace: got ${JSON.stringify(args.namespace)}; the platform issues only into its certificate namespaces (${JSON.stringify(this.certificateNamespaces)}, PkiArgs.certificateNamespaces)`,
            );
        }
        if (problems.length > 0) {
            throw new Error(`Pki.certificate: ${problems.join("; ")}`);
        }
        let issuer = this.namespaceIssuers.get(args.namespace);
        if (!issuer) {
            const object = this.caArnForIssuers.apply((arn) => pcaIssuer(this.issuerName, args.namespace, arn, this.region));
            issuer = new k8s.apiextensions.CustomResource(
                `${this.issuerName}-${args.namespace}-issuer`,
                {
                    apiVersion: "awspca.cert-manager.io/v1beta1",
                    kind: "AWSPCAIssuer",
                    metadata: { name: this.issuerName, namespace: args.namespace },
                    spec: object.apply((i) => i.spec),
                },
                { parent: this, provider: this.provider, dependsOn: [...this.issuerReady, ...dependsOnList(opts?.dependsOn)] },
            );
            this.namespaceIssuers.set(args.namespace, issuer);
        }
        const object = certificate(name, this.issuerName, args);
        return new k8s.apiextensions.CustomResource(
            `${name}-certificate`,
            { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name, namespace: args.namespace }, spec: object.spec },
            // Waits for the namespace's issuer and for whatever the caller names (its namespace).
            { parent: opts?.parent ?? this, provider: this.provider, dependsOn: [issuer, ...dependsOnList(opts?.dependsOn)] },
        );
    }
}
