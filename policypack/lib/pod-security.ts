/**
 * The Kubernetes Pod Security Standards as pure checks over a pod spec, after the upstream
 * definitions (k8s.io/pod-security-admission, `policy/check_*.go`, "latest" version): each check
 * keeps the upstream ID, level and allowed values. `baseline` runs the baseline checks,
 * `restricted` runs them plus the restricted ones (restrictedVolumes replaces hostPathVolumes, as
 * upstream overrides it); `privileged` allows everything.
 *
 * Pure and dependency-free so it can be reused on any pod spec: workloads a program declares, or
 * the pod templates of rendered Helm charts. Inputs are untyped JSON and read defensively.
 */

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ["privileged", "baseline", "restricted"];

export interface PodSecurityViolation {
    /** Upstream check ID, e.g. `allowPrivilegeEscalation`. */
    readonly check: string;
    readonly level: Exclude<PodSecurityLevel, "privileged">;
    /** What is forbidden, upstream's reason and detail. */
    readonly message: string;
}

// Inputs are whatever JSON the caller holds.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Container {
    readonly name: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly value: Record<string, any>;
}

const obj = (v: unknown): Json => (v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined);
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v : []);
const quote = (items: Iterable<string>): string => [...new Set(items)].map((i) => `"${i}"`).join(", ");

/** containers, initContainers and ephemeralContainers, as upstream's visitContainers. */
function containersOf(spec: Json): Container[] {
    const list: Container[] = [];
    for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
        for (const c of arr(spec[field])) {
            const value = obj(c);
            if (value) {
                list.push({ name: String(value.name ?? "?"), value });
            }
        }
    }
    return list;
}

type Check = (spec: Json, metadata: Json, containers: Container[]) => string | undefined;

// ---- baseline -------------------------------------------------------------------------------

const hostNamespaces: Check = (spec) => {
    const set = ["hostNetwork", "hostPID", "hostIPC"].filter((f) => spec[f] === true);
    return set.length > 0 ? `host namespaces (${set.map((f) => `${f}=true`).join(", ")})` : undefined;
};

const privileged: Check = (_spec, _m, containers) => {
    const bad = containers.filter((c) => obj(c.value.securityContext)?.privileged === true).map((c) => c.name);
    return bad.length > 0 ? `privileged (containers ${quote(bad)} must not set securityContext.privileged=true)` : undefined;
};

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

const capabilitiesBaseline: Check = (_s, _m, containers) => {
    const bad: string[] = [];
    const caps: string[] = [];
    for (const c of containers) {
        const added = arr(obj(obj(c.value.securityContext)?.capabilities)?.add)
            .map(String)
            .filter((cap) => !BASELINE_CAPABILITIES.has(cap));
        if (added.length > 0) {
            bad.push(c.name);
            caps.push(...added);
        }
    }
    return bad.length > 0
        ? `non-default capabilities (containers ${quote(bad)} must not include ${quote(caps)} in securityContext.capabilities.add)`
        : undefined;
};

const hostPathVolumes: Check = (spec) => {
    const bad = arr(spec.volumes)
        .filter((v) => obj(v)?.hostPath !== undefined && obj(v)?.hostPath !== null)
        .map((v) => String(v.name));
    return bad.length > 0 ? `hostPath volumes (volumes ${quote(bad)})` : undefined;
};

const hostPorts: Check = (_s, _m, containers) => {
    const bad: string[] = [];
    const ports: string[] = [];
    for (const c of containers) {
        const used = arr(c.value.ports)
            .map((p) => obj(p)?.hostPort)
            .filter((p) => p !== undefined && p !== null && Number(p) !== 0);
        if (used.length > 0) {
            bad.push(c.name);
            ports.push(...used.map(String));
        }
    }
    return bad.length > 0 ? `hostPort (containers ${quote(bad)} use hostPorts ${ports.join(", ")})` : undefined;
};

const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

