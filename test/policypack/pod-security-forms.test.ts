/**
 * Each Pod Security check (policypack/lib/pod-security.ts, after k8s.io/pod-security-admission
 * policy/check_*.go) with the exact violation it reports: which containers (regular, init, ephemeral),
 * which values are allowed (upstream's allow lists), which forms count as unset (null, "", 0), and the
 * message a workload owner reads. Each fixture starts from a pod that meets `restricted` and breaks one thing.
 */
import { strict as assert } from "node:assert";
import { checkPodSecurity, isPodSecurityLevel, PodSecurityLevel, podTemplateOf } from "../../policypack/lib/pod-security";

type Json = Record<string, unknown>;
const hardenedContext = {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
    capabilities: { drop: ["ALL"] },
};
/** A container that meets restricted, with `securityContext` fields overridden. */
const c = (name: string, context: Json = {}, extra: Json = {}): Json => ({
    name,
    image: "registry.example/app@sha256:0",
    securityContext: { ...hardenedContext, ...context },
    ...extra,
});
const found = (spec: unknown, level: PodSecurityLevel = "restricted", metadata?: unknown): Array<[string, string, string]> =>
    checkPodSecurity(spec, metadata, level).map((v) => [v.check, v.level, v.message]);

describe("Pod Security checks by form (lib/pod-security)", () => {
    it("a pod meeting restricted, with its containers in every list, has no violation; privileged allows anything", () => {
        const spec = { initContainers: [c("i")], containers: [c("a")], ephemeralContainers: [c("e")] };
        assert.deepEqual(found(spec), []);
        assert.deepEqual(
            found({ hostNetwork: true, containers: [{ name: "x", securityContext: { privileged: true } }] }, "privileged"),
            [],
        );
        assert.deepEqual(found(undefined), []);
        assert.deepEqual(found([c("a")]), [], "an array is not a pod spec");
    });

    it("hostNamespaces: hostNetwork, hostPID, hostIPC set to true (not a truthy string)", () => {
        assert.deepEqual(found({ hostNetwork: true, hostPID: true, hostIPC: "true", containers: [c("a")] }), [
            ["hostNamespaces", "baseline", "host namespaces (hostNetwork=true, hostPID=true)"],
        ]);
        assert.deepEqual(found({ hostIPC: true, containers: [c("a")] }, "baseline"), [
            ["hostNamespaces", "baseline", "host namespaces (hostIPC=true)"],
        ]);
    });

    it("privileged: every container list, true only", () => {
        const spec = {
            initContainers: [c("i", { privileged: true })],
            containers: [c("a", { privileged: "true" }), c("b", { privileged: false })],
        };
        assert.deepEqual(found(spec), [
            ["privileged", "baseline", 'privileged (containers "i" must not set securityContext.privileged=true)'],
        ]);
        const ephemeral = { containers: [c("a")], ephemeralContainers: [c("e", { privileged: true })] };
        assert.deepEqual(found(ephemeral), [
            ["privileged", "baseline", 'privileged (containers "e" must not set securityContext.privileged=true)'],
        ]);
    });

    it("capabilities_baseline: capabilities outside the baseline list, named once each", () => {
        const spec = {
            containers: [
                { name: "a", securityContext: { capabilities: { add: ["NET_ADMIN", "CHOWN", "SYS_ADMIN"] } } },
                { name: "b", securityContext: { capabilities: { add: ["NET_ADMIN"] } } },
                { name: "ok", securityContext: { capabilities: { add: ["KILL", "NET_BIND_SERVICE", "SETUID"] } } },
            ],
        };
        assert.deepEqual(found(spec, "baseline"), [
            [
                "capabilities_baseline",
                "baseline",
                'non-default capabilities (containers "a", "b" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)',
            ],
        ]);
    });

    it("hostPathVolumes at baseline; restrictedVolumes at restricted names each volume outside the allowed sources", () => {
        const volumes = [{ name: "h", hostPath: { path: "/" } }, { name: "n", hostPath: null }, { name: "e", emptyDir: {} }, "junk"];
        assert.deepEqual(found({ volumes, containers: [c("a")] }, "baseline"), [
            ["hostPathVolumes", "baseline", 'hostPath volumes (volumes "h")'],
        ]);
        assert.deepEqual(found({ volumes, containers: [c("a")] }), [
            ["restrictedVolumes", "restricted", 'restricted volume types (volumes "h", "n", "undefined" use "hostPath", "unknown")'],
        ]);
        const allowed = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
        assert.deepEqual(found({ volumes: allowed.map((k, i) => ({ name: `v${i}`, [k]: {} })), containers: [c("a")] }), []);
        assert.deepEqual(found({ volumes: [{ name: "nfs", nfs: {}, emptyDir: null }], containers: [c("a")] }), [
            ["restrictedVolumes", "restricted", 'restricted volume types (volumes "nfs" use "nfs")'],
        ]);
    });

    it("hostPorts: any non-zero hostPort, as a number or a string", () => {
        const spec = {
            containers: [
                c(
                    "a",
                    {},
                    { ports: [{ containerPort: 80, hostPort: 8080 }, { hostPort: 0 }, { hostPort: null }, { containerPort: 1 }, "junk"] },
                ),
                c("b", {}, { ports: [{ hostPort: "9090" }] }),
                c("z", {}, { ports: [{ hostPort: "0" }] }),
            ],
        };
        assert.deepEqual(found(spec), [["hostPorts", "baseline", 'hostPort (containers "a", "b" use hostPorts 8080, 9090)']]);
    });

    it("appArmorProfile: pod and container fields and the per-container annotation; RuntimeDefault, Localhost and empty are allowed", () => {
        const spec = {
            securityContext: { appArmorProfile: { type: "Unconfined" } },
            containers: [
                c("a", { appArmorProfile: { type: "Localhost" } }),
                c("b", { appArmorProfile: { type: "RuntimeDefault" } }),
                c("x", { appArmorProfile: { type: "Unconfined" } }),
            ],
        };
        const annotations = {
            "container.apparmor.security.beta.kubernetes.io/a": "unconfined",
            "container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
            "container.apparmor.security.beta.kubernetes.io/c": "localhost/profile",
            "container.apparmor.security.beta.kubernetes.io/d": "",
            "example.com/apparmor": "unconfined",
        };
        assert.deepEqual(found(spec, "baseline", { annotations }), [
            [
                "appArmorProfile",
                "baseline",
                'forbidden AppArmor profile (pod must not set securityContext.appArmorProfile.type to "Unconfined"; ' +
                    'container "x" must not set securityContext.appArmorProfile.type to "Unconfined"; ' +
                    'annotation container.apparmor.security.beta.kubernetes.io/a="unconfined")',
            ],
        ]);
        assert.deepEqual(found({ securityContext: { appArmorProfile: { type: "Localhost" } }, containers: [c("a")] }), []);
        assert.deepEqual(found({ securityContext: { appArmorProfile: { type: "RuntimeDefault" } }, containers: [c("a")] }), []);
        assert.deepEqual(
            found({ containers: [c("a")] }, "restricted", {
                annotations: { "container.apparmor.security.beta.kubernetes.io/a": "localhostx" },
            }),
            [
                [
                    "appArmorProfile",
                    "baseline",
                    'forbidden AppArmor profile (annotation container.apparmor.security.beta.kubernetes.io/a="localhostx")',
                ],
            ],
        );
    });

    it("seLinuxOptions: a type outside the container types, any user or role, on the pod or a container", () => {
        const spec = {
            securityContext: { seLinuxOptions: { type: "spc_t", level: "s0:c1" } },
            containers: [
                c("a", { seLinuxOptions: { user: "u", role: "r", type: "container_t" } }),
                c("b", { seLinuxOptions: { type: "", user: "", role: "" } }),
            ],
        };
        assert.deepEqual(found(spec), [
            ["seLinuxOptions", "baseline", 'seLinuxOptions (pod type "spc_t", container "a" user "u", container "a" role "r")'],
        ]);
        const allowed = ["container_init_t", "container_kvm_t", "container_engine_t"].map((type, i) =>
            c(`c${i}`, { seLinuxOptions: { type } }),
        );
        assert.deepEqual(found({ containers: allowed }), []);
    });

    it('procMount: anything but "Default" (unset and null allowed)', () => {
        const spec = { containers: [c("a", { procMount: "Unmasked" }), c("b", { procMount: "Default" }), c("n", { procMount: null })] };
        assert.deepEqual(found(spec), [
            ["procMount", "baseline", 'procMount (containers "a" must not set securityContext.procMount other than "Default")'],
        ]);
    });

    it("seccompProfile: baseline forbids Unconfined; restricted also wants RuntimeDefault or Localhost on the pod or every container", () => {
        const unconfined = {
            securityContext: { seccompProfile: { type: "Unconfined" } },
            containers: [c("a", { seccompProfile: { type: "Unconfined" } })],
        };
        assert.deepEqual(found(unconfined, "baseline"), [
            [
                "seccompProfile_baseline",
                "baseline",
                'seccompProfile (pod, container "a" must not set securityContext.seccompProfile.type to "Unconfined")',
            ],
        ]);
        const mixed = {
            containers: [
                c("a", { seccompProfile: undefined }),
                c("b", { seccompProfile: { type: "Localhost" } }),
                c("x", { seccompProfile: { type: "Unconfined" } }),
                c("y", { seccompProfile: { type: "Other" } }),
            ],
        };
        assert.deepEqual(found(mixed), [
            [
                "seccompProfile_baseline",
                "baseline",
                'seccompProfile (container "x" must not set securityContext.seccompProfile.type to "Unconfined")',
            ],
            [
                "seccompProfile_restricted",
                "restricted",
                'seccompProfile (containers "x", "y" must not set securityContext.seccompProfile.type other than "RuntimeDefault" or "Localhost"; ' +
                    'pod or containers "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
            ],
        ]);
        // The pod's profile covers containers that set none; a pod profile of another type is reported once, for the pod.
        assert.deepEqual(
            found({ securityContext: { seccompProfile: { type: "RuntimeDefault" } }, containers: [c("a", { seccompProfile: undefined })] }),
            [],
        );
        assert.deepEqual(
            found({ securityContext: { seccompProfile: { type: "Other" } }, containers: [c("a", { seccompProfile: undefined })] }),
            [
                [
                    "seccompProfile_restricted",
                    "restricted",
                    'seccompProfile (pod must not set securityContext.seccompProfile.type to "Other")',
                ],
            ],
        );
    });

    it("sysctls: only upstream's safe set", () => {
        const safe = ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.tcp_keepalive_time"];
        const spec = {
            securityContext: {
                sysctls: [
                    ...safe.map((name) => ({ name, value: "1" })),
                    { name: "kernel.msgmax", value: "1" },
                    { name: "net.core.somaxconn" },
                ],
            },
            containers: [c("a")],
        };
        assert.deepEqual(found(spec), [["sysctls", "baseline", "forbidden sysctls (kernel.msgmax, net.core.somaxconn)"]]);
    });

    it("windowsHostProcess: the pod, containers, or both", () => {
        const win = (pod: boolean, containers: Json[]) => ({ securityContext: { windowsOptions: { hostProcess: pod } }, containers });
        const host = { windowsOptions: { hostProcess: true } };
        assert.deepEqual(found(win(true, [c("a", host), c("b")])), [
            [
                "windowsHostProcess",
                "baseline",
                'hostProcess (pod and containers "a" must not set securityContext.windowsOptions.hostProcess=true)',
            ],
        ]);
        assert.deepEqual(found(win(true, [c("a")])), [
            ["windowsHostProcess", "baseline", "hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)"],
        ]);
        assert.deepEqual(found(win(false, [c("a", host)])), [
            ["windowsHostProcess", "baseline", 'hostProcess (containers "a" must not set securityContext.windowsOptions.hostProcess=true)'],
        ]);
    });

    it("hostProbesAndHostLifecycle: a host on an httpGet or tcpSocket probe or lifecycle handler", () => {
        const spec = {
            containers: [
                c(
                    "a",
                    {},
                    {
                        livenessProbe: { httpGet: { host: "10.0.0.1", port: 80 } },
                        readinessProbe: { tcpSocket: { host: "", port: 80 } },
                        startupProbe: { tcpSocket: { host: "db", port: 5432 } },
                        lifecycle: { postStart: { httpGet: { host: null } }, preStop: { httpGet: { host: "hook" } } },
                    },
                ),
                c("b", {}, { readinessProbe: { httpGet: { port: 80 } } }),
            ],
        };
        assert.deepEqual(found(spec), [
            ["hostProbesAndHostLifecycle", "baseline", 'probe or lifecycle host (containers "a" use hosts "10.0.0.1", "db", "hook")'],
        ]);
    });

    it("allowPrivilegeEscalation: each container must set it to false (unset counts); Windows pods are exempt", () => {
        const spec = { containers: [c("a", { allowPrivilegeEscalation: undefined }), c("b", { allowPrivilegeEscalation: true }), c("ok")] };
        assert.deepEqual(found(spec), [
            [
                "allowPrivilegeEscalation",
                "restricted",
                'allowPrivilegeEscalation != false (containers "a", "b" must set securityContext.allowPrivilegeEscalation=false)',
            ],
        ]);
        assert.deepEqual(found({ containers: [{ name: "bare" }] }, "baseline"), []);
        // Windows: allowPrivilegeEscalation, seccomp and capabilities are not judged (upstream skips them for os.name windows).
        assert.deepEqual(found({ os: { name: "windows" }, securityContext: { runAsNonRoot: true }, containers: [{ name: "w" }] }), []);
        assert.deepEqual(
            found({
                os: { name: "linux" },
                securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                containers: [c("l", { allowPrivilegeEscalation: null })],
            }),
            [
                [
                    "allowPrivilegeEscalation",
                    "restricted",
                    'allowPrivilegeEscalation != false (containers "l" must set securityContext.allowPrivilegeEscalation=false)',
                ],
            ],
        );
    });

    it("runAsNonRoot: explicit false on the pod or a container, and containers left unset without the pod's true", () => {
        const spec = {
            securityContext: { runAsNonRoot: false },
            containers: [c("a", { runAsNonRoot: false }), c("b", { runAsNonRoot: undefined }), c("ok")],
        };
        assert.deepEqual(found(spec), [
            [
                "runAsNonRoot",
                "restricted",
                'runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false; containers "a" must not set securityContext.runAsNonRoot=false; ' +
                    'pod or containers "b" must set securityContext.runAsNonRoot=true)',
            ],
        ]);
        const podTrue = {
            securityContext: { runAsNonRoot: true },
            containers: [c("a", { runAsNonRoot: false }), c("b", { runAsNonRoot: undefined })],
        };
        assert.deepEqual(found(podTrue), [
            ["runAsNonRoot", "restricted", 'runAsNonRoot != true (containers "a" must not set securityContext.runAsNonRoot=false)'],
        ]);
    });

    it("runAsUser: 0 on the pod or a container (other ids, and '0' as a string, are not root here)", () => {
        const spec = {
            securityContext: { runAsUser: 0 },
            containers: [c("a", { runAsUser: 0 }), c("b", { runAsUser: 1000 }), c("s", { runAsUser: "0" })],
        };
        assert.deepEqual(found(spec), [["runAsUser", "restricted", 'runAsUser=0 (pod, container "a" must not set runAsUser=0)']]);
        assert.deepEqual(found({ containers: [c("a", { runAsUser: 0 })] }), [
            ["runAsUser", "restricted", 'runAsUser=0 (container "a" must not set runAsUser=0)'],
        ]);
    });

    it("capabilities_restricted: drop ALL in every container, add nothing but NET_BIND_SERVICE", () => {
        const spec = {
            containers: [
                c("a", { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } }),
                c("b", { capabilities: { drop: ["NET_RAW"], add: ["CHOWN"] } }),
                c("n", { capabilities: undefined }),
            ],
        };
        assert.deepEqual(found(spec), [
            [
                "capabilities_restricted",
                "restricted",
                'unrestricted capabilities (containers "b", "n" must set securityContext.capabilities.drop=["ALL"]; containers "b" must not include "CHOWN" in securityContext.capabilities.add)',
            ],
        ]);
        assert.deepEqual(found({ containers: [c("x", { capabilities: { drop: ["ALL"], add: ["SYS_TIME"] } })] }), [
            [
                "capabilities_baseline",
                "baseline",
                'non-default capabilities (containers "x" must not include "SYS_TIME" in securityContext.capabilities.add)',
            ],
            [
                "capabilities_restricted",
                "restricted",
                'unrestricted capabilities (containers "x" must not include "SYS_TIME" in securityContext.capabilities.add)',
            ],
        ]);
    });

    it('reads containers defensively: entries that are not objects are skipped, a container without a name is "?"', () => {
        assert.deepEqual(
            found({
                containers: [null, "x", [c("arr", { privileged: true })], { securityContext: { privileged: true, ...hardenedContext } }],
            }),
            [["privileged", "baseline", 'privileged (containers "?" must not set securityContext.privileged=true)']],
        );
        // A securityContext that is not an object sets nothing.
        assert.deepEqual(found({ securityContext: [{ runAsNonRoot: true }], containers: [c("a", { runAsNonRoot: undefined })] }), [
            ["runAsNonRoot", "restricted", 'runAsNonRoot != true (pod or containers "a" must set securityContext.runAsNonRoot=true)'],
        ]);
    });

    it("a bare container (no securityContext, no ports, no probes) at restricted: each restricted check names it", () => {
        assert.deepEqual(
            found({
                containers: [{ name: "bare", ports: [{ containerPort: 80 }], livenessProbe: { exec: {} } }],
                volumes: [{ name: "v", secret: {}, hostPath: undefined }],
            }),
            [
                [
                    "allowPrivilegeEscalation",
                    "restricted",
                    'allowPrivilegeEscalation != false (containers "bare" must set securityContext.allowPrivilegeEscalation=false)',
                ],
                [
                    "runAsNonRoot",
                    "restricted",
                    'runAsNonRoot != true (pod or containers "bare" must set securityContext.runAsNonRoot=true)',
                ],
                [
                    "seccompProfile_restricted",
                    "restricted",
                    'seccompProfile (pod or containers "bare" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
                ],
                [
                    "capabilities_restricted",
                    "restricted",
                    'unrestricted capabilities (containers "bare" must set securityContext.capabilities.drop=["ALL"])',
                ],
            ],
        );
        assert.deepEqual(found({ securityContext: { sysctls: ["kernel.msgmax"] }, containers: [c("a")] }), [
            ["sysctls", "baseline", "forbidden sysctls (undefined)"],
        ]);
        assert.deepEqual(found({ securityContext: { seLinuxOptions: { level: "s0" } }, containers: [c("a")] }), []);
    });

    it("podTemplateOf finds the template of each workload kind and nothing for other kinds or malformed specs", () => {
        const template = { metadata: { labels: { app: "x" } }, spec: { containers: [c("a")] } };
        assert.deepEqual(podTemplateOf("Pod", template.spec), { spec: template.spec, metadata: undefined });
        for (const kind of ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"]) {
            assert.deepEqual(podTemplateOf(kind, { template }), { spec: template.spec, metadata: template.metadata }, kind);
            assert.equal(podTemplateOf(kind, { template: "x" }), undefined, kind);
        }
        assert.deepEqual(podTemplateOf("CronJob", { jobTemplate: { spec: { template } } }), {
            spec: template.spec,
            metadata: template.metadata,
        });
        assert.equal(podTemplateOf("CronJob", { jobTemplate: { template } }), undefined);
        assert.equal(podTemplateOf("CronJob", {}), undefined);
        assert.equal(podTemplateOf("CronJob", { jobTemplate: { spec: { template: [template] } } }), undefined);
        assert.equal(podTemplateOf("Service", { template }), undefined);
        assert.equal(podTemplateOf("Deployment", null), undefined);
        assert.equal(podTemplateOf("Pod", [template.spec]), undefined);
    });

    it("isPodSecurityLevel accepts the three level names only", () => {
        assert.deepEqual(["privileged", "baseline", "restricted", "Restricted", "", undefined].map(isPodSecurityLevel), [
            true,
            true,
            true,
            false,
            false,
            false,
        ]);
    });
});
