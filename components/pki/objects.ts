/** cert-manager objects and chart values for the private CA, as pure typed builders. */
import type { Certificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import { CertificateRequestArgs, placementOn } from "../shared/interfaces";
import { Values } from "../shared/helm";
import { kubernetesModels } from "../shared/k8s-models";

/**
 * The platform issues from its CA only through namespaced `AWSPCAIssuer`s in the namespaces it
 * names, never through a cluster issuer: a `Certificate` anywhere may name a cluster issuer, and
 * cert-manager's default roles (aggregated into `edit`) let any namespace editor create one.
 */
export const ISSUER_REF = { group: "awspca.cert-manager.io", kind: "AWSPCAIssuer" } as const;

/**
 * The only template the platform's certificates are issued with: a TLS server certificate
 * (EKU serverAuth, not a CA). aws-privateca-issuer picks the template per request from `isCA` and
 * the usages (`pkg/aws/pca.go` `buildTemplateArn`: `isCA` → SubordinateCACertificate_PathLen0,
 * more than two usages → BlankEndEntityCertificate_APICSRPassthrough, which copies the CSR's
 * extensions, CA ones included) unless the issuer names one (`spec.pcaTemplate.defaultTemplateName`).
 */
export const SERVER_TEMPLATE = "EndEntityServerAuthCertificate/V1";

/** The template's ARN, as the issuer builds it (partition `aws`) and IAM's `acm-pca:TemplateArn` sees it. */
export function templateArn(template: string): string {
    return `arn:aws:acm-pca:::template/${template}`;
}

/** cert-manager's signer name of a namespaced AWS PCA issuer (`<resource>.<group>/<namespace>.<name>`). */
export function pcaSignerName(namespace: string, issuerName: string): string {
    return `awspcaissuers.awspca.cert-manager.io/${namespace}.${issuerName}`;
}

/**
 * Signer names cert-manager's approver approves: its own issuer types (they sign with keys the
 * requester's namespace holds, never the platform CA) and exactly the platform's AWS PCA issuers.
 * A request to any other AWS PCA issuer is never approved, so aws-privateca-issuer never signs it.
 */
export function approvedSigners(pcaIssuers: ReadonlyArray<{ namespace: string; name: string }>): string[] {
    return ["issuers.cert-manager.io/*", "clusterissuers.cert-manager.io/*", ...pcaIssuers.map((i) => pcaSignerName(i.namespace, i.name))];
}

/** `AWSPCAIssuer` (awspca.cert-manager.io/v1beta1 at aws-privateca-issuer v1.9.1; `pcaTemplate` is newer than @kubernetes-models/cert-manager's model). */
export interface AWSPCAIssuer {
    readonly apiVersion: "awspca.cert-manager.io/v1beta1";
    readonly kind: "AWSPCAIssuer";
    readonly metadata: { readonly name: string; readonly namespace: string };
    readonly spec: { readonly arn: string; readonly region: string; readonly pcaTemplate: { readonly defaultTemplateName: string } };
}

/** The platform's issuer in one namespace: its CA, every request issued with the server template. */
export function pcaIssuer(name: string, namespace: string, caArn: string, region: string): AWSPCAIssuer {
    return {
        apiVersion: "awspca.cert-manager.io/v1beta1",
        kind: "AWSPCAIssuer",
        metadata: { name, namespace },
        spec: { arn: caArn, region, pcaTemplate: { defaultTemplateName: SERVER_TEMPLATE } },
    };
}

/** Namespaces the platform may issue certificates into: Kubernetes names, no duplicates. */
export function validateCertificateNamespaces(namespaces: readonly string[]): string[] {
    const problems: string[] = [];
    for (const ns of namespaces) {
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63) {
            problems.push(
                `certificateNamespaces: got ${JSON.stringify(ns)}; use a Kubernetes namespace name (lower-case letters, digits, '-')`,
            );
        }
    }
    if (new Set(namespaces).size !== namespaces.length)
        problems.push(`certificateNamespaces: got ${JSON.stringify(namespaces)}; list each namespace once`);
    return problems;
}

