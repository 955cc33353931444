/**
 * Pod Security Standards for rendered manifests: the pod templates a manifest holds, judged by the
 * policy pack's implementation of the upstream checks (k8s.io/pod-security-admission policy/check_*.go).
 */

import { checkPodSecurity, PodSecurityLevel } from "../../policypack/lib/pod-security";

export type { PodSecurityLevel };

/** The fields of a pod spec the checks read (a loose view of core/v1 PodSpec). */
export interface PodSpecLike {
    readonly hostNetwork?: boolean;
    readonly hostPID?: boolean;
    readonly hostIPC?: boolean;
    readonly securityContext?: SecurityContextLike & { readonly sysctls?: ReadonlyArray<{ readonly name: string }> };
    readonly volumes?: ReadonlyArray<Record<string, unknown> & { readonly name: string }>;
    readonly containers?: readonly ContainerLike[];
    readonly initContainers?: readonly ContainerLike[];
    readonly ephemeralContainers?: readonly ContainerLike[];
    readonly os?: { readonly name?: string };
}

export interface SecurityContextLike {
    readonly privileged?: boolean;
    readonly allowPrivilegeEscalation?: boolean;
    readonly runAsNonRoot?: boolean;
    readonly runAsUser?: number;
    readonly procMount?: string;
    readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
    readonly seccompProfile?: { readonly type?: string };
    readonly appArmorProfile?: { readonly type?: string };
    readonly seLinuxOptions?: { readonly type?: string; readonly user?: string; readonly role?: string };
    readonly windowsOptions?: { readonly hostProcess?: boolean };
}

export interface ContainerLike {
    readonly name: string;
    readonly securityContext?: SecurityContextLike;
    readonly ports?: ReadonlyArray<{ readonly hostPort?: number }>;
}

/** One forbidden thing: the check's name (as upstream names it) and what was found. */
export interface PssFinding {
    readonly level: Exclude<PodSecurityLevel, "privileged">;
    readonly check: string;
    readonly detail: string;
}

/**
 * What `level` forbids in this pod (empty: admitted): the policy pack's own implementation of the
 * upstream checks, so rendered charts and the program's own workloads are judged by the same code.
 */
export function checkPod(spec: PodSpecLike, level: PodSecurityLevel, annotations: Readonly<Record<string, string>> = {}): PssFinding[] {
    return checkPodSecurity(spec, { annotations }, level).map((v) => ({ level: v.level, check: v.check, detail: v.message }));
}

/** A pod template found in a manifest: where it is, its spec and its annotations. */
export interface PodTemplate {
    readonly kind: string;
    readonly name: string;
    readonly namespace?: string;
    readonly spec: PodSpecLike;
    readonly annotations: Record<string, string>;
}

interface ManifestLike {
    readonly kind?: string;
    readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly annotations?: Record<string, string> };
    readonly spec?: Record<string, unknown>;
}

type TemplateLike = { metadata?: { annotations?: Record<string, string> }; spec?: PodSpecLike } | undefined;

/** The pod templates of a manifest (Pod, workload controllers, Job, CronJob); none for other kinds. */
export function podTemplates(doc: ManifestLike): PodTemplate[] {
    const spec = doc.spec ?? {};
    let template: TemplateLike;
    switch (doc.kind) {
        case "Pod":
            template = { metadata: doc.metadata, spec: spec as PodSpecLike };
            break;
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "ReplicationController":
        case "Job":
            template = spec.template as TemplateLike;
            break;
        case "CronJob":
            template = ((spec.jobTemplate as { spec?: { template?: TemplateLike } } | undefined)?.spec?.template ??
                undefined) as TemplateLike;
            break;
        default:
            return [];
    }
    if (!template?.spec) return [];
    return [
        {
            kind: doc.kind,
            name: doc.metadata?.name ?? "",
            namespace: doc.metadata?.namespace,
            spec: template.spec,
            annotations: template.metadata?.annotations ?? {},
        },
    ];
}
