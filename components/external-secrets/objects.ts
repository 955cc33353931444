/** External Secrets objects (`external-secrets.io/v1`) and chart values, as pure typed builders. */
import type { ClusterSecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore";
import type { ExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";
import type { IComGithubExternalSecretsExternalSecretsApisExternalsecretsV1AWSProvider as AWSProvider } from "@kubernetes-models/external-secrets/external-secrets.io/v1/AWSProvider";
import { SECRETS_NAMESPACE_LABEL, placementOn } from "../shared/interfaces";
import { Values } from "../shared/helm";
import { kubernetesModels } from "../shared/k8s-models";

/**
 * The AWS provider with ESO's session-tag policy. The typed model predates `sessionTagsPolicy`
 * (the CRD of chart 2.x has it), so the field is declared here with the CRD's allowed values.
 */
export type AwsProviderWithSessionTags = AWSProvider & { sessionTagsPolicy: "None" | "Simple" | "Custom" };

export interface StoreInput {
    readonly name: string;
    readonly region: string;
    readonly readerRoleArn: string;
}

/**
 * The platform's only secret store: assumes the reader role with ESO's namespace session tags,
 * and serves only namespaces the platform labelled for it.
 */
export function clusterSecretStore(input: StoreInput): ClusterSecretStore {
    const aws: AwsProviderWithSessionTags = {
        service: "SecretsManager",
        region: input.region,
        role: input.readerRoleArn,
        sessionTagsPolicy: "Simple",
    };
    return new (kubernetesModels().ClusterSecretStore)({
        metadata: { name: input.name },
        spec: {
            provider: { aws },
            conditions: [{ namespaceSelector: { matchLabels: { [SECRETS_NAMESPACE_LABEL.key]: SECRETS_NAMESPACE_LABEL.value } } }],
        },
    });
}

export interface ExternalSecretInput {
    readonly name: string;
    readonly namespace: string;
    readonly storeName: string;
    /** Secrets Manager secret name. */
    readonly secretName: string;
    readonly kubernetesSecretName: string;
    /** Kubernetes key → JSON property of the secret (undefined: the whole value). */
    readonly keys: Readonly<Record<string, string | undefined>>;
    /** @default "1h" */
    readonly refreshInterval?: string;
    /** Kubernetes Secret type. @default "Opaque" */
    readonly secretType?: string;
}

/** An ExternalSecret that keeps one Kubernetes Secret in sync with one Secrets Manager secret. */
export function externalSecret(input: ExternalSecretInput): ExternalSecret {
    return new (kubernetesModels().ExternalSecret)({
        metadata: { name: input.name, namespace: input.namespace },
        spec: {
            refreshInterval: input.refreshInterval ?? "1h",
            secretStoreRef: { kind: "ClusterSecretStore", name: input.storeName },
            target: {
                name: input.kubernetesSecretName,
                creationPolicy: "Owner",
                deletionPolicy: "Retain",
                ...(input.secretType ? { template: { type: input.secretType } } : {}),
            },
            data: Object.entries(input.keys).map(([secretKey, property]) => ({
                secretKey,
                remoteRef: { key: input.secretName, ...(property ? { property } : {}) },
            })),
        },
    });
}

export interface EsoValuesInput {
    readonly controllerRoleArn: string;
    readonly serviceAccountName: string;
}

/**
 * Chart values: the controller and its helpers on the system nodes; namespaced SecretStores and
 * push secrets neither installed nor processed, and ESO's roles not aggregated into the namespace
 * `edit`/`admin` roles, so tenants cannot create stores and choose their own session tags.
 */
export function buildExternalSecretsValues(input: EsoValuesInput): Values {
    const placement = placementOn("system");
    const scheduling = { nodeSelector: placement.nodeSelector, tolerations: placement.tolerations };
    return {
        installCRDs: true,
        // Chart 2.9.0 installs the SecretStore CRD whatever crds.createSecretStore says; tenants still
        // cannot use one: its reconciler is off (never Ready, so the flood gate refuses it), ESO's
        // roles are not aggregated into edit/admin, and the reader role trusts only the platform store.
        crds: { createPushSecret: false, createClusterPushSecret: false },
        processSecretStore: false,
        processPushSecret: false,
        processClusterPushSecret: false,
        replicaCount: 2,
        leaderElect: true,
        serviceAccount: {
            create: true,
            name: input.serviceAccountName,
            annotations: { "eks.amazonaws.com/role-arn": input.controllerRoleArn },
        },
        rbac: { create: true, aggregateToView: true, aggregateToEdit: false, aggregateToAdmin: false },
        ...scheduling,
        webhook: { ...scheduling, replicaCount: 2 },
        certController: scheduling,
    };
}