const GO_DURATION = /^(\d+h)?(\d+m)?(\d+s)?$/;

/** Validates a certificate request; messages name the field, the value and what is allowed. */
export function validateCertificateRequest(name: string, args: CertificateRequestArgs): string[] {
    const problems: string[] = [];
    if (args.dnsNames.length === 0) {
        problems.push(`${name}.dnsNames: empty; a certificate needs at least one DNS name`);
    }
    for (const dns of args.dnsNames) {
        if (!/^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(dns)) {
            problems.push(`${name}.dnsNames: got ${JSON.stringify(dns)}; not a DNS name`);
        }
    }
    for (const [field, value] of [
        ["duration", args.duration],
        ["renewBefore", args.renewBefore],
    ] as const) {
        if (value !== undefined && (!GO_DURATION.test(value) || value === "")) {
            problems.push(`${name}.${field}: got ${JSON.stringify(value)}; use a Go duration such as 2160h`);
        }
    }
    return problems;
}

/** A server certificate from the private CA; keys rotate on every renewal. */
export function certificate(name: string, issuerName: string, args: CertificateRequestArgs): Certificate {
    const algorithm = args.keyAlgorithm ?? "ECDSA";
    return new (kubernetesModels().Certificate)({
        metadata: { name, namespace: args.namespace },
        spec: {
            secretName: args.secretName,
            dnsNames: [...args.dnsNames],
            duration: args.duration ?? "2160h",
            renewBefore: args.renewBefore ?? "720h",
            privateKey: { algorithm, size: algorithm === "ECDSA" ? 256 : 2048, rotationPolicy: "Always" },
            usages: ["server auth", "digital signature", "key encipherment"],
            issuerRef: { ...ISSUER_REF, name: issuerName },
        },
    });
}

function scheduling(): Values {
    const placement = placementOn("system");
    return { nodeSelector: placement.nodeSelector, tolerations: placement.tolerations };
}

/** cert-manager values: CRDs from the chart (kept on uninstall), every deployment on the system nodes, only the platform's PCA issuers approved. */
export function buildCertManagerValues(pcaIssuers: ReadonlyArray<{ namespace: string; name: string }> = []): Values {
    return {
        crds: { enabled: true, keep: true },
        replicaCount: 2,
        approveSignerNames: approvedSigners(pcaIssuers),
        ...scheduling(),
        webhook: { replicaCount: 2, ...scheduling() },
        cainjector: { replicaCount: 2, ...scheduling() },
        startupapicheck: scheduling(),
    };
}

/**
 * Pod Security "restricted" for a chart that copies `podSecurityContext` and `securityContext` into
 * its pod verbatim (aws-privateca-issuer v1.9.1 defaults to only `runAsUser` and
 * `allowPrivilegeEscalation: false`, which restricted rejects).
 */
export const RESTRICTED_POD_SECURITY_CONTEXT = {
    runAsNonRoot: true,
    runAsUser: 65532,
    seccompProfile: { type: "RuntimeDefault" },
} as const;
export const RESTRICTED_CONTAINER_SECURITY_CONTEXT = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
} as const;

/**
 * aws-privateca-issuer values: IRSA role, named service account, approval still required, restricted
 * security contexts, system nodes. The chart's approver role is off: it would let the service
 * account `approverRole.serviceAccountName` (default `cert-manager`, which does not exist: cert-manager's
 * is named after its release) approve every `awspca` request; cert-manager's own approver approves
 * exactly the platform's issuers (`approvedSigners`).
 */
export function buildIssuerValues(roleArn: string, serviceAccountName: string): Values {
    return {
        replicaCount: 2,
        disableApprovedCheck: false,
        approverRole: { enabled: false },
        podSecurityContext: { ...RESTRICTED_POD_SECURITY_CONTEXT },
        securityContext: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, capabilities: { drop: ["ALL"] } },
        serviceAccount: { create: true, name: serviceAccountName, annotations: { "eks.amazonaws.com/role-arn": roleArn } },
        ...scheduling(),
    };
}
