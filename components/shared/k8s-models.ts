/**
 * Typed Kubernetes models for the CRDs the platform creates. The @kubernetes-models packages are
 * ESM-only (no `require` export), so they are loaded once with dynamic `import()` before the
 * program builds anything; builders then use them synchronously.
 */
import type { NodePool } from "@kubernetes-models/karpenter/karpenter.sh/v1/NodePool";
import type { EC2NodeClass } from "@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass";
import type { ClusterSecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore";
import type { AWSPCAClusterIssuer } from "@kubernetes-models/cert-manager/awspca.cert-manager.io/v1beta1/AWSPCAClusterIssuer";
import type { Certificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import type { ExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";

export interface KubernetesModels {
    readonly NodePool: typeof NodePool;
    readonly EC2NodeClass: typeof EC2NodeClass;
    readonly ClusterSecretStore: typeof ClusterSecretStore;
    readonly ExternalSecret: typeof ExternalSecret;
    readonly AWSPCAClusterIssuer: typeof AWSPCAClusterIssuer;
    readonly Certificate: typeof Certificate;
}

let loaded: KubernetesModels | undefined;

/** Loads every model the platform uses; idempotent. */
export async function loadKubernetesModels(): Promise<KubernetesModels> {
    if (!loaded) {
        const [nodePool, nodeClass, clusterSecretStore, externalSecret, pcaIssuer, certificate] = await Promise.all([
            import("@kubernetes-models/karpenter/karpenter.sh/v1/NodePool"),
            import("@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass"),
            import("@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore"),
            import("@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret"),
            import("@kubernetes-models/cert-manager/awspca.cert-manager.io/v1beta1/AWSPCAClusterIssuer"),
            import("@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate"),
        ]);
        loaded = {
            NodePool: nodePool.NodePool,
            EC2NodeClass: nodeClass.EC2NodeClass,
            ClusterSecretStore: clusterSecretStore.ClusterSecretStore,
            ExternalSecret: externalSecret.ExternalSecret,
            AWSPCAClusterIssuer: pcaIssuer.AWSPCAClusterIssuer,
            Certificate: certificate.Certificate,
        };
    }
    return loaded;
}

/** The loaded models; `loadKubernetesModels()` must have completed (the program awaits it first). */
export function kubernetesModels(): KubernetesModels {
    if (!loaded) {
        throw new Error("Kubernetes models are not loaded: await loadKubernetesModels() before building objects");
    }
    return loaded;
}
