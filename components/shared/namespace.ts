/** Namespaces the platform owns: Pod Security labels, and the label that admits them to the secret store. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SECRETS_NAMESPACE_LABEL } from "./interfaces";

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** Labels of a platform namespace: Pod Security enforced (and warned/audited) at `level`. */
export function namespaceLabels(level: PodSecurityLevel, usesPlatformSecrets: boolean): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/warn": level,
        "pod-security.kubernetes.io/audit": level,
        ...(usesPlatformSecrets ? { [SECRETS_NAMESPACE_LABEL.key]: SECRETS_NAMESPACE_LABEL.value } : {}),
    };
}

/** Creates a platform namespace with its labels. */
export function platformNamespace(
    name: string,
    namespace: string,
    level: PodSecurityLevel,
    usesPlatformSecrets: boolean,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(name, { metadata: { name: namespace, labels: namespaceLabels(level, usesPlatformSecrets) } }, opts);
}
