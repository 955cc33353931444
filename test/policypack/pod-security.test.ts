import { strict as assert } from "node:assert";
import { checkPodSecurity, POD_SECURITY_CHECKS, podTemplateOf } from "../../policypack/lib/pod-security";

const container = {
    name: "app",
    image: "app:1",
    securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
    },
};
const pod = { containers: [container], volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }] };

/** The compliant pod with one change to its first container's securityContext. */
const withContainer = (securityContext: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...pod,
    containers: [{ ...container, ...extra, securityContext: { ...container.securityContext, ...securityContext } }],
});

interface CheckCase {
    readonly what: string;
    readonly spec: Record<string, unknown>;
    readonly metadata?: Record<string, unknown>;
    readonly message: string;
}

// One failing fixture per upstream check, each a single change to the compliant pod.
const BASELINE: Record<string, CheckCase> = {
    hostNamespaces: { what: "hostPID", spec: { ...pod, hostPID: true }, message: "host namespaces (hostPID=true)" },
    privileged: {
        what: "a privileged container",
        spec: withContainer({ privileged: true }),
        message: 'privileged (containers "app" must not set securityContext.privileged=true)',
    },
    capabilities_baseline: {
        what: "SYS_ADMIN added",
        spec: withContainer({ capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } }),
        message: 'non-default capabilities (containers "app" must not include "SYS_ADMIN" in securityContext.capabilities.add)',
    },
    hostPathVolumes: {
        what: "a hostPath volume",
        spec: { ...pod, volumes: [{ name: "root", hostPath: { path: "/" } }] },
        message: 'hostPath volumes (volumes "root")',
    },
    hostPorts: {
        what: "a host port",
        spec: withContainer({}, { ports: [{ containerPort: 80, hostPort: 80 }] }),
        message: 'hostPort (containers "app" use hostPorts 80)',
    },
    appArmorProfile: {
        what: "an unconfined AppArmor annotation",
        spec: pod,
        metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" } },
        message: 'forbidden AppArmor profile (annotation container.apparmor.security.beta.kubernetes.io/app="unconfined")',
    },
    seLinuxOptions: {
        what: "a custom SELinux type",
        spec: withContainer({ seLinuxOptions: { type: "spc_t" } }),
        message: 'seLinuxOptions (container "app" type "spc_t")',
    },
    procMount: {
        what: "an unmasked /proc",
        spec: withContainer({ procMount: "Unmasked" }),
        message: 'procMount (containers "app" must not set securityContext.procMount other than "Default")',
    },
    seccompProfile_baseline: {
        what: "an unconfined seccomp profile",
        spec: withContainer({ seccompProfile: { type: "Unconfined" } }),
        message: 'seccompProfile (container "app" must not set securityContext.seccompProfile.type to "Unconfined")',
    },
    sysctls: {
        what: "an unsafe sysctl",
        spec: { ...pod, securityContext: { sysctls: [{ name: "kernel.msgmax", value: "1" }] } },
        message: "forbidden sysctls (kernel.msgmax)",
    },
    windowsHostProcess: {
        what: "a Windows host process",
        spec: withContainer({ windowsOptions: { hostProcess: true } }),
        message: 'hostProcess (containers "app" must not set securityContext.windowsOptions.hostProcess=true)',
    },
    hostProbesAndHostLifecycle: {
        what: "a probe against another host",
        spec: withContainer({}, { livenessProbe: { httpGet: { host: "169.254.169.254", path: "/", port: 80 } } }),
        message: 'probe or lifecycle host (containers "app" use hosts "169.254.169.254")',
    },
};

