/** cert-manager objects and chart values for the private CA, as pure typed builders. */
import type { AWSPCAClusterIssuer } from "@kubernetes-models/cert-manager/awspca.cert-manager.io/v1beta1/AWSPCAClusterIssuer";
import type { Certificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import { CertificateRequestArgs, placementOn } from "../shared/interfaces";
import { Values } from "../shared/helm";
import { kubernetesModels } from "../shared/k8s-models";

export const ISSUER_REF = { group: "awspca.cert-manager.io", kind: "AWSPCAClusterIssuer" } as const;
/** Signer names cert-manager approves: its own issuers plus the AWS PCA cluster issuer. */
export const APPROVED_SIGNERS = [
    "issuers.cert-manager.io/*",
    "clusterissuers.cert-manager.io/*",
    "awspcaclusterissuers.awspca.cert-manager.io/*",
];

export function pcaClusterIssuer(name: string, caArn: string, region: string): AWSPCAClusterIssuer {
    return new (kubernetesModels().AWSPCAClusterIssuer)({ metadata: { name }, spec: { arn: caArn, region } });
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

/** cert-manager values: CRDs from the chart (kept on uninstall), every deployment on the system nodes, PCA requests approved. */
export function buildCertManagerValues(): Values {
    return {
        crds: { enabled: true, keep: true },
        replicaCount: 2,
        approveSignerNames: APPROVED_SIGNERS,
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

/** aws-privateca-issuer values: IRSA role, named service account, approval still required, restricted security contexts, system nodes. */
export function buildIssuerValues(roleArn: string, serviceAccountName: string): Values {
    return {
        replicaCount: 2,
        disableApprovedCheck: false,
        podSecurityContext: { ...RESTRICTED_POD_SECURITY_CONTEXT },
        securityContext: { ...RESTRICTED_CONTAINER_SECURITY_CONTEXT, capabilities: { drop: ["ALL"] } },
        serviceAccount: { create: true, name: serviceAccountName, annotations: { "eks.amazonaws.com/role-arn": roleArn } },
        ...scheduling(),
    };
}