const appArmorProfile: Check = (spec, metadata, containers) => {
    const bad: string[] = [];
    const podType = obj(obj(spec.securityContext)?.appArmorProfile)?.type;
    if (podType !== undefined && podType !== "RuntimeDefault" && podType !== "Localhost") {
        bad.push(`pod must not set securityContext.appArmorProfile.type to "${String(podType)}"`);
    }
    for (const c of containers) {
        const t = obj(obj(c.value.securityContext)?.appArmorProfile)?.type;
        if (t !== undefined && t !== "RuntimeDefault" && t !== "Localhost") {
            bad.push(`container "${c.name}" must not set securityContext.appArmorProfile.type to "${String(t)}"`);
        }
    }
    for (const [key, value] of Object.entries(obj(obj(metadata)?.annotations) ?? {})) {
        const v = String(value);
        if (key.startsWith(APPARMOR_ANNOTATION) && v !== "" && v !== "runtime/default" && !v.startsWith("localhost/")) {
            bad.push(`annotation ${key}="${v}"`);
        }
    }
    return bad.length > 0 ? `forbidden AppArmor profile (${bad.join("; ")})` : undefined;
};

const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);

const seLinuxOptions: Check = (spec, _m, containers) => {
    const bad: string[] = [];
    const inspect = (where: string, options: Json): void => {
        if (!options) {
            return;
        }
        if (options.type !== undefined && !SELINUX_TYPES.has(String(options.type))) {
            bad.push(`${where} type "${String(options.type)}"`);
        }
        if (options.user !== undefined && options.user !== "") {
            bad.push(`${where} user "${String(options.user)}"`);
        }
        if (options.role !== undefined && options.role !== "") {
            bad.push(`${where} role "${String(options.role)}"`);
        }
    };
    inspect("pod", obj(obj(spec.securityContext)?.seLinuxOptions));
    containers.forEach((c) => inspect(`container "${c.name}"`, obj(obj(c.value.securityContext)?.seLinuxOptions)));
    return bad.length > 0 ? `seLinuxOptions (${bad.join(", ")})` : undefined;
};

const procMount: Check = (_s, _m, containers) => {
    const bad = containers.filter((c) => {
        const mount = obj(c.value.securityContext)?.procMount;
        return mount !== undefined && mount !== null && mount !== "Default";
    });
    return bad.length > 0
        ? `procMount (containers ${quote(bad.map((c) => c.name))} must not set securityContext.procMount other than "Default")`
        : undefined;
};

const seccompBaseline: Check = (spec, _m, containers) => {
    const bad: string[] = [];
    if (obj(obj(spec.securityContext)?.seccompProfile)?.type === "Unconfined") {
        bad.push("pod");
    }
    containers
        .filter((c) => obj(obj(c.value.securityContext)?.seccompProfile)?.type === "Unconfined")
        .forEach((c) => bad.push(`container "${c.name}"`));
    return bad.length > 0
        ? `seccompProfile (${bad.join(", ")} must not set securityContext.seccompProfile.type to "Unconfined")`
        : undefined;
};

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
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
]);

const sysctls: Check = (spec) => {
    const bad = arr(obj(spec.securityContext)?.sysctls)
        .map((s) => String(obj(s)?.name))
        .filter((n) => !SAFE_SYSCTLS.has(n));
    return bad.length > 0 ? `forbidden sysctls (${bad.join(", ")})` : undefined;
};

const windowsHostProcess: Check = (spec, _m, containers) => {
    const pod = obj(obj(spec.securityContext)?.windowsOptions)?.hostProcess === true;
    const bad = containers.filter((c) => obj(obj(c.value.securityContext)?.windowsOptions)?.hostProcess === true).map((c) => c.name);
    if (!pod && bad.length === 0) {
        return undefined;
    }
    return `hostProcess (${[...(pod ? ["pod"] : []), ...(bad.length > 0 ? [`containers ${quote(bad)}`] : [])].join(" and ")} must not set securityContext.windowsOptions.hostProcess=true)`;
};

const hostProbesAndHostLifecycle: Check = (_s, _m, containers) => {
    const bad: string[] = [];
    const hosts: string[] = [];
    const inspect = (c: Container, handler: Json): void => {
        for (const kind of ["httpGet", "tcpSocket"]) {
            const host = obj(obj(handler)?.[kind])?.host;
            if (host !== undefined && host !== null && host !== "") {
                bad.push(c.name);
                hosts.push(String(host));
            }
        }
    };
    for (const c of containers) {
        ["livenessProbe", "readinessProbe", "startupProbe"].forEach((p) => inspect(c, c.value[p]));
        ["postStart", "preStop"].forEach((h) => inspect(c, obj(c.value.lifecycle)?.[h]));
    }
    return bad.length > 0 ? `probe or lifecycle host (containers ${quote(bad)} use hosts ${quote(hosts)})` : undefined;
};

