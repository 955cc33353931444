/**
 * What the CI preview role may do in the cluster: what `pulumi preview` of the Kubernetes side
 * needs — reads of the objects the platform manages, and the provider's server-side dry runs of
 * creates and patches — and nothing that changes the cluster or reveals a Secret.
 */

/** The Kubernetes group the preview role's access entry maps to. */
export const PREVIEW_GROUP = "ciplatform:previewers";

/** Core-group resources the platform manages or reads; Secrets are left out (their data is credentials). */
const CORE_RESOURCES = [
    "configmaps",
    "endpoints",
    "events",
    "limitranges",
    "namespaces",
    "nodes",
    "persistentvolumeclaims",
    "persistentvolumes",
    "pods",
    "replicationcontrollers",
    "resourcequotas",
    "serviceaccounts",
    "services",
];

/** API groups of the objects the platform and its charts create (none of them holds secret data). */
export const PREVIEW_API_GROUPS = [
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "apiextensions.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "snapshot.storage.k8s.io",
    "karpenter.sh",
    "karpenter.k8s.aws",
    "external-secrets.io",
    "cert-manager.io",
    "awspca.cert-manager.io",
    "piraeus.io",
    "elbv2.k8s.aws",
];

export interface PolicyRule {
    readonly apiGroups: string[];
    readonly resources: string[];
    readonly verbs: string[];
}

const READ = ["get", "list", "watch"];
/** What server-side dry runs send; the admission policy below lets them through only as dry runs. */
const DRY_RUN_WRITES = ["create", "update", "patch"];

/** RBAC rules of the preview role: reads, dry-run writes; admission configuration is read-only so it cannot lift the guard. */
export function previewClusterRoleRules(): PolicyRule[] {
    return [
        { apiGroups: [""], resources: CORE_RESOURCES, verbs: [...READ, ...DRY_RUN_WRITES] },
        { apiGroups: PREVIEW_API_GROUPS, resources: ["*"], verbs: [...READ, ...DRY_RUN_WRITES] },
        { apiGroups: ["admissionregistration.k8s.io"], resources: ["*"], verbs: READ },
    ];
}

/**
 * A ValidatingAdmissionPolicy that refuses every change by the preview group unless it is a dry
 * run: RBAC cannot tell a dry run from a write, admission can (`request.dryRun`).
 */
export function previewDryRunOnlyPolicy(name: string) {
    return {
        apiVersion: "admissionregistration.k8s.io/v1" as const,
        kind: "ValidatingAdmissionPolicy" as const,
        metadata: { name },
        spec: {
            failurePolicy: "Fail",
            matchConstraints: {
                resourceRules: [
                    {
                        apiGroups: ["*"],
                        apiVersions: ["*"],
                        operations: ["CREATE", "UPDATE", "DELETE", "CONNECT"],
                        resources: ["*", "*/*"],
                    },
                ],
            },
            matchConditions: [{ name: "preview-role", expression: `'${PREVIEW_GROUP}' in request.userInfo.groups` }],
            validations: [
                {
                    expression: "request.dryRun == true",
                    message: "the CI preview role may only dry-run changes (pulumi preview); deploys use the environment's deploy role",
                },
            ],
        },
    };
}