const RESTRICTED: Record<string, CheckCase> = {
    restrictedVolumes: {
        what: "an NFS volume",
        spec: { ...pod, volumes: [{ name: "share", nfs: { server: "nfs", path: "/" } }] },
        message: 'restricted volume types (volumes "share" use "nfs")',
    },
    allowPrivilegeEscalation: {
        what: "privilege escalation left on",
        spec: withContainer({ allowPrivilegeEscalation: undefined }),
        message: 'allowPrivilegeEscalation != false (containers "app" must set securityContext.allowPrivilegeEscalation=false)',
    },
    runAsNonRoot: {
        what: "runAsNonRoot unset",
        spec: withContainer({ runAsNonRoot: undefined }),
        message: 'runAsNonRoot != true (pod or containers "app" must set securityContext.runAsNonRoot=true)',
    },
    runAsUser: {
        what: "root user",
        spec: withContainer({ runAsUser: 0 }),
        message: 'runAsUser=0 (container "app" must not set runAsUser=0)',
    },
    seccompProfile_restricted: {
        what: "no seccomp profile",
        spec: withContainer({ seccompProfile: undefined }),
        message: 'seccompProfile (pod or containers "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    },
    capabilities_restricted: {
        what: "capabilities not dropped",
        spec: withContainer({ capabilities: { add: ["NET_BIND_SERVICE"] } }),
        message: 'unrestricted capabilities (containers "app" must set securityContext.capabilities.drop=["ALL"])',
    },
};

// JSON drops undefined, as inputs arriving from the engine do.
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe("Pod Security Standards (lib/pod-security)", () => {
    it("has a fixture for every upstream check it implements", () => {
        assert.deepEqual(
            Object.keys(BASELINE),
            POD_SECURITY_CHECKS.baseline.map(([id]) => id),
        );
        assert.deepEqual(
            Object.keys(RESTRICTED),
            POD_SECURITY_CHECKS.restricted.map(([id]) => id),
        );
    });

    it("a hardened pod meets restricted (and so baseline)", () => {
        assert.deepEqual(checkPodSecurity(pod, undefined, "restricted"), []);
        assert.deepEqual(checkPodSecurity(pod, undefined, "baseline"), []);
    });

    it("privileged allows anything", () => {
        assert.deepEqual(
            checkPodSecurity(
                { hostNetwork: true, containers: [{ name: "x", securityContext: { privileged: true } }] },
                undefined,
                "privileged",
            ),
            [],
        );
    });

    for (const [check, c] of Object.entries(BASELINE)) {
        it(`baseline ${check}: catches ${c.what} at baseline and restricted`, () => {
            for (const level of ["baseline", "restricted"] as const) {
                const found = checkPodSecurity(json(c.spec), c.metadata, level).filter(
                    (v) => v.check === check || (check === "hostPathVolumes" && v.check === "restrictedVolumes"),
                );
                if (check === "hostPathVolumes" && level === "restricted") {
                    // Upstream: restrictedVolumes overrides hostPathVolumes at restricted.
                    assert.deepEqual(
                        found.map((v) => [v.check, v.message]),
                        [["restrictedVolumes", 'restricted volume types (volumes "root" use "hostPath")']],
                    );
                } else {
                    assert.deepEqual(
                        found.map((v) => [v.check, v.level, v.message]),
                        [[check, "baseline", c.message]],
                        level,
                    );
                }
            }
        });
    }

    for (const [check, c] of Object.entries(RESTRICTED)) {
        it(`restricted ${check}: catches ${c.what}, which baseline allows`, () => {
            assert.deepEqual(
                checkPodSecurity(json(c.spec), c.metadata, "restricted").map((v) => [v.check, v.level, v.message]),
                [[check, "restricted", c.message]],
            );
            assert.deepEqual(checkPodSecurity(json(c.spec), c.metadata, "baseline"), []);
        });
    }

    it("pod-level settings cover every container, and a container cannot undo them", () => {
        const podLevel = {
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [{ name: "a", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
        };
        assert.deepEqual(checkPodSecurity(podLevel, undefined, "restricted"), []);
        const undone = {
            ...podLevel,
            containers: [
                { name: "a", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: false } },
            ],
        };
        assert.deepEqual(
            checkPodSecurity(undone, undefined, "restricted").map((v) => v.message),
            ['runAsNonRoot != true (containers "a" must not set securityContext.runAsNonRoot=false)'],
        );
    });

    it("init and ephemeral containers are checked like containers", () => {
        const privileged = { securityContext: { privileged: true } };
        const withInit = { ...pod, initContainers: [{ name: "init", image: "i", ...privileged }] };
        assert.deepEqual(
            checkPodSecurity(withInit, undefined, "baseline").map((v) => v.message),
            ['privileged (containers "init" must not set securityContext.privileged=true)'],
        );
        const withEphemeral = { ...pod, ephemeralContainers: [{ name: "debug", image: "d", ...privileged }] };
        assert.deepEqual(
            checkPodSecurity(withEphemeral, undefined, "baseline").map((v) => v.message),
            ['privileged (containers "debug" must not set securityContext.privileged=true)'],
        );
        // Restricted: an ephemeral container that may escalate is found like any other container.
        const escalating = {
            ...pod,
            ephemeralContainers: [{ name: "debug", image: "d", securityContext: { allowPrivilegeEscalation: true } }],
        };
        assert.ok(
            checkPodSecurity(escalating, undefined, "restricted").some((v) => v.message.includes('"debug"')),
            "an ephemeral container is checked at the restricted level",
        );
    });

    it("finds the pod template of each workload kind", () => {
        const template = { metadata: { labels: { a: "b" } }, spec: pod };
        for (const kind of ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]) {
            assert.deepEqual(podTemplateOf(kind, { template }), { spec: pod, metadata: template.metadata }, kind);
        }
        assert.deepEqual(podTemplateOf("CronJob", { jobTemplate: { spec: { template } } }), { spec: pod, metadata: template.metadata });
        assert.deepEqual(podTemplateOf("Pod", pod), { spec: pod, metadata: undefined });
        assert.equal(podTemplateOf("ConfigMap", {}), undefined);
    });
});
