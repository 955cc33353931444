import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle, NamespacedSecret, NamespacedSecretArgs, SecretsCatalog } from "../shared/interfaces";
import { mergeValues, releaseArgs, Values } from "../shared/helm";
import { irsaTrustPolicy, toJson } from "../shared/iam-documents";
import { serviceKeyPolicy } from "../shared/kms-policies";
import { controllerPermissions, readerPermissions, readerTrustPolicy } from "./policies";
import { buildExternalSecretsValues, clusterSecretStore, externalSecret } from "./objects";
import { platformNamespace } from "../shared/namespace";

export const EXTERNAL_SECRETS_CHART = { chart: "external-secrets", repository: "https://charts.external-secrets.io" } as const;

const NAMESPACE = "external-secrets";
const SERVICE_ACCOUNT = "external-secrets";

/** Arguments of the External Secrets component. */
export interface ExternalSecretsArgs {
    readonly cluster: ClusterHandle;
    readonly region: string;
    readonly accountId: string;
    /** Prefix of every Secrets Manager secret name, e.g. `cip-dev`. */
    readonly secretNamePrefix: string;
    /** Exact external-secrets chart version (2.x). */
    readonly chartVersion: string;
    /** Tag key on secrets naming the namespace allowed to read them. @default "ekssecret" */
    readonly abacTagKey?: string;
    /** Name of the platform ClusterSecretStore. @default "platform-secrets" */
    readonly storeName?: string;
    /** Days a deleted secret stays recoverable. @default 30 */
    readonly recoveryWindowDays?: number;
    /** Days before the deleted platform key is destroyed. @default 30 */
    readonly kmsDeletionWindowDays?: number;
    /** Protect the key and secrets from deletion. @default true */
    readonly protect?: boolean;
    /** Helm values merged last. @default {} */
    readonly values?: Values;
}

const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Validates a secret request; messages name the field, the value and what is allowed. */
export function validateSecretRequest(name: string, args: NamespacedSecretArgs): string[] {
    const problems: string[] = [];
    if (!KUBERNETES_NAME.test(args.namespace)) {
        problems.push(`${name}.namespace: got ${JSON.stringify(args.namespace)}; must be a Kubernetes namespace name`);
    }
    if (!KUBERNETES_NAME.test(args.kubernetesSecretName)) {
        problems.push(`${name}.kubernetesSecretName: got ${JSON.stringify(args.kubernetesSecretName)}; must be a Kubernetes name`);
    }
    const keys = Object.keys(args.keys);
    if (keys.length === 0) {
        problems.push(`${name}.keys: empty; name at least one key of the Kubernetes Secret`);
    }
    if (Object.values(args.keys).includes(undefined) && keys.length > 1) {
        problems.push(`${name}.keys: a key that copies the whole value must be the only key`);
    }
    return problems;
}

/**
 * External Secrets Operator with attribute-based access to Secrets Manager: one reader role that
 * reads a secret only when the secret's ABAC tag equals the namespace ESO tags the session with,
 * one platform ClusterSecretStore for labelled namespaces, and no way for tenants to bring their
 * own store. Implements `SecretsCatalog` for the other components.
 */
export class ExternalSecrets extends pulumi.ComponentResource implements SecretsCatalog {
    /** The platform secrets KMS key. */
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** The role ESO assumes to read secrets (ABAC). */
    public readonly readerRoleArn: pulumi.Output<string>;
    /** The ESO controller's IRSA role. */
    public readonly controllerRoleArn: pulumi.Output<string>;
    /** Name of the platform ClusterSecretStore. */
    public readonly storeName: string;

    private readonly abacTagKey: string;
    private readonly secretNamePrefix: string;
    private readonly recoveryWindowDays: number;
    private readonly protectSecrets: boolean;
    private readonly provider: k8s.Provider;
    private readonly ready: pulumi.Resource[];

