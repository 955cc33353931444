/**
 * Onboarding a tenant team: a namespace of its own where Pod Security "restricted" is enforced, admitted to the
 * platform's secret store, a resource quota, the team's group bound to Kubernetes' `edit` role there, and one
 * secret delivered from Secrets Manager (tagged with the namespace, so only this namespace can read it).
 * Use it from a platform program: `onboardTenant(platform, { name: "payments", group: "payments-devs" })`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { platformNamespace } from "../../components/shared/namespace";
import type { Platform } from "../../stacks/platform";

export interface TenantArgs {
    /** Namespace name (a DNS label). */
    readonly name: string;
    /** The team's Kubernetes group (from its EKS access entry), given `edit` in the namespace. */
    readonly group: string;
    /** CPU the namespace may request in total. @default "8" */
    readonly cpu?: string;
    /** Memory the namespace may request in total. @default "16Gi" */
    readonly memory?: string;
}

export interface Tenant {
    readonly namespace: k8s.core.v1.Namespace;
    /** The Kubernetes Secret External Secrets keeps in sync (name `app-credentials`). */
    readonly secretName: pulumi.Output<string>;
}

export function onboardTenant(platform: Platform, args: TenantArgs): Tenant {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(args.name)) {
        throw new Error(`onboardTenant: name ${JSON.stringify(args.name)} must be a DNS label (lower-case letters, digits, hyphens)`);
    }
    const opts = { parent: platform, provider: platform.cluster.provider };
    const namespace = platformNamespace(`tenant-${args.name}`, args.name, "restricted", true, opts);
    new k8s.core.v1.ResourceQuota(
        `tenant-${args.name}-quota`,
        {
            metadata: { name: "tenant", namespace: args.name },
            spec: { hard: { "requests.cpu": args.cpu ?? "8", "requests.memory": args.memory ?? "16Gi" } },
        },
        { ...opts, dependsOn: [namespace] },
    );
    new k8s.rbac.v1.RoleBinding(
        `tenant-${args.name}-edit`,
        {
            metadata: { name: "tenant-edit", namespace: args.name },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: args.group }],
        },
        { ...opts, dependsOn: [namespace] },
    );
    // The value is put by the team (aws secretsmanager put-secret-value); the platform only creates the tagged secret.
    const secret = platform.secrets.namespacedSecret(
        `tenant-${args.name}-app-credentials`,
        {
            namespace: args.name,
            kubernetesSecretName: "app-credentials",
            description: `Credentials of the ${args.name} tenant's app`,
            keys: { password: "password" },
        },
        { parent: platform, dependsOn: [namespace] },
    );
    return { namespace, secretName: secret.secretName };
}
