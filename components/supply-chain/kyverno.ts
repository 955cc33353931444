/**
 * Kyverno, the Notation verification service it calls, and the policies that admit only signed
 * platform images, as pure builders (chart values and Kubernetes objects).
 *
 * Why kyverno-notation-aws and not Kyverno's own Notary verification: Kyverno's built-in verifier
 * (kyverno/kyverno pkg/notary/notary.go, v1.19) builds a fixed Notation trust policy with
 * `trustedIdentities: ["*"]` and no plugin manager (`verifier.New(policy, store, nil)`). With the AWS
 * Signer root as its only certificate it would therefore accept a signature from ANY Signer profile
 * of any account, and it cannot run the AWS Signer plugin that AWS Signer signatures name as their
 * verification plugin, which is also the only way to check Signer's revocation
 * (`signer:GetRevocationStatus`: revoked profiles, profile versions and signatures). The
 * kyverno-notation-aws extension (nirmata/kyverno-notation-aws, chart 1.1.0) runs notation-go with
 * the AWS Signer plugin against TrustPolicy/TrustStore resources: the trusted identity is exactly the
 * environment's profile and revocation is checked on every verification. Its costs, handled here:
 * it is a service in the admission path (Kyverno fails closed when it is down, so it runs two
 * replicas on the system nodes and its own namespace is never subject to the policy), and its chart
 * hard-codes `replicas: 1` and `AWS_REGION=us-west-2` (templates/deployment.yaml), which the
 * component corrects with a server-side-apply patch of the Deployment.
 */
import { placementOn } from "../shared/interfaces";
import { Values } from "../shared/helm";

export const KYVERNO_CHART = { chart: "kyverno", repository: "https://kyverno.github.io/kyverno" } as const;
export const NOTATION_AWS_CHART = { chart: "kyverno-notation-aws", repository: "https://nirmata.github.io/kyverno-notation-aws" } as const;

export const KYVERNO_NAMESPACE = "kyverno";
export const VERIFIER_NAMESPACE = "kyverno-notation-aws";
/** Release name = chart name, so the chart's fullname (and the names below) is the chart name (templates/_helpers/_names.tpl). */
export const VERIFIER_RELEASE = "kyverno-notation-aws";
/** The chart's service account (`serviceAccountName` = the chart name). */
export const VERIFIER_SERVICE_ACCOUNT = "kyverno-notation-aws";
/** The chart's Service (`<fullname>-svc`), port 443 → 9443. */
export const VERIFIER_SERVICE = `${VERIFIER_RELEASE}-svc`;
/** The TLS pair the service writes for itself (`<service>.<namespace>.svc.tls-pair`, as its sample policy reads it). */
export const VERIFIER_TLS_SECRET = `${VERIFIER_SERVICE}.${VERIFIER_NAMESPACE}.svc.tls-pair`;
/** Kyverno's admission controller service account (chart 3.9.0 `kyverno.admission-controller.serviceAccountName`). */
export const KYVERNO_ADMISSION_SERVICE_ACCOUNT = "kyverno-admission-controller";
/** Name of the trust store holding the AWS Signer root. */
export const TRUST_STORE = "aws-signer-root";

/** The container lists of a pod spec that carry images. */
export const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;

/** Restricted Pod Security contexts, for charts whose defaults lack them. */
const RESTRICTED_POD = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } as const;

/** Kyverno: HA (3 admission replicas, 2 of each other controller) when asked, on the system nodes, restricted pods. */
export function buildKyvernoValues(highAvailability: boolean): Values {
    const placement = placementOn("system");
    const controller = (replicas: number): Values => ({
        replicas,
        nodeSelector: placement.nodeSelector,
        tolerations: placement.tolerations,
        podSecurityContext: RESTRICTED_POD,
        ...(replicas > 1 ? { podDisruptionBudget: { enabled: true, minAvailable: 1 } } : {}),
    });
    return {
        // The verifier (kyverno-notation-aws v1.1, `--reviewKyvernoToken` on by default) authenticates Kyverno's call with a
        // TokenReview that names no audience, so only a token for the API server's audience passes
        // (nirmata/kyverno-notation-verifier verifier/client.go HandleCheckImages). Kyverno 1.19 (chart 3.9.0) sends a projected
        // token with the audience `kyverno-svc.kyverno.io` by default (values `apiCallToken.audience`, pkg/engine/apicall
        // executor.go addHTTPHeaders): the review fails and every signed image would be refused. An empty audience gives the
        // API server's default audience, as every Kyverno before 1.19 sent.
        apiCallToken: { audience: "" },
        admissionController: controller(highAvailability ? 3 : 1),
        backgroundController: controller(highAvailability ? 2 : 1),
        cleanupController: controller(highAvailability ? 2 : 1),
        reportsController: controller(highAvailability ? 2 : 1),
    };
}