    constructor(name: string, args: ExternalSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:secrets:ExternalSecrets", name, {}, opts);

        // Defaults, resolved once.
        this.abacTagKey = args.abacTagKey ?? "ekssecret";
        this.storeName = args.storeName ?? "platform-secrets";
        this.secretNamePrefix = args.secretNamePrefix;
        this.recoveryWindowDays = args.recoveryWindowDays ?? 30;
        this.protectSecrets = args.protect ?? true;
        this.provider = args.cluster.provider;
        const deletionWindowInDays = args.kmsDeletionWindowDays ?? 30;
        const k8sOpts = { parent: this, provider: args.cluster.provider };

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `${args.secretNamePrefix}: encrypts the platform's Secrets Manager secrets`,
                enableKeyRotation: true,
                deletionWindowInDays,
                policy: toJson(serviceKeyPolicy(args.accountId, args.region, "secretsmanager")),
            },
            { parent: this, protect: this.protectSecrets },
        );
        new aws.kms.Alias(
            `${name}-key`,
            { name: `alias/${args.secretNamePrefix}/platform-secrets`, targetKeyId: key.keyId },
            { parent: this },
        );

        const controllerRole = new aws.iam.Role(
            `${name}-controller`,
            {
                description: "External Secrets controller (IRSA): may only assume the secrets-reader role",
                assumeRolePolicy: toJson(
                    pulumi
                        .all([args.cluster.oidcProviderArn, args.cluster.oidcIssuer])
                        .apply(([arn, issuer]) => irsaTrustPolicy(arn, issuer, NAMESPACE, SERVICE_ACCOUNT)),
                ),
            },
            { parent: this },
        );
        const readerRole = new aws.iam.Role(
            `${name}-reader`,
            {
                description: "Reads a platform secret only when its ABAC tag equals the session's namespace",
                assumeRolePolicy: toJson(
                    controllerRole.arn.apply((controllerRoleArn) => readerTrustPolicy({ controllerRoleArn, storeName: this.storeName })),
                ),
                maxSessionDuration: 3600,
            },
            { parent: this },
        );
        const readerPolicy = new aws.iam.RolePolicy(
            `${name}-reader`,
            {
                role: readerRole.name,
                policy: toJson(
                    key.arn.apply((kmsKeyArn) =>
                        readerPermissions({
                            region: args.region,
                            accountId: args.accountId,
                            secretNamePrefix: args.secretNamePrefix,
                            abacTagKey: this.abacTagKey,
                            kmsKeyArn,
                        }),
                    ),
                ),
            },
            { parent: this },
        );
        const controllerPolicy = new aws.iam.RolePolicy(
            `${name}-controller`,
            { role: controllerRole.name, policy: toJson(readerRole.arn.apply(controllerPermissions)) },
            { parent: this },
        );

        const namespace = platformNamespace(`${name}-namespace`, NAMESPACE, "restricted", false, k8sOpts);
        const values = controllerRole.arn.apply((controllerRoleArn) =>
            mergeValues(buildExternalSecretsValues({ controllerRoleArn, serviceAccountName: SERVICE_ACCOUNT }), args.values),
        );
        const release = new k8s.helm.v3.Release(
            `${name}-chart`,
            releaseArgs({ ...EXTERNAL_SECRETS_CHART, version: args.chartVersion }, namespace.metadata.name, values),
            // Its pods run on the system nodes and resolve AWS endpoints through CoreDNS: the atomic release waits for both.
            { ...k8sOpts, dependsOn: [controllerPolicy, readerPolicy, ...args.cluster.systemReady] },
        );
        const store = readerRole.arn.apply((readerRoleArn) =>
            clusterSecretStore({ name: this.storeName, region: args.region, readerRoleArn }),
        );
        const storeResource = new k8s.apiextensions.CustomResource(
            `${name}-store`,
            {
                apiVersion: "external-secrets.io/v1",
                kind: "ClusterSecretStore",
                metadata: { name: this.storeName },
                spec: store.apply((s) => s.spec),
            },
            { ...k8sOpts, dependsOn: [release] },
        );

        this.ready = [storeResource];
        this.kmsKeyArn = key.arn;
        this.readerRoleArn = readerRole.arn;
        this.controllerRoleArn = controllerRole.arn;
        this.registerOutputs({
            kmsKeyArn: this.kmsKeyArn,
            readerRoleArn: this.readerRoleArn,
            controllerRoleArn: this.controllerRoleArn,
            storeName: this.storeName,
        });
    }

    /**
     * Creates the CMK-encrypted Secrets Manager secret, tagged `<abacTagKey>=<namespace>`, and the
     * ExternalSecret that syncs it into the namespace. The namespace must carry the platform
     * secrets label (see `namespaceLabels`). `opts.parent` owns the children; `opts.dependsOn` (the
     * namespace) is what the ExternalSecret waits for besides the store and the secret.
     */
    public namespacedSecret(name: string, args: NamespacedSecretArgs, opts?: pulumi.ComponentResourceOptions): NamespacedSecret {
        const problems = validateSecretRequest(name, args);
        if (problems.length > 0) {
            throw new Error(`ExternalSecrets.namespacedSecret: ${problems.join("; ")}`);
        }
        const parent = opts?.parent ?? this;
        const secretName = `${this.secretNamePrefix}/${args.namespace}/${args.kubernetesSecretName}`;
        const secret = new aws.secretsmanager.Secret(
            `${name}-secret`,
            {
                name: secretName,
                description: args.description,
                kmsKeyId: this.kmsKeyArn,
                recoveryWindowInDays: this.recoveryWindowDays,
                tags: { [this.abacTagKey]: args.namespace },
            },
            { parent, protect: this.protectSecrets },
        );
        const version =
            args.value === undefined
                ? undefined
                : new aws.secretsmanager.SecretVersion(
                      `${name}-value`,
                      { secretId: secret.id, secretString: pulumi.secret(args.value) },
                      { parent },
                  );
        const object = externalSecret({
            name: args.kubernetesSecretName,
            namespace: args.namespace,
            storeName: this.storeName,
            secretName,
            kubernetesSecretName: args.kubernetesSecretName,
            keys: args.keys,
            secretType: args.kubernetesSecretType,
        });
        // The namespace (given in opts.dependsOn by the caller) must exist before the ExternalSecret.
        const callerDependsOn = opts?.dependsOn ? (Array.isArray(opts.dependsOn) ? opts.dependsOn : [opts.dependsOn]) : [];
        const synced = new k8s.apiextensions.CustomResource(
            `${name}-external-secret`,
            {
                apiVersion: "external-secrets.io/v1",
                kind: "ExternalSecret",
                metadata: {
                    name: args.kubernetesSecretName,
                    namespace: args.namespace,
                    // ESO reconciles an ExternalSecret whose annotations change (external-secrets.io docs, FAQ "Can I manually trigger a secret refresh?").
                    ...(args.revision === undefined ? {} : { annotations: { "force-sync": args.revision } }),
                },
                spec: object.spec,
            },
            {
                parent,
                provider: this.provider,
                // After the value: a forced sync must read the new version.
                dependsOn: [...this.ready, secret, ...(version ? [version] : []), ...(callerDependsOn as pulumi.Input<pulumi.Resource>[])],
            },
        );
        return { secretArn: secret.arn, secretName: secret.name, kubernetesSecretName: args.kubernetesSecretName, externalSecret: synced };
    }
}
