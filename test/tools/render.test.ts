import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkPod, podTemplates, PodSpecLike } from "../../tools/render/pss";
import { unknownValueKeys, templateValuePaths } from "../../tools/render/values";
import { checkCrdCoverage, dependencyClosure } from "../../tools/render/crds";
import { runnerJobPods } from "../../tools/render/runner-pods";
import { chartRefOf, chartValueFacts, indexCharts, nearestChart } from "../../tools/render/charts";
import { checkPlan, ChartSource, clusterKubeVersion, formatReport, jenkinsAgentPods, PlanLike } from "../../tools/render/check";
import { runnerConfigToml } from "../../components/gitlab-runners/config";
import { buildJenkinsValues } from "../../components/jenkins/values";
import { placementModelProblems } from "../../tools/render/placement-models";

/** A pod that meets "restricted": the passing fixture each test changes one thing of. */
function restrictedPod(): PodSpecLike {
    return {
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
        containers: [{ name: "app", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
        volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }],
    };
}

describe("render: Pod Security checker", () => {
    it("admits a pod that meets restricted", () => {
        assert.deepEqual(checkPod(restrictedPod(), "restricted"), []);
    });

    it("catches a pod that breaks restricted: no seccomp, no drop ALL, escalation allowed", () => {
        const pod: PodSpecLike = {
            securityContext: { runAsNonRoot: true },
            containers: [{ name: "app", securityContext: { runAsUser: 1000 } }],
        };
        assert.deepEqual(
            checkPod(pod, "restricted").map((f) => `${f.check}: ${f.detail}`),
            [
                'allowPrivilegeEscalation: allowPrivilegeEscalation != false (containers "app" must set securityContext.allowPrivilegeEscalation=false)',
                'seccompProfile_restricted: seccompProfile (pod or containers "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
                'capabilities_restricted: unrestricted capabilities (containers "app" must set securityContext.capabilities.drop=["ALL"])',
            ],
        );
        assert.deepEqual(checkPod(pod, "baseline"), [], "the same pod passes baseline");
    });

    it("requires runAsNonRoot on the pod or on every container, init containers included", () => {
        const pod = restrictedPod();
        const spec = {
            ...pod,
            securityContext: { seccompProfile: { type: "RuntimeDefault" } },
            initContainers: [
                { name: "init", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true } },
                { name: "init-unset", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } },
            ],
        };
        spec.containers = [{ name: "app", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }];
        assert.deepEqual(
            checkPod(spec, "restricted").map((f) => f.detail),
            ['runAsNonRoot != true (pod or containers "init-unset", "app" must set securityContext.runAsNonRoot=true)'],
        );
    });

    it("rejects root, added capabilities and host access at the right levels", () => {
        const pod = restrictedPod();
        const bad: PodSpecLike = {
            ...pod,
            hostNetwork: true,
            securityContext: { ...pod.securityContext, runAsUser: 0 },
            containers: [
                { name: "app", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } } },
            ],
            volumes: [{ name: "host", hostPath: { path: "/" } }],
        };
        assert.deepEqual(
            checkPod(bad, "baseline").map((f) => f.check),
            ["hostNamespaces", "capabilities_baseline", "hostPathVolumes"],
        );
        assert.deepEqual(
            checkPod(bad, "restricted").map((f) => f.check),
            // At restricted, upstream replaces the hostPath check with the volume-type allow-list.
            ["hostNamespaces", "capabilities_baseline", "restrictedVolumes", "runAsUser", "capabilities_restricted"],
        );
        assert.deepEqual(checkPod(bad, "privileged"), []);
    });

    it("finds pod templates in workloads and CronJobs", () => {
        const spec = restrictedPod();
        assert.equal(podTemplates({ kind: "Deployment", metadata: { name: "d" }, spec: { template: { spec } } }).length, 1);
        assert.equal(
            podTemplates({ kind: "CronJob", metadata: { name: "c" }, spec: { jobTemplate: { spec: { template: { spec } } } } })[0].name,
            "c",
        );
        assert.deepEqual(podTemplates({ kind: "ConfigMap", metadata: { name: "x" } }), []);
    });
});