/** The verification service: IRSA, the environment's region, on the system nodes, restricted pod. */
export function buildVerifierValues(region: string, roleArn: string): Values {
    const placement = placementOn("system");
    return {
        region,
        serviceAccount: { enabled: true, name: VERIFIER_SERVICE_ACCOUNT, annotations: { "eks.amazonaws.com/role-arn": roleArn } },
        nodeSelector: placement.nodeSelector,
        tolerations: placement.tolerations,
    };
}

/** Replicas of the verification service: one per zone of a three-zone cluster in prod, two elsewhere (admission fails closed without it). */
export function verifierReplicas(highAvailability: boolean): number {
    return highAvailability ? 3 : 2;
}

/** A Kubernetes object as a plain typed record (Kyverno and kyverno-notation-aws ship no TypeScript models). */
export interface KubernetesObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly annotations?: Record<string, string> };
    readonly spec: Record<string, unknown>;
}

/** The trust store: the AWS Signer root, as a signing authority (the type AWS Signer's plugin verifies against). */
export function trustStore(rootPem: string): KubernetesObject {
    return {
        apiVersion: "notation.nirmata.io/v1alpha1",
        kind: "TrustStore",
        metadata: { name: TRUST_STORE },
        spec: { trustStoreName: TRUST_STORE, type: "signingAuthority", caBundle: rootPem },
    };
}

/**
 * The Notation trust policy of the environment: images of its registries, strict verification
 * (integrity, authenticity, expiry, revocation all enforced), trusted identity = its signing profile.
 */
export function trustPolicy(name: string, registryScopes: readonly string[], profileArn: string): KubernetesObject {
    return {
        apiVersion: "notation.nirmata.io/v1alpha1",
        kind: "TrustPolicy",
        metadata: { name },
        spec: {
            version: "1.0",
            // Required by the CRD; the service keys its verifiers by it (the request's `trustPolicy`), not by metadata.name
            // (nirmata/kyverno-notation-verifier kubenotation/internal/controller/trustpolicy_controller.go, pkg/notationfactory/client.go).
            trustPolicyName: name,
            trustPolicies: [
                {
                    name,
                    registryScopes: [...registryScopes],
                    signatureVerification: { level: "strict" },
                    trustStores: [`signingAuthority:${TRUST_STORE}`],
                    trustedIdentities: [profileArn],
                },
            ],
        },
    };
}

export interface SignedImagesPolicyInput {
    /** Policy name. */
    readonly name: string;
    /** Image prefixes of the platform's repositories (`<registry>/<prefix>/`). */
    readonly platformPrefixes: readonly string[];
    /** The TrustPolicy the service verifies with. */
    readonly trustPolicyName: string;
    /** Namespaces the policy never applies to (Kyverno's and the verifier's own: they must start without it). */
    readonly excludedNamespaces: readonly string[];
}

/**
 * Image prefixes the signed-images policy sends to the verifier: the environment's whole registry host
 * (`<account>.dkr.ecr.<region>.amazonaws.com/`), not only its own `<prefix>/` repositories. Environments
 * share an account's registry, and every node role pulls any repository of it (AmazonEC2ContainerRegistryPullOnly),
 * so an image of another environment's repository (or any other repository of the account) pinned by digest would
 * otherwise pass the pinned-or-exempt policy unverified. The trust policy scopes only the environment's
 * repositories: such an image has no applicable trust policy and is refused.
 */
export function signedImagePrefixes(registry: string): string[] {
    return [`${registry}/`];
}

/** The JMESPath of a pod's containers in `list` whose image comes from the platform's repositories. */
export function platformContainers(list: (typeof CONTAINER_LISTS)[number], prefixes: readonly string[]): string {
    const test = prefixes.map((p) => `starts_with(image, '${p}')`).join(" || ");
    return `request.object.spec.${list}[?${test}]`;
}

