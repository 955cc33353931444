/**
 * Pod Security Standards (baseline and restricted, policy version "latest" as of Kubernetes 1.33),
 * following the upstream checks of k8s.io/pod-security-admission (policy/check_*.go): one function
 * per check, each returning what it forbids. Pure: a pod spec and its annotations in, findings out.
 */

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

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

const BASELINE_CAPABILITIES = new Set([
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
]);
const SAFE_SYSCTLS = new Set([
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
const RESTRICTED_VOLUMES = new Set([
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
]);

function allContainers(spec: PodSpecLike): ContainerLike[] {
    return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

const names = (list: readonly ContainerLike[]): string => list.map((c) => JSON.stringify(c.name)).join(", ");

/** Baseline checks (they also apply at restricted). */
function baseline(spec: PodSpecLike, annotations: Readonly<Record<string, string>>): PssFinding[] {
    const out: PssFinding[] = [];
    const add = (check: string, detail: string): void => void out.push({ level: "baseline", check, detail });
    const containers = allContainers(spec);

    const hostNs = (["hostNetwork", "hostPID", "hostIPC"] as const).filter((f) => spec[f] === true);
    if (hostNs.length > 0) add("hostNamespaces", `${hostNs.join(", ")}=true`);

    const privileged = containers.filter((c) => c.securityContext?.privileged === true);
    if (privileged.length > 0) add("privileged", `containers ${names(privileged)} must not set securityContext.privileged=true`);

    const added = containers.flatMap((c) =>
        (c.securityContext?.capabilities?.add ?? []).filter((cap) => !BASELINE_CAPABILITIES.has(cap)).map((cap) => `${c.name}:${cap}`),
    );
    if (added.length > 0) add("capabilities_baseline", `non-default capabilities added: ${added.join(", ")}`);

    const hostPaths = (spec.volumes ?? []).filter((v) => v.hostPath !== undefined);
    if (hostPaths.length > 0) add("hostPathVolumes", `hostPath volumes ${hostPaths.map((v) => JSON.stringify(v.name)).join(", ")}`);

    const hostPorts = containers.filter((c) => (c.ports ?? []).some((p) => (p.hostPort ?? 0) !== 0));
    if (hostPorts.length > 0) add("hostPorts", `containers ${names(hostPorts)} use hostPort`);

    const badAppArmor = [
        spec.securityContext?.appArmorProfile?.type,
        ...containers.map((c) => c.securityContext?.appArmorProfile?.type),
    ].filter((t) => t !== undefined && t !== "RuntimeDefault" && t !== "Localhost");
    const badAppArmorAnnotations = Object.entries(annotations).filter(
        ([k, v]) =>
            k.startsWith("container.apparmor.security.beta.kubernetes.io/") && v !== "runtime/default" && !v.startsWith("localhost/"),
    );
    if (badAppArmor.length > 0 || badAppArmorAnnotations.length > 0)
        add("appArmorProfile", `AppArmor profile ${[...badAppArmor, ...badAppArmorAnnotations.map(([, v]) => v)].join(", ")}`);

    const seLinux = [spec.securityContext?.seLinuxOptions, ...containers.map((c) => c.securityContext?.seLinuxOptions)].filter(
        (o) => o !== undefined && (!SELINUX_TYPES.has(o.type ?? "") || o.user !== undefined || o.role !== undefined),
    );
    if (seLinux.length > 0) add("seLinuxOptions", "forbidden seLinuxOptions type, user or role");

    const procMount = containers.filter((c) => c.securityContext?.procMount !== undefined && c.securityContext.procMount !== "Default");
    if (procMount.length > 0) add("procMount", `containers ${names(procMount)} must not set a non-default procMount`);

    const unconfined = [
        spec.securityContext?.seccompProfile?.type,
        ...containers.map((c) => c.securityContext?.seccompProfile?.type),
    ].filter((t) => t === "Unconfined");
    if (unconfined.length > 0) add("seccompProfile_baseline", "seccompProfile.type=Unconfined");

    const sysctls = (spec.securityContext?.sysctls ?? []).filter((s) => !SAFE_SYSCTLS.has(s.name));
    if (sysctls.length > 0) add("sysctls", `forbidden sysctls ${sysctls.map((s) => s.name).join(", ")}`);

    const hostProcess = [spec.securityContext?.windowsOptions, ...containers.map((c) => c.securityContext?.windowsOptions)].some(
        (w) => w?.hostProcess === true,
    );
    if (hostProcess) add("windowsHostProcess", "windowsOptions.hostProcess=true");
    return out;
}

/** Restricted checks beyond baseline. */
function restricted(spec: PodSpecLike): PssFinding[] {
    const out: PssFinding[] = [];
    const add = (check: string, detail: string): void => void out.push({ level: "restricted", check, detail });
    const containers = allContainers(spec);
    const pod = spec.securityContext ?? {};
    const windows = spec.os?.name === "windows";

    const volumes = (spec.volumes ?? []).flatMap((v) =>
        Object.keys(v)
            .filter((k) => k !== "name" && !RESTRICTED_VOLUMES.has(k) && k !== "hostPath")
            .map((k) => `${v.name}:${k}`),
    );
    if (volumes.length > 0) add("restrictedVolumes", `volume types not allowed: ${volumes.join(", ")}`);

    if (!windows) {
        const escalation = containers.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false);
        if (escalation.length > 0)
            add("allowPrivilegeEscalation", `containers ${names(escalation)} must set securityContext.allowPrivilegeEscalation=false`);
    }

    const explicitFalse = containers.filter((c) => c.securityContext?.runAsNonRoot === false);
    const unset = containers.filter((c) => c.securityContext?.runAsNonRoot === undefined);
    if (pod.runAsNonRoot === false || explicitFalse.length > 0 || (pod.runAsNonRoot !== true && unset.length > 0)) {
        const who = [
            ...(pod.runAsNonRoot === false ? ["pod"] : []),
            ...explicitFalse.map((c) => c.name),
            ...(pod.runAsNonRoot !== true ? unset.map((c) => c.name) : []),
        ];
        add("runAsNonRoot", `pod or containers ${who.map((n) => JSON.stringify(n)).join(", ")} must set securityContext.runAsNonRoot=true`);
    }

    const root = [
        ...(pod.runAsUser === 0 ? ["pod"] : []),
        ...containers.filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name),
    ];
    if (root.length > 0) add("runAsUser", `${root.map((n) => JSON.stringify(n)).join(", ")} must not set runAsUser=0`);

    if (!windows) {
        const allowed = (t: string | undefined): boolean => t === "RuntimeDefault" || t === "Localhost";
        const podOk = allowed(pod.seccompProfile?.type);
        const missing = containers.filter((c) => {
            const t = c.securityContext?.seccompProfile?.type;
            return t === undefined ? !podOk : !allowed(t);
        });
        if (pod.seccompProfile?.type !== undefined && !podOk)
            add("seccompProfile_restricted", `pod seccompProfile.type=${pod.seccompProfile.type}`);
        if (missing.length > 0)
            add(
                "seccompProfile_restricted",
                `pod or containers ${names(missing)} must set securityContext.seccompProfile.type to RuntimeDefault or Localhost`,
            );

        const noDrop = containers.filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes("ALL"));
        const badAdd = containers.filter((c) => (c.securityContext?.capabilities?.add ?? []).some((cap) => cap !== "NET_BIND_SERVICE"));
        if (noDrop.length > 0)
            add("capabilities_restricted", `containers ${names(noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
        if (badAdd.length > 0)
            add("capabilities_restricted", `containers ${names(badAdd)} must not add capabilities other than NET_BIND_SERVICE`);
    }
    return out;
}

/** What `level` forbids in this pod (empty: admitted). */
export function checkPod(spec: PodSpecLike, level: PodSecurityLevel, annotations: Readonly<Record<string, string>> = {}): PssFinding[] {
    if (level === "privileged") return [];
    const found = baseline(spec, annotations);
    return level === "restricted" ? [...found, ...restricted(spec)] : found;
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