describe("render: value keys", () => {
    const chart = {
        defaults: {
            controller: { admin: { createSecret: true }, podLabels: {}, override: null, nodeSelector: { "kubernetes.io/os": "linux" } },
            securityContext: { runAsUser: 100 },
        },
        templatePaths: templateValuePaths(["{{ if .Values.serviceAccount.create }}{{ .Values.serviceAccount.name }}"]),
    };

    it("accepts keys of values.yaml, open maps, security-context fields and keys the templates read", () => {
        const values = {
            controller: {
                admin: { createSecret: false },
                podLabels: { a: "b" },
                override: { anything: 1 },
                nodeSelector: { "ciplatform.io/pool": "system" },
            },
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            serviceAccount: { create: true, name: "x" },
        };
        assert.deepEqual(unknownValueKeys(values, chart), []);
    });

    it("names each key the chart does not have, with its path", () => {
        const values = {
            controller: { admin: { createSecrets: true } },
            securityContext: { runAsNonroot: true },
            ingres: { enabled: true },
            serviceAccount: { annotation: {} },
        };
        assert.deepEqual(unknownValueKeys(values, chart), [
            "controller.admin.createSecrets",
            "securityContext.runAsNonroot",
            "ingres",
            "serviceAccount.annotation",
        ]);
    });

    it("uses values.schema.json where the chart has one", () => {
        const withSchema = {
            defaults: {},
            schema: {
                type: "object",
                properties: {
                    crds: { type: "object", properties: { enabled: { type: "boolean" } }, additionalProperties: false },
                    extra: { type: "object" },
                },
            },
        };
        assert.deepEqual(unknownValueKeys({ crds: { enabled: true, keep: true }, extra: { x: 1 } }, withSchema), ["crds.keep"]);
    });
});

describe("render: CRD coverage", () => {
    const resources = [
        { urn: "ns", parent: null, dependsOn: [] },
        { urn: "comp", parent: null, dependsOn: [] },
        { urn: "release", parent: "comp", dependsOn: ["ns"] },
        { urn: "store", parent: null, dependsOn: ["release"] },
        { urn: "secret", parent: null, dependsOn: ["store"] },
        { urn: "viaComponent", parent: null, dependsOn: ["comp"] },
        { urn: "orphan", parent: null, dependsOn: ["ns"] },
    ];
    const closure = dependencyClosure(resources);
    const api = { group: "external-secrets.io", version: "v1", kind: "ExternalSecret" };
    const providers = [{ urn: "release", label: "release eso", kinds: [api] }];

    it("accepts a resource that waits for the release transitively or through a component", () => {
        assert.deepEqual(
            checkCrdCoverage(
                [
                    { label: "secret", api, dependsOn: closure.get("secret") ?? new Set() },
                    { label: "c", api, dependsOn: closure.get("viaComponent") ?? new Set() },
                ],
                providers,
            ),
            [],
        );
    });

    it("flags a resource that does not depend on the release installing its CRD, and one nobody installs", () => {
        const findings = checkCrdCoverage(
            [
                { label: "orphan", api, dependsOn: closure.get("orphan") ?? new Set() },
                { label: "cluster", api: { group: "piraeus.io", version: "v1", kind: "LinstorCluster" }, dependsOn: new Set() },
            ],
            providers,
        );
        assert.deepEqual(findings, [
            {
                resource: "orphan",
                api: "external-secrets.io/v1 ExternalSecret",
                problem: "its CRD comes from release eso, which it does not depend on",
            },
            {
                resource: "cluster",
                api: "piraeus.io/v1 LinstorCluster",
                problem: "no release, add-on or CRD in the plan installs this CRD",
            },
        ]);
    });
});