/**
 * Admits a pod only when every image from the platform's registries carries a valid signature of
 * the environment's profile: for each such container Kyverno asks the verification service
 * (`/checkimages`, TLS with the CA bundle the service publishes), which answers with the verified
 * digest and the image's JSON pointer, and pins the image to it. A failed verification is an error
 * of the API call, and the policy fails closed (`failurePolicy: Fail`), so the pod is refused.
 *
 * Kyverno loads a foreach's context before it evaluates its preconditions (kyverno/kyverno
 * pkg/engine/handlers/mutation, `forEachMutator`: LoadContext, then checkPreconditions), so the
 * platform's containers are selected by the list expression itself: no call is made for any other
 * image, and a pod without platform images never needs the service. Images from elsewhere are left
 * to the pinned-or-exempt policy.
 */
export function signedImagesPolicy(input: SignedImagesPolicyInput): KubernetesObject {
    const service = `https://${VERIFIER_SERVICE}.${VERIFIER_NAMESPACE}/checkimages`;
    return {
        apiVersion: "kyverno.io/v1",
        kind: "ClusterPolicy",
        metadata: {
            name: input.name,
            annotations: {
                "policies.kyverno.io/title": "Signed platform images",
                "policies.kyverno.io/category": "Supply chain",
                "policies.kyverno.io/severity": "high",
                "policies.kyverno.io/description":
                    "Images from the platform's registries run only with a valid, unrevoked AWS Signer signature of the environment's signing profile.",
            },
        },
        spec: {
            background: false,
            failurePolicy: "Fail",
            webhookTimeoutSeconds: 30,
            rules: CONTAINER_LISTS.map((list) => {
                const selected = platformContainers(list, input.platformPrefixes);
                return {
                    name: `verify-${list.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
                    match: { any: [{ resources: { kinds: ["Pod"], operations: ["CREATE", "UPDATE"] } }] },
                    exclude: { any: [{ resources: { namespaces: [...input.excludedNamespaces] } }] },
                    preconditions: { all: [{ key: `{{ length(${selected} || \`[]\`) }}`, operator: "GreaterThan", value: 0 }] },
                    mutate: {
                        foreach: [
                            {
                                list: selected,
                                context: [
                                    {
                                        name: "verifierCa",
                                        apiCall: {
                                            urlPath: `/api/v1/namespaces/${VERIFIER_NAMESPACE}/secrets/${VERIFIER_TLS_SECRET}`,
                                            jmesPath: 'base64_decode(data."tls.crt")',
                                        },
                                    },
                                    {
                                        name: "verified",
                                        apiCall: {
                                            method: "POST",
                                            data: [
                                                {
                                                    key: "images",
                                                    value: {
                                                        [list]: { "{{ element.name }}": `{{ images.${list}."{{ element.name }}" }}` },
                                                    },
                                                },
                                                { key: "trustPolicy", value: input.trustPolicyName },
                                            ],
                                            service: { url: service, caBundle: "{{ verifierCa }}" },
                                        },
                                    },
                                ],
                                // The service answers with JSON patch operations (`op`, `path`, `value`: pkg/types ResponseData.Results, verifier/response.go AddImage).
                                patchesJson6902:
                                    "- path: '{{ verified.results[0].path }}'\n  op: replace\n  value: '{{ verified.results[0].value }}'",
                            },
                        ],
                    },
                };
            }),
        },
    };
}

/** A public image the platform admits without a digest pin, and why. */
export interface ImageExemption {
    readonly pattern: string;
    readonly reason: string;
}

/**
 * Public add-on images admitted by tag: each is a chart the platform pins by exact version, from
 * its project's own registry; the chart pins the image tag and the registry's tags for releases
 * are not rewritten by those projects. Pinning them by digest would mean overriding every chart's
 * image values on each upgrade. kube-system (Karpenter, the load balancer controller, EKS add-ons)
 * is outside Kyverno's webhooks altogether (chart default `config.webhooks.namespaceSelector`).
 */
