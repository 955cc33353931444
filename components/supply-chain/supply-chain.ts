import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle } from "../shared/interfaces";
import { mergeValues, releaseArgs, Values } from "../shared/helm";
import { irsaTrustPolicy, policyDocument, toJson } from "../shared/iam-documents";
import { serviceKeyPolicy } from "../shared/kms-policies";
import { platformNamespace } from "../shared/namespace";
import { ciJobPermissions, lifecyclePolicy, verifierPermissions } from "./policies";
import { AWS_SIGNER_ROOT_G1 } from "./signer-root";
import {
    buildKyvernoValues,
    buildVerifierValues,
    ciPodSecurityPolicy,
    ImageExemption,
    KYVERNO_ADMISSION_SERVICE_ACCOUNT,
    KYVERNO_CHART,
    KYVERNO_NAMESPACE,
    KubernetesObject,
    NOTATION_AWS_CHART,
    pinnedImagesPolicy,
    PUBLIC_ADDON_IMAGES,
    signedImagePrefixes,
    signedImagesPolicy,
    trustPolicy,
    trustStore,
    VERIFIER_NAMESPACE,
    VERIFIER_RELEASE,
    VERIFIER_SERVICE_ACCOUNT,
    VERIFIER_TLS_SECRET,
    verifierReplicas,
} from "./kyverno";

/** The AWS Signer platform for Notation signatures of OCI images. */
export const SIGNING_PLATFORM = "Notation-OCI-SHA384-ECDSA";

/** A Kubernetes service account, by namespace and name. */
export interface ServiceAccountRef {
    readonly namespace: string;
    readonly name: string;
}

/** Arguments of the supply chain. */
export interface SupplyChainArgs {
    readonly cluster: ClusterHandle;
    readonly region: string;
    readonly accountId: string;
    /** The environment's name prefix (`cip-dev`): repositories are `<prefix>/<name>`, the profile `<prefix>` in Signer's alphabet. */
    readonly prefix: string;
    /** Repositories CI pushes to. @default ["apps"] */
    readonly repositories?: readonly string[];
    /** Validity of signatures, in months. @default 12 */
    readonly signatureValidityMonths?: number;
    /** Images each repository keeps. @default 100 */
    readonly keepImages?: number;
    /** Service accounts of CI jobs that may assume the CI job role (IRSA): runner job pods. @default [] */
    readonly ciJobServiceAccounts?: readonly ServiceAccountRef[];
    /** Namespaces of runner job pods: Pod Security restricted enforced by Kyverno; job images audited for digest pins. @default [] */
    readonly runnerJobNamespaces?: readonly string[];
    /** Namespaces of Jenkins agents: baseline enforced, restricted and digest pins audited. @default [] */
    readonly agentNamespaces?: readonly string[];
    /** Public images admitted without a digest pin, besides the reviewed add-on list. @default [] */
    readonly exemptImages?: readonly string[];
    /** Kyverno and the verifier with more replicas (prod). @default false */
    readonly highAvailability?: boolean;
    /** Exact Kyverno chart version. */
    readonly kyvernoChartVersion: string;
    /** Exact kyverno-notation-aws chart version. */
    readonly notationAwsChartVersion: string;
    /** @default 30 */
    readonly kmsDeletionWindowDays?: number;
    /** Protect the repositories' key and the repositories. @default true */
    readonly protect?: boolean;
    /** Helm values merged last into Kyverno. @default {} */
    readonly kyvernoValues?: Values;
}

/** Signer profile names: 2-64 letters, digits and underscores. */
export function signingProfileNamePrefix(prefix: string): string {
    return `${prefix.replace(/-/g, "_")}_`;
}