describe("render: GitLab job pods from config.toml", () => {
    const toml = (extra: string): string => `concurrent = 1
[[runners]]
name = "arm64"
executor = "kubernetes"
[runners.kubernetes]
namespace = "ci"
${extra}
[runners.kubernetes.pod_security_context]
run_as_non_root = true
run_as_user = 1000
[runners.kubernetes.pod_security_context.seccomp_profile]
type = "RuntimeDefault"
`;

    it("derives the executor's containers: without settings init-permissions only drops NET_RAW", () => {
        const [job] = runnerJobPods(toml(""));
        assert.equal(job.namespace, "ci");
        const findings = checkPod(job.spec, "restricted").map((f) => f.check);
        assert.deepEqual(findings, ["allowPrivilegeEscalation", "capabilities_restricted"]);
    });

    it("passes restricted with the global escalation and cap_drop settings", () => {
        const [job] = runnerJobPods(toml('allow_privilege_escalation = false\ncap_drop = ["ALL"]'));
        assert.deepEqual(checkPod(job.spec, "restricted"), []);
    });
});

describe("render: Jenkins agents", () => {
    const template = (restricted: boolean): Record<string, unknown> => ({
        agent: {
            restrictedPssSecurityContext: restricted,
            podTemplates: {
                a: "- name: a\n  yaml: |\n    spec:\n      securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}\n  containers:\n    - name: jnlp\n",
            },
        },
    });

    it("fail restricted unless the plugin's restricted security context is on", () => {
        assert.notDeepEqual(checkPod(jenkinsAgentPods(template(false))[0].spec, "restricted"), []);
        assert.deepEqual(checkPod(jenkinsAgentPods(template(true))[0].spec, "restricted"), []);
    });
});