// ---- restricted -----------------------------------------------------------------------------

const RESTRICTED_VOLUME_SOURCES = new Set([
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
]);

const restrictedVolumes: Check = (spec) => {
    const bad: string[] = [];
    const kinds: string[] = [];
    for (const v of arr(spec.volumes)) {
        const volume = obj(v) ?? {};
        const sources = Object.keys(volume).filter((k) => k !== "name" && volume[k] !== undefined && volume[k] !== null);
        if (!sources.some((s) => RESTRICTED_VOLUME_SOURCES.has(s))) {
            bad.push(String(volume.name));
            kinds.push(sources[0] ?? "unknown");
        }
    }
    return bad.length > 0 ? `restricted volume types (volumes ${quote(bad)} use ${quote(kinds)})` : undefined;
};

const isWindows = (spec: Json): boolean => obj(spec.os)?.name === "windows";

const allowPrivilegeEscalation: Check = (spec, _m, containers) => {
    if (isWindows(spec)) {
        return undefined;
    }
    const bad = containers.filter((c) => obj(c.value.securityContext)?.allowPrivilegeEscalation !== false).map((c) => c.name);
    return bad.length > 0
        ? `allowPrivilegeEscalation != false (containers ${quote(bad)} must set securityContext.allowPrivilegeEscalation=false)`
        : undefined;
};

const runAsNonRoot: Check = (spec, _m, containers) => {
    const pod = obj(spec.securityContext)?.runAsNonRoot;
    const explicitFalse = containers.filter((c) => obj(c.value.securityContext)?.runAsNonRoot === false).map((c) => c.name);
    const implicit =
        pod === true
            ? []
            : containers
                  .filter((c) => obj(c.value.securityContext)?.runAsNonRoot !== true && !explicitFalse.includes(c.name))
                  .map((c) => c.name);
    const parts: string[] = [];
    if (pod === false) {
        parts.push("pod must not set securityContext.runAsNonRoot=false");
    }
    if (explicitFalse.length > 0) {
        parts.push(`containers ${quote(explicitFalse)} must not set securityContext.runAsNonRoot=false`);
    }
    if (implicit.length > 0) {
        parts.push(`pod or containers ${quote(implicit)} must set securityContext.runAsNonRoot=true`);
    }
    return parts.length > 0 ? `runAsNonRoot != true (${parts.join("; ")})` : undefined;
};

const runAsUser: Check = (spec, _m, containers) => {
    const bad: string[] = [];
    if (obj(spec.securityContext)?.runAsUser === 0) {
        bad.push("pod");
    }
    containers.filter((c) => obj(c.value.securityContext)?.runAsUser === 0).forEach((c) => bad.push(`container "${c.name}"`));
    return bad.length > 0 ? `runAsUser=0 (${bad.join(", ")} must not set runAsUser=0)` : undefined;
};

const VALID_SECCOMP = new Set(["RuntimeDefault", "Localhost"]);