/** The registry host of an account and region. */
export function registryHost(accountId: string, region: string): string {
    return `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

/** Annotation of the verifier's Deployment patch that ties it to the release it corrects. */
export const VERIFIER_RELEASE_DIGEST_ANNOTATION = "ciplatform.io/verifier-release-digest";

/** SHA-256 of a release's chart, version and values (keys sorted, so equal values give equal digests). */
export function releaseDigest(chart: string, version: string | undefined, values: Record<string, unknown> | undefined): string {
    const canonical = (v: unknown): unknown =>
        Array.isArray(v)
            ? v.map(canonical)
            : v !== null && typeof v === "object"
              ? Object.fromEntries(
                    Object.keys(v)
                        .sort()
                        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
                )
              : v;
    return createHash("sha256")
        .update(JSON.stringify(canonical({ chart, version: version ?? "", values: values ?? {} })))
        .digest("hex");
}

/** Validates the arguments; messages name the argument, the value and what is allowed. */
export function validateSupplyChainArgs(args: Pick<SupplyChainArgs, "prefix" | "repositories" | "signatureValidityMonths">): string[] {
    const problems: string[] = [];
    if (!/^[a-z][a-z0-9-]{1,40}$/.test(args.prefix)) {
        problems.push(`prefix: got ${JSON.stringify(args.prefix)}; use lower-case letters, digits and hyphens, starting with a letter`);
    }
    const repositories = args.repositories ?? ["apps"];
    if (repositories.length === 0) problems.push("repositories: empty; name at least one repository CI pushes to");
    for (const r of repositories) {
        if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(r)) {
            problems.push(`repositories: got ${JSON.stringify(r)}; an ECR repository name is lower-case path segments such as apps/web`);
        }
    }
    const months = args.signatureValidityMonths ?? 12;
    if (!Number.isInteger(months) || months < 1 || months > 135) {
        problems.push(`signatureValidityMonths: got ${months}; AWS Signer allows 1 to 135 months`);
    }
    return problems;
}

/**
 * The environment's software supply chain: an AWS Signer profile for Notation, encrypted ECR
 * repositories with immutable tags and scan on push (the cluster's node roles pull with their
 * AmazonEC2ContainerRegistryPullOnly policy), a CI job role that may push there and sign with the
 * profile and nothing more, and Kyverno admitting pods only when images from those repositories
 * carry a valid, unrevoked signature of the profile (see kyverno.ts for the verifier choice).
 */
export class SupplyChain extends pulumi.ComponentResource {
    /** The signing profile's ARN (Notation's trusted identity; the CI template's `--id`). */
    public readonly signingProfileArn: pulumi.Output<string>;
    /** The signing profile's name. */
    public readonly signingProfileName: pulumi.Output<string>;
    /** Repository URLs by configured name. */
    public readonly repositoryUrls: Record<string, pulumi.Output<string>>;
    /** The role runner job pods assume (IRSA): push and sign only. */
    public readonly ciJobRoleArn: pulumi.Output<string>;
    /** The registry host of the environment's repositories. */
    public readonly registry: string;
    /** Kyverno's release and the policies: workloads that must be admitted under them wait for these. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: SupplyChainArgs, opts?: pulumi.ComponentResourceOptions) {
        super("ciplatform:supplychain:SupplyChain", name, {}, opts);
        const problems = validateSupplyChainArgs(args);
        if (problems.length > 0) throw new Error(`SupplyChain ${name}: ${problems.join("; ")}`);

        // Defaults, resolved once.
        const repositories = args.repositories ?? ["apps"];
        const protect = args.protect ?? true;
        const highAvailability = args.highAvailability ?? false;
        const jobAccounts = args.ciJobServiceAccounts ?? [];
        const runnerNamespaces = args.runnerJobNamespaces ?? [];
        const agentNamespaces = args.agentNamespaces ?? [];
        const exemptions: ImageExemption[] = [
            ...PUBLIC_ADDON_IMAGES,
            ...(args.exemptImages ?? []).map((pattern) => ({ pattern, reason: "exempted by the stack's supplyChainExemptImages" })),
        ];
        const k8sOpts = { parent: this, provider: args.cluster.provider };
        this.registry = registryHost(args.accountId, args.region);
        const platformImages = [`${this.registry}/${args.prefix}/*`];

        // Registry: one key for the environment's repositories, used by ECR on the account's behalf.
        const key = new aws.kms.Key(
            `${name}-ecr`,
            {
                description: `${args.prefix}: ECR repository encryption`,
                enableKeyRotation: true,
                deletionWindowInDays: args.kmsDeletionWindowDays ?? 30,
                policy: toJson(serviceKeyPolicy(args.accountId, args.region, "ecr")),
            },
            { parent: this, protect },
        );
        const repos = repositories.map((repo) => {
            const repository = new aws.ecr.Repository(
                `${name}-${repo.replace(/[/._]/g, "-")}`,
                {
                    name: `${args.prefix}/${repo}`,
                    imageTagMutability: "IMMUTABLE",
                    imageScanningConfiguration: { scanOnPush: true },
                    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }],
                },
                { parent: this, protect },
            );
            new aws.ecr.LifecyclePolicy(
                `${name}-${repo.replace(/[/._]/g, "-")}`,
                { repository: repository.name, policy: JSON.stringify(lifecyclePolicy(args.keepImages ?? 100)) },
                { parent: this },
            );
            return { repo, repository };
        });
        this.repositoryUrls = Object.fromEntries(repos.map(({ repo, repository }) => [repo, repository.repositoryUrl]));
        const repositoryArns = pulumi.all(repos.map(({ repository }) => repository.arn));

        // Signing: a Notation profile of the environment; its signatures expire with the configured validity.
        const profile = new aws.signer.SigningProfile(
            `${name}-images`,
            {
                platformId: SIGNING_PLATFORM,
                namePrefix: signingProfileNamePrefix(args.prefix),
                signatureValidityPeriod: { value: args.signatureValidityMonths ?? 12, type: "MONTHS" },
            },
            { parent: this, protect },
        );
        this.signingProfileArn = profile.arn;
        this.signingProfileName = profile.name;

        // The CI job role: runner job pods (IRSA) push to the repositories and sign with the profile.
        const jobRole = new aws.iam.Role(
            `${name}-ci-job`,
            {
                description: `${args.prefix}: CI jobs (IRSA): push to the environment's repositories and sign with its profile, nothing more`,
                assumeRolePolicy: toJson(
                    pulumi.all([args.cluster.oidcProviderArn, args.cluster.oidcIssuer]).apply(([arn, issuer]) =>
                        jobAccounts.length === 0
                            ? // No CI job service account yet: a trust policy that admits nobody.
                              policyDocument({
                                  Effect: "Deny",
                                  Principal: { Federated: arn },
                                  Action: "sts:AssumeRoleWithWebIdentity",
                              })
                            : policyDocument(...jobAccounts.flatMap((sa) => irsaTrustPolicy(arn, issuer, sa.namespace, sa.name).Statement)),
                    ),
                ),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-ci-job`,
            {
                role: jobRole.name,
                policy: toJson(
                    pulumi
                        .all([repositoryArns, profile.arn])
                        .apply(([arns, profileArn]) => ciJobPermissions(arns, profileArn, args.region, args.accountId)),
                ),
            },
            { parent: this },
        );
        this.ciJobRoleArn = jobRole.arn;

        // Kyverno: admission and background controllers on the system nodes, HA in prod.
        const kyvernoNamespace = platformNamespace(`${name}-kyverno`, KYVERNO_NAMESPACE, "restricted", false, k8sOpts);
        const kyverno = new k8s.helm.v3.Release(
            `${name}-kyverno`,
            releaseArgs(
                { ...KYVERNO_CHART, version: args.kyvernoChartVersion },
                kyvernoNamespace.metadata.name,
                mergeValues(buildKyvernoValues(highAvailability), args.kyvernoValues),
            ),
            { ...k8sOpts, dependsOn: [kyvernoNamespace] },
        );

        // The verification service Kyverno calls, with its own IRSA role (image reads, revocation status).
        const verifierRole = new aws.iam.Role(
            `${name}-verifier`,
            {
                description: `${args.prefix}: kyverno-notation-aws (IRSA): read the environment's images and signatures, check Signer revocation`,
                assumeRolePolicy: toJson(
                    pulumi
                        .all([args.cluster.oidcProviderArn, args.cluster.oidcIssuer])
                        .apply(([arn, issuer]) => irsaTrustPolicy(arn, issuer, VERIFIER_NAMESPACE, VERIFIER_SERVICE_ACCOUNT)),
                ),
            },
            { parent: this },
        );
        const verifierPolicy = new aws.iam.RolePolicy(
            `${name}-verifier`,
            {
                role: verifierRole.name,
                policy: toJson(
                    pulumi
                        .all([repositoryArns, profile.arn])
                        .apply(([arns, profileArn]) => verifierPermissions(arns, profileArn, args.region, args.accountId)),
                ),
            },
            { parent: this },
        );
        const verifierNamespace = platformNamespace(`${name}-verifier`, VERIFIER_NAMESPACE, "restricted", false, k8sOpts);
        const verifier = new k8s.helm.v3.Release(
            `${name}-verifier`,
            {
                ...releaseArgs(
                    { ...NOTATION_AWS_CHART, version: args.notationAwsChartVersion },
                    verifierNamespace.metadata.name,
                    verifierRole.arn.apply((roleArn) => buildVerifierValues(args.region, roleArn)),
                ),
                name: VERIFIER_RELEASE,
            },
            { ...k8sOpts, dependsOn: [verifierNamespace, verifierPolicy] },
        );
        // The chart hard-codes one replica and AWS_REGION=us-west-2 (templates/deployment.yaml of 1.1.0): corrected server-side.
        // Helm's upgrade is a three-way merge that resets live fields to the chart's (helm/helm pkg/kube/client.go createPatch),
        // so every upgrade of the release undoes the patch: the patch carries a digest of what the release was upgraded to
        // (chart, version, values as Pulumi sent them), which changes exactly when Pulumi upgrades the release, and so it is re-applied
        // after every upgrade. Helm owns replicas and env through its own (Update) field manager: the apply is forced.
        const verifierPatch = new k8s.apps.v1.DeploymentPatch(
            `${name}-verifier`,
            {
                metadata: {
                    name: VERIFIER_RELEASE,
                    namespace: VERIFIER_NAMESPACE,
                    annotations: {
                        "pulumi.com/patchForce": "true",
                        [VERIFIER_RELEASE_DIGEST_ANNOTATION]: pulumi
                            .all([verifier.chart, verifier.version, verifier.values])
                            .apply(([chart, version, values]) => releaseDigest(chart, version, values)),
                    },
                },
                spec: {
                    replicas: verifierReplicas(highAvailability),
                    template: {
                        spec: {
                            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                            containers: [{ name: VERIFIER_RELEASE, env: [{ name: "AWS_REGION", value: args.region }] }],
                        },
                    },
                },
            },
            { ...k8sOpts, dependsOn: [verifier] },
        );
        // Kyverno's admission controller reads the CA bundle the service publishes (its sample policy's apiCall), nothing else there.
        const caReader = new k8s.rbac.v1.Role(
            `${name}-verifier-ca`,
            {
                metadata: { name: "kyverno-reads-verifier-ca", namespace: VERIFIER_NAMESPACE },
                rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [VERIFIER_TLS_SECRET], verbs: ["get"] }],
            },
            { ...k8sOpts, dependsOn: [verifierNamespace] },
        );
        const caReaderBinding = new k8s.rbac.v1.RoleBinding(
            `${name}-verifier-ca`,
            {
                metadata: { name: "kyverno-reads-verifier-ca", namespace: VERIFIER_NAMESPACE },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "kyverno-reads-verifier-ca" },
                subjects: [{ kind: "ServiceAccount", name: KYVERNO_ADMISSION_SERVICE_ACCOUNT, namespace: KYVERNO_NAMESPACE }],
            },
            { ...k8sOpts, dependsOn: [caReader] },
        );

        // Trust: the AWS Signer root, and the environment's profile as the only trusted identity.
        const trustPolicyName = `${args.prefix}-images`;
        const custom = (
            resourceName: string,
            object: Omit<KubernetesObject, "spec"> & { readonly spec: pulumi.Input<Record<string, unknown>> },
            dependsOn: pulumi.Resource[],
        ) =>
            new k8s.apiextensions.CustomResource(
                resourceName,
                { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata, spec: object.spec },
                { ...k8sOpts, dependsOn },
            );
        const store = custom(`${name}-trust-store`, trustStore(AWS_SIGNER_ROOT_G1), [verifier]);
        // Notation scopes are whole repositories (no wildcards): exactly the environment's.
        const scopes = repositories.map((repo) => `${this.registry}/${args.prefix}/${repo}`);
        const trustFor = (profileArn: string) => trustPolicy(trustPolicyName, scopes, profileArn);
        const trust = custom(`${name}-trust-policy`, { ...trustFor(""), spec: profile.arn.apply((arn) => trustFor(arn).spec) }, [verifier]);

        // Policies: signed platform images; everything else pinned or exempted; Pod Security of CI pods.
        const policyDeps = [kyverno, verifierPatch, caReaderBinding, store, trust];
        const excludedNamespaces = [KYVERNO_NAMESPACE, VERIFIER_NAMESPACE];
        const policies = [
            custom(
                `${name}-signed-images`,
                signedImagesPolicy({
                    name: `${args.prefix}-signed-images`,
                    platformPrefixes: signedImagePrefixes(this.registry),
                    trustPolicyName,
                    excludedNamespaces,
                }),
                policyDeps,
            ),
            custom(
                `${name}-pinned-images`,
                pinnedImagesPolicy({
                    name: `${args.prefix}-pinned-images`,
                    platformImages,
                    accountId: args.accountId,
                    registry: this.registry,
                    exemptions,
                    auditNamespaces: [...runnerNamespaces, ...agentNamespaces],
                    excludedNamespaces,
                }),
                [kyverno],
            ),
            ...(runnerNamespaces.length + agentNamespaces.length > 0
                ? [
                      custom(
                          `${name}-ci-pod-security`,
                          ciPodSecurityPolicy({
                              name: `${args.prefix}-ci-pod-security`,
                              enforceNamespaces: runnerNamespaces,
                              auditNamespaces: agentNamespaces,
                          }),
                          [kyverno],
                      ),
                  ]
                : []),
        ];
        this.ready = [kyverno, ...policies];
        this.registerOutputs({
            signingProfileArn: this.signingProfileArn,
            signingProfileName: this.signingProfileName,
            repositoryUrls: this.repositoryUrls,
            ciJobRoleArn: this.ciJobRoleArn,
            registry: this.registry,
        });
    }
}