export const PUBLIC_ADDON_IMAGES: readonly ImageExemption[] = [
    { pattern: "reg.kyverno.io/kyverno/*", reason: "Kyverno and Policy Reporter (kyverno chart, policy-reporter chart)" },
    { pattern: "ghcr.io/kyverno/*", reason: "Kyverno and Policy Reporter images on GitHub's registry (older chart defaults)" },
    { pattern: "ghcr.io/nirmata/kyverno-notation-aws:*", reason: "the Notation verification service (kyverno-notation-aws chart)" },
    { pattern: "docker.io/falcosecurity/*", reason: "Falco, falcoctl and Falcosidekick (falcosecurity charts)" },
    { pattern: "falcosecurity/*", reason: "Falco images as the charts name them (Docker Hub short form)" },
    { pattern: "quay.io/jetstack/*", reason: "cert-manager (cert-manager chart)" },
    { pattern: "public.ecr.aws/k1n1h4h4/*", reason: "aws-privateca-issuer (its chart's default registry)" },
    { pattern: "oci.external-secrets.io/external-secrets/*", reason: "External Secrets Operator (external-secrets chart)" },
    { pattern: "ghcr.io/external-secrets/*", reason: "External Secrets Operator on GitHub's registry" },
    { pattern: "registry.gitlab.com/gitlab-org/*", reason: "GitLab runner manager and helper (gitlab-runner chart)" },
    { pattern: "docker.io/jenkins/*", reason: "Jenkins controller and inbound agent (jenkins chart)" },
    { pattern: "jenkins/*", reason: "Jenkins images as the chart names them (Docker Hub short form)" },
    { pattern: "docker.io/kiwigrid/k8s-sidecar:*", reason: "Jenkins configuration-as-code reload sidecar (jenkins chart)" },
    { pattern: "quay.io/piraeusdatastore/*", reason: "LINSTOR operator, satellites and CSI (piraeus chart)" },
    { pattern: "registry.k8s.io/*", reason: "Kubernetes SIG images (CSI sidecars, snapshot controller)" },
];

export interface PinnedImagesPolicyInput {
    readonly name: string;
    /** Patterns of the platform's own registries (signed instead of pinned). */
    readonly platformImages: readonly string[];
    /** The account whose registry the signed-images policy verifies: any other spelling of its hosts is refused. */
    readonly accountId: string;
    /** The one spelling of the account's registry host the signed-images policy sends to the verifier (`registryHost`). */
    readonly registry: string;
    /** The reviewed add-on list plus the stack's own exemptions. */
    readonly exemptions: readonly ImageExemption[];
    /** Namespaces where pipelines choose their images (runner jobs, Jenkins agents): audited, not enforced. */
    readonly auditNamespaces: readonly string[];
    readonly excludedNamespaces: readonly string[];
}

/**
 * Any image reference whose host is one of the account's ECR endpoints, in any spelling but the canonical one:
 * the host begins with `<account>.`, as every ECR endpoint of the account does (standard
 * `<account>.dkr.ecr.<region>.amazonaws.com`, FIPS `dkr.ecr-fips`, dual-stack `<account>.dkr-ecr.<region>.on.aws`
 * (Amazon ECR user guide, "Making requests to Amazon ECR registries"), China `.amazonaws.com.cn`, every other region, any case, an
 * explicit `:443`, a trailing dot), while it does not begin with exactly `<registry>/`, the prefix the signed-images
 * policy matches with a case-sensitive `starts_with` (`signedImagePrefixes`). The nodes pull every such spelling with
 * the same credentials, so without this an image of the account pinned by digest would pass the pinned-or-exempt rule
 * unverified. Digits have no case and the prefix is all digits and a dot, so no case folding is needed to match
 * every spelling; the exact comparison is what keeps upper-case hosts out. Only `starts_with`, a JMESPath built-in
 * (kyverno/go-jmespath, the fork kyverno v1.19.0 evaluates with), is used; the test checks every function the
 * policies call against Kyverno 1.19's.
 */
export function accountRegistryBypassConditions(
    accountId: string,
    registry: string,
): Array<{ key: string; operator: string; value: boolean }> {
    return [
        { key: `{{ starts_with(element.image, '${accountId}.') }}`, operator: "Equals", value: true },
        { key: `{{ starts_with(element.image, '${registry}/') }}`, operator: "Equals", value: false },
    ];
}

/**
 * Every other image must be pinned by digest (`…@sha256:…`) unless it is exempted. Enforced,
 * except where CI pipelines choose job images (`image:` in `.gitlab-ci.yml`, Jenkins agent
 * templates): there it is audited first, so findings reach Security Hub without breaking builds.
 */