const seccompRestricted: Check = (spec, _m, containers) => {
    if (isWindows(spec)) {
        return undefined;
    }
    const podType = obj(obj(spec.securityContext)?.seccompProfile)?.type;
    const parts: string[] = [];
    if (podType !== undefined && !VALID_SECCOMP.has(String(podType))) {
        parts.push(`pod must not set securityContext.seccompProfile.type to "${String(podType)}"`);
    }
    const invalid: string[] = [];
    const unset: string[] = [];
    for (const c of containers) {
        const t = obj(obj(c.value.securityContext)?.seccompProfile)?.type;
        if (t !== undefined && !VALID_SECCOMP.has(String(t))) {
            invalid.push(c.name);
        } else if (t === undefined && podType === undefined) {
            unset.push(c.name);
        }
    }
    if (invalid.length > 0) {
        parts.push(
            `containers ${quote(invalid)} must not set securityContext.seccompProfile.type other than "RuntimeDefault" or "Localhost"`,
        );
    }
    if (unset.length > 0) {
        parts.push(`pod or containers ${quote(unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
    }
    return parts.length > 0 ? `seccompProfile (${parts.join("; ")})` : undefined;
};

const capabilitiesRestricted: Check = (spec, _m, containers) => {
    if (isWindows(spec)) {
        return undefined;
    }
    const notDropped: string[] = [];
    const added: string[] = [];
    const addedCaps: string[] = [];
    for (const c of containers) {
        const caps = obj(obj(c.value.securityContext)?.capabilities);
        if (!arr(caps?.drop).map(String).includes("ALL")) {
            notDropped.push(c.name);
        }
        const extra = arr(caps?.add)
            .map(String)
            .filter((cap) => cap !== "NET_BIND_SERVICE");
        if (extra.length > 0) {
            added.push(c.name);
            addedCaps.push(...extra);
        }
    }
    const parts = [
        ...(notDropped.length > 0 ? [`containers ${quote(notDropped)} must set securityContext.capabilities.drop=["ALL"]`] : []),
        ...(added.length > 0
            ? [`containers ${quote(added)} must not include ${quote(addedCaps)} in securityContext.capabilities.add`]
            : []),
    ];
    return parts.length > 0 ? `unrestricted capabilities (${parts.join("; ")})` : undefined;
};

/** The checks of each level, by upstream ID, in upstream's order. */
export const POD_SECURITY_CHECKS: Readonly<Record<"baseline" | "restricted", ReadonlyArray<readonly [string, Check]>>> = {
    baseline: [
        ["hostNamespaces", hostNamespaces],
        ["privileged", privileged],
        ["capabilities_baseline", capabilitiesBaseline],
        ["hostPathVolumes", hostPathVolumes],
        ["hostPorts", hostPorts],
        ["appArmorProfile", appArmorProfile],
        ["seLinuxOptions", seLinuxOptions],
        ["procMount", procMount],
        ["seccompProfile_baseline", seccompBaseline],
        ["sysctls", sysctls],
        ["windowsHostProcess", windowsHostProcess],
        ["hostProbesAndHostLifecycle", hostProbesAndHostLifecycle],
    ],
    restricted: [
        ["restrictedVolumes", restrictedVolumes],
        ["allowPrivilegeEscalation", allowPrivilegeEscalation],
        ["runAsNonRoot", runAsNonRoot],
        ["runAsUser", runAsUser],
        ["seccompProfile_restricted", seccompRestricted],
        ["capabilities_restricted", capabilitiesRestricted],
    ],
};

/**
 * Evaluates a pod spec (and its metadata, for annotations) against a level. Returns one violation
 * per failed check; empty when the pod is allowed.
 */
export function checkPodSecurity(podSpec: unknown, podMetadata: unknown, level: PodSecurityLevel): PodSecurityViolation[] {
    if (level === "privileged") {
        return [];
    }
    const spec = obj(podSpec) ?? {};
    const containers = containersOf(spec);
    const checks: Array<readonly [string, Check, "baseline" | "restricted"]> = POD_SECURITY_CHECKS.baseline
        .filter(([id]) => level === "baseline" || id !== "hostPathVolumes")
        .map(([id, check]) => [id, check, "baseline"] as const);
    if (level === "restricted") {
        checks.push(...POD_SECURITY_CHECKS.restricted.map(([id, check]) => [id, check, "restricted"] as const));
    }
    const violations: PodSecurityViolation[] = [];
    for (const [id, check, checkLevel] of checks) {
        const message = check(spec, podMetadata, containers);
        if (message !== undefined) {
            violations.push({ check: id, level: checkLevel, message });
        }
    }
    return violations;
}

/** Workload kinds whose pod template the checks apply to, and where the template sits. */
export function podTemplateOf(kind: string, spec: unknown): { spec: unknown; metadata: unknown } | undefined {
    const s = obj(spec);
    if (!s) {
        return undefined;
    }
    switch (kind) {
        case "Pod":
            return { spec: s, metadata: undefined };
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "ReplicationController":
        case "Job": {
            const template = obj(s.template);
            return template ? { spec: template.spec, metadata: template.metadata } : undefined;
        }
        case "CronJob": {
            const template = obj(obj(obj(s.jobTemplate)?.spec)?.template);
            return template ? { spec: template.spec, metadata: template.metadata } : undefined;
        }
        default:
            return undefined;
    }
}

export function isPodSecurityLevel(value: unknown): value is PodSecurityLevel {
    return value === "privileged" || value === "baseline" || value === "restricted";
}
