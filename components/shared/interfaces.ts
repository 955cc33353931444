/**
 * Contracts between the platform's components. A component that needs another's service takes
 * one of these interfaces as a typed constructor argument, so areas can be built and tested
 * independently and composed in `stacks/platform.ts`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** CPU architectures as Kubernetes (`kubernetes.io/arch`) and Karpenter name them. */
// Defined in an SDK-free module so config validation can use it without loading the SDKs.
export { ARCHITECTURES, type Architecture } from "./architectures";
import type { Architecture } from "./architectures";

/** A Kubernetes taint as NodePools and tolerations spell it. */
export interface Taint {
    readonly key: string;
    readonly value: string;
    readonly effect: "NoSchedule" | "NoExecute" | "PreferNoSchedule";
}

/** Label every platform node carries naming the pool it came from. */
export const POOL_LABEL = "ciplatform.io/pool";

/**
 * The node pools workloads are placed on. The Karpenter component creates them with exactly these
 * labels and taints; other components tolerate and select them through `placementOn`.
 */
export const POOLS = {
    /** Managed Graviton node group for cluster-critical add-ons (controllers, operators). */
    system: { label: "system", taint: { key: "CriticalAddonsOnly", value: "true", effect: "NoSchedule" } },
    /** Karpenter pools for CI job pods, one per architecture, spot first. */
    ci: { label: "ci", taint: { key: "ciplatform.io/ci", value: "true", effect: "NoSchedule" } },
    /** Karpenter on-demand pool for LINSTOR satellites and replicated volumes. */
    storage: { label: "storage", taint: { key: "ciplatform.io/storage", value: "true", effect: "NoSchedule" } },
    /** Karpenter general pools (Graviton preferred, x86 fallback) for everything else; untainted. */
    general: { label: "general", taint: undefined },
} as const satisfies Record<string, { label: string; taint: Taint | undefined }>;

export type PoolName = keyof typeof POOLS;

export type CapacityType = "spot" | "on-demand";

/** Kubernetes scheduling fields that put a pod on a pool. */
export interface Placement {
    readonly nodeSelector: Record<string, string>;
    readonly tolerations: Array<{ key: string; operator: "Equal"; value: string; effect: string }>;
}

/** Where a workload runs: its pool, and optionally an architecture and capacity type. */
export function placementOn(pool: PoolName, architecture?: Architecture, capacityType?: CapacityType): Placement {
    const spec = POOLS[pool];
    return {
        nodeSelector: {
            [POOL_LABEL]: spec.label,
            ...(architecture ? { "kubernetes.io/arch": architecture } : {}),
            ...(capacityType ? { "karpenter.sh/capacity-type": capacityType } : {}),
        },
        tolerations: spec.taint ? [{ key: spec.taint.key, operator: "Equal", value: spec.taint.value, effect: spec.taint.effect }] : [],
    };
}

/** What the Cluster component gives the rest of the platform. */
export interface ClusterHandle {
    /** EKS cluster name. */
    readonly name: pulumi.Output<string>;
    /** Provider for every Kubernetes object of the platform. */
    readonly provider: k8s.Provider;
    /** IAM OIDC provider ARN, for IRSA trust policies. */
    readonly oidcProviderArn: pulumi.Output<string>;
    /** OIDC issuer without `https://`, the prefix of IRSA condition keys (`<issuer>:sub`). */
    readonly oidcIssuer: pulumi.Output<string>;
    /**
     * What every release waits for: the system node group and CoreDNS on it (the capacity the
     * controllers' pods need) and the default StorageClass (created before any release can register
     * a StorageClass webhook).
     */
    readonly systemReady: readonly pulumi.Resource[];
}

/**
 * Namespaces whose label has this value may use the platform's ClusterSecretStore; tenants cannot
 * set it on other namespaces, because only the platform manages namespaces' labels.
 */
export const SECRETS_NAMESPACE_LABEL = { key: "ciplatform.io/secrets", value: "platform" } as const;

/** "This namespace needs secret X as Kubernetes Secret Y." */
export interface NamespacedSecretArgs {
    /** Namespace that reads the secret; also the value of the secret's ABAC tag. */
    readonly namespace: string;
    /** Name of the Kubernetes Secret that External Secrets writes into the namespace. */
    readonly kubernetesSecretName: string;
    /** What the secret is for (the Secrets Manager description). */
    readonly description: string;
    /**
     * Kubernetes Secret key → property of the JSON secret value. A single `{ key: undefined }`
     * entry copies the whole (non-JSON) value into that key.
     */
    readonly keys: Readonly<Record<string, string | undefined>>;
    /** Value to store, as a Pulumi secret. Omitted: the secret is created empty and an operator puts the value (e.g. tokens issued elsewhere). */
    readonly value?: pulumi.Input<string>;
    /** Type of the Kubernetes Secret, for consumers that check it. @default "Opaque" */
    readonly kubernetesSecretType?: string;
    /**
     * Label of the value's generation: changing it makes External Secrets sync the new value at once
     * (its `force-sync` annotation) instead of at the next refresh. @default - synced at the refresh interval only
     */
    readonly revision?: string;
}

/** A secret delivered to a namespace: the Secrets Manager secret and the Kubernetes Secret name. */
export interface NamespacedSecret {
    readonly secretArn: pulumi.Output<string>;
    readonly secretName: pulumi.Output<string>;
    readonly kubernetesSecretName: string;
    /** The ExternalSecret that syncs it, for consumers that must wait for it. */
    readonly externalSecret?: pulumi.Resource;
}

/** Implemented by the ExternalSecrets component. */
export interface SecretsCatalog {
    /** Creates the tagged, CMK-encrypted Secrets Manager secret and the ExternalSecret that syncs it. */
    namespacedSecret(name: string, args: NamespacedSecretArgs, opts?: pulumi.ComponentResourceOptions): NamespacedSecret;
}

/** A TLS certificate request from the platform's private CA. */
export interface CertificateRequestArgs {
    readonly namespace: string;
    /** Kubernetes Secret that receives the key pair. */
    readonly secretName: string;
    readonly dnsNames: readonly string[];
    /** Go duration, e.g. `2160h`. @default - the issuer's default (90 days) */
    readonly duration?: string;
    /** Go duration before expiry to renew. @default - a third of the duration */
    readonly renewBefore?: string;
    /** @default "ECDSA" */
    readonly keyAlgorithm?: "RSA" | "ECDSA";
}

/** Implemented by the Pki component. */
export interface CertificateIssuer {
    /** The cert-manager issuer reference (the platform's `AWSPCAIssuer`, in the certificate's own namespace). */
    readonly issuerRef: { readonly group: string; readonly kind: string; readonly name: string };
    /** Requests a Certificate into a namespace; returns the Kubernetes object. */
    certificate(name: string, args: CertificateRequestArgs, opts?: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource;
}