export function pinnedImagesPolicy(input: PinnedImagesPolicyInput): KubernetesObject {
    const allowed = [...input.platformImages, ...input.exemptions.map((e) => e.pattern), "*@sha256:*"];
    return {
        apiVersion: "kyverno.io/v1",
        kind: "ClusterPolicy",
        metadata: {
            name: input.name,
            annotations: {
                "policies.kyverno.io/title": "Public images pinned by digest or exempted",
                "policies.kyverno.io/category": "Supply chain",
                "policies.kyverno.io/severity": "medium",
                "policies.kyverno.io/description": `Images outside the platform's registries run only pinned by digest, or when exempted: ${input.exemptions
                    .map((e) => `${e.pattern} (${e.reason})`)
                    .join("; ")}.`,
            },
        },
        spec: {
            background: true,
            rules: [
                {
                    name: "pinned-or-exempt",
                    match: { any: [{ resources: { kinds: ["Pod"] } }] },
                    exclude: { any: [{ resources: { namespaces: [...input.excludedNamespaces] } }] },
                    validate: {
                        failureAction: "Enforce",
                        ...(input.auditNamespaces.length > 0
                            ? { failureActionOverrides: [{ action: "Audit", namespaces: [...input.auditNamespaces] }] }
                            : {}),
                        message: "image {{ element.image }} is neither from the platform's registries, pinned by digest, nor exempted",
                        foreach: CONTAINER_LISTS.map((list) => ({
                            list: `request.object.spec.${list}`,
                            deny: { conditions: { all: [{ key: "{{ element.image }}", operator: "AnyNotIn", value: allowed }] } },
                        })),
                    },
                },
                {
                    // Enforced everywhere the policy applies, CI namespaces included: the signed-images policy holds there too.
                    name: "canonical-registry-host",
                    match: { any: [{ resources: { kinds: ["Pod"] } }] },
                    exclude: { any: [{ resources: { namespaces: [...input.excludedNamespaces] } }] },
                    validate: {
                        failureAction: "Enforce",
                        message: `image {{ element.image }} names the account's registry other than as ${input.registry}/, the only spelling whose signatures are verified`,
                        foreach: CONTAINER_LISTS.map((list) => ({
                            list: `request.object.spec.${list}`,
                            deny: { conditions: { all: accountRegistryBypassConditions(input.accountId, input.registry) } },
                        })),
                    },
                },
            ],
        },
    };
}

export interface CiPodSecurityPolicyInput {
    readonly name: string;
    /** Namespaces enforced at `restricted` (GitLab runner jobs: their config.toml sets restricted contexts). */
    readonly enforceNamespaces: readonly string[];
    /** Namespaces audited at `restricted` and enforced at `baseline` (Jenkins agents: templates users add may lack them). */
    readonly auditNamespaces: readonly string[];
}

/**
 * Pod Security for the pods CI systems create at run time, which no plan (and so no policy pack)
 * ever sees: runner job pods and Jenkins agents. Kyverno's `podSecurity` rule applies the same
 * upstream checks as the API server's admission, and its reports reach Security Hub; it holds even
 * if a namespace's Pod Security label is changed.
 */
export function ciPodSecurityPolicy(input: CiPodSecurityPolicyInput): KubernetesObject {
    const rule = (name: string, namespaces: readonly string[], level: "restricted" | "baseline", action: "Enforce" | "Audit") => ({
        name,
        match: { any: [{ resources: { kinds: ["Pod"], namespaces: [...namespaces] } }] },
        validate: { failureAction: action, podSecurity: { level, version: "latest" } },
    });
    const rules = [
        ...(input.enforceNamespaces.length > 0 ? [rule("restricted-enforced", input.enforceNamespaces, "restricted", "Enforce")] : []),
        ...(input.auditNamespaces.length > 0
            ? [
                  rule("baseline-enforced", input.auditNamespaces, "baseline", "Enforce"),
                  rule("restricted-audited", input.auditNamespaces, "restricted", "Audit"),
              ]
            : []),
    ];
    return {
        apiVersion: "kyverno.io/v1",
        kind: "ClusterPolicy",
        metadata: {
            name: input.name,
            annotations: {
                "policies.kyverno.io/title": "Pod Security of CI job and agent pods",
                "policies.kyverno.io/category": "Pod Security",
                "policies.kyverno.io/severity": "high",
                "policies.kyverno.io/description":
                    "Runner job pods are held to Pod Security restricted; Jenkins agents to baseline, with restricted audited first.",
            },
        },
        spec: { background: true, rules },
    };
}