describe("render: the product's own job pods and agents", () => {
    const RESOURCES = { cpuRequest: "500m", cpuLimit: "2", memoryRequest: "1Gi", memoryLimit: "4Gi" };
    const CACHE = { bucket: "b", region: "eu-west-1", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc" };

    for (const architecture of ["arm64", "amd64"] as const) {
        it(`GitLab job pods of the ${architecture} runner's config.toml meet restricted`, () => {
            const toml = runnerConfigToml({
                architecture,
                namespace: `runner-${architecture}`,
                runnerVersion: "v19.4.0",
                jobServiceAccount: "jobs",
                resources: RESOURCES,
                cache: CACHE,
            });
            const jobs = runnerJobPods(toml);
            assert.equal(jobs.length, 1);
            assert.deepEqual(checkPod(jobs[0].spec, "restricted"), []);
        });
    }

    it("Jenkins agents of the product's values meet restricted, for every architecture's pod template", () => {
        const values = buildJenkinsValues({
            hostname: "jenkins.ci.internal",
            storageClass: "linstor-replicated",
            homeSizeGiB: 50,
            adminSecretName: "jenkins-admin",
            ingressClassName: "alb",
            certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
            architectures: ["arm64", "amd64"],
            keepHome: true,
        }) as Record<string, unknown>;
        const agents = jenkinsAgentPods(values);
        assert.deepEqual(agents.map((a) => a.name).sort(), ["agent agent-amd64", "agent agent-arm64"]);
        for (const agent of agents) {
            assert.deepEqual(checkPod(agent.spec, "restricted", agent.annotations), [], agent.name);
        }
    });
});

describe("render: charts and the whole check", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ciplatform-render-test-"));
    const writeChart = (dir: string, name: string, version: string): string => {
        const chartDir = path.join(root, dir);
        fs.mkdirSync(path.join(chartDir, "templates"), { recursive: true });
        fs.writeFileSync(path.join(chartDir, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: ${version}\n`);
        fs.writeFileSync(path.join(chartDir, "values.yaml"), "replicaCount: 1\npodSecurityContext: {}\n");
        fs.writeFileSync(path.join(chartDir, "templates", "deployment.yaml"), "{{ .Values.image.tag }}\n");
        return chartDir;
    };
    writeChart("demo-1.0.0", "demo", "1.0.0");
    writeChart("nested/demo-1.2.0", "demo", "1.2.0");

    it("finds stored charts by Chart.yaml and picks the exact or nearest version", () => {
        const stored = indexCharts([root]);
        assert.deepEqual(stored.map((c) => c.version).sort(), ["1.0.0", "1.2.0"]);
        assert.deepEqual(nearestChart(stored, { name: "demo", version: "1.2.0", chart: "demo" })?.exact, true);
        assert.equal(nearestChart(stored, { name: "demo", version: "1.5.0", chart: "demo" })?.chart.version, "1.2.0");
        assert.equal(nearestChart(stored, { name: "demo", version: "0.9.0", chart: "demo" })?.chart.version, "1.0.0");
        assert.equal(nearestChart(stored, { name: "piraeus-operator", version: "2.9.0", chart: "piraeus-operator" }), undefined);
        const facts = chartValueFacts(path.join(root, "demo-1.0.0"));
        assert.deepEqual(unknownValueKeys({ replicaCount: 2, image: { tag: "x" }, imag: 1 }, facts), ["imag"]);
    });

    it("reads OCI and repository chart references", () => {
        assert.deepEqual(chartRefOf({ chart: "oci://ghcr.io/piraeusdatastore/piraeus-operator/piraeus", version: "2.8.1" }), {
            name: "piraeus",
            version: "2.8.1",
            repository: "oci://ghcr.io/piraeusdatastore/piraeus-operator",
            chart: "oci://ghcr.io/piraeusdatastore/piraeus-operator/piraeus",
        });
        assert.equal(
            chartRefOf({ chart: "jenkins", version: "5.9.53", repositoryOpts: { repo: "https://charts.jenkins.io" } }).repository,
            "https://charts.jenkins.io",
        );
    });

    const ns = (name: string, level: string): PlanLike["resources"][number] => ({
        urn: `ns-${name}`,
        type: "kubernetes:core/v1:Namespace",
        name,
        parent: null,
        dependsOn: [],
        inputs: { metadata: { name, labels: { "pod-security.kubernetes.io/enforce": level } } },
    });
    const plan: PlanLike = {
        stack: "test",
        resources: [
            ns("apps", "restricted"),
            {
                urn: "rel",
                type: "kubernetes:helm.sh/v3:Release",
                name: "demo",
                parent: null,
                dependsOn: ["ns-apps"],
                inputs: { chart: "demo", version: "1.3.0", namespace: "apps", values: { replicaCount: 2 } },
            },
            { urn: "cr", type: "kubernetes:demo.io/v1:Widget", name: "w", parent: null, dependsOn: [], inputs: {} },
        ],
    };
    const source =
        (pod: PodSpecLike): ChartSource =>
        () => ({
            found: true,
            version: "1.2.0",
            facts: { defaults: { replicaCount: 1 } },
            render: () => ({
                docs: [
                    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "demo" }, spec: { template: { spec: pod } } },
                    {
                        apiVersion: "apiextensions.k8s.io/v1",
                        kind: "CustomResourceDefinition",
                        metadata: { name: "widgets.demo.io" },
                        spec: { group: "demo.io", names: { kind: "Widget" }, versions: [{ name: "v1", served: true }] },
                    },
                ],
            }),
        });

    it("fails on a pod the namespace's level rejects and a CR not waiting for its CRD, and says which version it rendered", () => {
        const report = checkPlan(plan, source({ containers: [{ name: "app" }] }));
        assert.equal(report.failed, true);
        assert.deepEqual(
            report.releases[0].podViolations[0].findings.map((f) => f.check),
            ["allowPrivilegeEscalation", "runAsNonRoot", "seccompProfile_restricted", "capabilities_restricted"],
        );
        assert.deepEqual(report.crdFindings, [
            { resource: "Widget w", api: "demo.io/v1 Widget", problem: "its CRD comes from release demo, which it does not depend on" },
        ]);
        const text = formatReport(report);
        assert.match(text, /note: demo: chart demo 1\.3\.0 is not stored; rendered the nearest stored version 1\.2\.0/);
        assert.match(
            text,
            /Summary: 1 releases, 1 pods checked; 1 Pod Security violation\(s\), 0 unknown value key\(s\), 1 CRD finding\(s\), 0 chart error\(s\)\./,
        );
    });

    it("passes when the pod meets restricted and the CR depends on the release", () => {
        const fixed: PlanLike = { ...plan, resources: plan.resources.map((r) => (r.urn === "cr" ? { ...r, dependsOn: ["rel"] } : r)) };
        assert.equal(checkPlan(fixed, source(restrictedPod())).failed, false);
    });

    it("fails when a chart does not exist at its pin", () => {
        const report = checkPlan(plan, () => ({ found: false, error: "chart demo@1.3.0 does not exist" }));
        assert.equal(report.failed, true);
        assert.equal(report.releases[0].error, "chart demo@1.3.0 does not exist");
    });

    it("renders for the Kubernetes version of the plan's EKS cluster (the stack's cluster:kubernetesVersion), not a constant", () => {
        const cluster = (version: string, urn = "cluster"): PlanLike["resources"][number] => ({
            urn,
            type: "eks:index:Cluster",
            name: urn,
            parent: null,
            dependsOn: [],
            inputs: { version },
        });
        assert.equal(clusterKubeVersion({ ...plan, resources: [...plan.resources, cluster("1.31")] }), "1.31");
        assert.throws(
            () => clusterKubeVersion(plan),
            /the plan of test has no EKS cluster \(eks:index:Cluster or aws:eks\/cluster:Cluster\)/,
        );
        assert.throws(
            () => clusterKubeVersion({ ...plan, resources: [cluster("1.31"), cluster("1.32", "other")] }),
            /has clusters of versions 1\.31, 1\.32/,
        );
    });
});

describe("render: placement models against the rendered chart (tools/render/placement-models.ts)", () => {
    const karpenterDeployment = (nodeSelector: Record<string, string>, tolerations: unknown[]): Record<string, unknown> => ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "karpenter" },
        spec: {
            template: {
                spec: {
                    nodeSelector,
                    tolerations,
                    affinity: {
                        nodeAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: {
                                nodeSelectorTerms: [{ matchExpressions: [{ key: "karpenter.sh/nodepool", operator: "DoesNotExist" }] }],
                            },
                        },
                    },
                },
            },
        },
    });
    const values = { nodeSelector: { "ciplatform.io/pool": "system" } };

    it("agrees with a chart that renders what the model predicts (karpenter 1.14.1 templates/deployment.yaml, values merged over defaults)", () => {
        const docs = [
            karpenterDeployment({ "kubernetes.io/os": "linux", "ciplatform.io/pool": "system" }, [
                { key: "CriticalAddonsOnly", operator: "Exists" },
            ]),
        ];
        assert.deepEqual(placementModelProblems("karpenter", "1.14.1", values, docs), []);
    });

    it("names the field where the chart differs, an unmodelled workload, and a chart version without a model", () => {
        const docs = [
            karpenterDeployment({ "ciplatform.io/pool": "system" }, [{ key: "CriticalAddonsOnly", operator: "Exists" }]),
            { apiVersion: "batch/v1", kind: "Job", metadata: { name: "karpenter-cleanup" }, spec: { template: { spec: {} } } },
        ];
        const problems = placementModelProblems("karpenter", "1.14.1", values, docs);
        assert.equal(problems.length, 2);
        assert.match(
            problems[0],
            /^Deployment karpenter \(templates\/deployment\.yaml\): nodeSelector: model .*"kubernetes\.io\/os":"linux".*, chart /,
        );
        assert.match(problems[1], /^Job karpenter-cleanup is rendered but not modelled/);
        assert.match(placementModelProblems("karpenter", "1.15.0", values, docs)[0], /no placement model of chart karpenter at 1\.15\.0/);
    });

    it("a release whose model differs fails the render check when placement models are checked", () => {
        const plan: PlanLike = {
            stack: "test",
            resources: [
                {
                    urn: "rel",
                    type: "kubernetes:helm.sh/v3:Release",
                    name: "karpenter",
                    parent: null,
                    dependsOn: [],
                    inputs: { chart: "oci://public.ecr.aws/karpenter/karpenter", version: "1.14.1", namespace: "kube-system", values },
                },
            ],
        };
        const source: ChartSource = () => ({
            found: true,
            version: "1.14.1",
            facts: { defaults: { nodeSelector: {} } },
            render: () => ({ docs: [karpenterDeployment({ "ciplatform.io/pool": "system" }, [])] }),
        });
        assert.equal(checkPlan(plan, source).failed, false);
        const report = checkPlan(plan, source, { placementModels: true });
        assert.equal(report.failed, true);
        assert.match(formatReport(report), /placement model: karpenter: Deployment karpenter .*tolerations: model/);
    });
});
