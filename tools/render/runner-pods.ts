/**
 * The job pods a GitLab Runner Kubernetes executor creates from its `config.toml`, as pod specs the
 * Pod Security checker can judge: the `init-permissions` init container (always added by the
 * default attach strategy), the `build` and `helper` containers and one service container, with
 * the security contexts the executor derives from `[runners.kubernetes]` (container-level settings
 * first, then the global `allow_privilege_escalation`, `privileged`, `cap_add`/`cap_drop`; without
 * either the executor drops only NET_RAW).
 */
import { parse } from "smol-toml";
import type { PodSpecLike, SecurityContextLike } from "./pss";

type Toml = Record<string, unknown>;

const asTable = (v: unknown): Toml => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Toml) : {});
const asStrings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);

function seccomp(table: Toml): SecurityContextLike["seccompProfile"] {
    const s = asTable(table.seccomp_profile);
    return typeof s.type === "string" ? { type: s.type } : undefined;
}

function podSecurityContext(table: Toml): PodSpecLike["securityContext"] {
    const sc: Record<string, unknown> = {};
    if (typeof table.run_as_non_root === "boolean") sc.runAsNonRoot = table.run_as_non_root;
    if (typeof table.run_as_user === "number") sc.runAsUser = table.run_as_user;
    const profile = seccomp(table);
    if (profile) sc.seccompProfile = profile;
    return sc;
}

function containerSecurityContext(table: Toml, global: Toml): SecurityContextLike {
    const sc: Record<string, unknown> = {};
    const privileged = table.privileged ?? global.privileged;
    if (typeof privileged === "boolean") sc.privileged = privileged;
    const escalation = table.allow_privilege_escalation ?? global.allow_privilege_escalation;
    if (typeof escalation === "boolean") sc.allowPrivilegeEscalation = escalation;
    if (typeof table.run_as_non_root === "boolean") sc.runAsNonRoot = table.run_as_non_root;
    if (typeof table.run_as_user === "number") sc.runAsUser = table.run_as_user;
    const profile = seccomp(table);
    if (profile) sc.seccompProfile = profile;
    const caps = asTable(table.capabilities);
    const add = asStrings(caps.add) ?? asStrings(global.cap_add) ?? [];
    const drop = asStrings(caps.drop) ?? asStrings(global.cap_drop) ?? ["NET_RAW"];
    sc.capabilities = { add, drop };
    return sc as SecurityContextLike;
}

/** One job pod per `[[runners]]` entry with the Kubernetes executor, with the namespace it runs in. */
export function runnerJobPods(configToml: string): Array<{ runner: string; namespace?: string; spec: PodSpecLike }> {
    const config = parse(configToml) as Toml;
    const runners = Array.isArray(config.runners) ? (config.runners as Toml[]) : [];
    return runners
        .filter((r) => r.executor === "kubernetes")
        .map((r, i) => {
            const k = asTable(r.kubernetes);
            const container = (name: string, key: string): { name: string; securityContext: SecurityContextLike } => ({
                name,
                securityContext: containerSecurityContext(asTable(k[key]), k),
            });
            return {
                runner: typeof r.name === "string" ? r.name : `runners[${i}]`,
                namespace: typeof k.namespace === "string" ? k.namespace : undefined,
                spec: {
                    securityContext: podSecurityContext(asTable(k.pod_security_context)),
                    initContainers: [container("init-permissions", "init_permissions_container_security_context")],
                    containers: [
                        container("build", "build_container_security_context"),
                        container("helper", "helper_container_security_context"),
                        container("svc-0", "service_container_security_context"),
                    ],
                    volumes: [{ name: "repo", emptyDir: {} }],
                },
            };
        });
}
