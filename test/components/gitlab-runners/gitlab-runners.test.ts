import { strict as assert } from "node:assert";
import { parse } from "smol-toml";
import { GitlabRunners, validateGitlabRunnersArgs } from "../../../components/gitlab-runners/gitlab-runners";
import { cachePermissions } from "../../../components/gitlab-runners/policies";
import {
    buildRunnerValues,
    EXECUTOR_RBAC_RULES,
    helperImage,
    runnerConfigToml,
    runnerTags,
    runnerVersionOfChart,
} from "../../../components/gitlab-runners/config";
import { ExternalSecrets } from "../../../components/external-secrets/external-secrets";
import { ofType, plan, PlanFile, single, configIssues } from "../../helpers/mocks";
import { testCluster, underOrgTags } from "../../helpers/fixtures";
import { simulate } from "../../helpers/iam";
import { runnerJobPods } from "../../../tools/render/runner-pods";
import { checkPodSecurity, isPodSecurityLevel } from "../../../policypack/lib/pod-security";

type RunnerToml = {
    runners: Array<{
        executor: string;
        kubernetes: Record<string, unknown> & { node_selector: Record<string, string>; node_tolerations: Record<string, string> };
        cache: { Type: string; Shared: boolean; Path: string; s3: Record<string, string> };
    }>;
};

const RESOURCES = { cpuRequest: "500m", cpuLimit: "2", memoryRequest: "1Gi", memoryLimit: "4Gi" };
const CACHE = { bucket: "cip-dev-runner-cache", region: "eu-west-1", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc" };

describe("GitLab runners", () => {
    describe("config.toml", () => {
        for (const [arch, helperArch] of [
            ["arm64", "arm64"],
            ["amd64", "x86_64"],
        ] as const) {
            it(`puts ${arch} jobs on CI nodes of their architecture, capacity type left to the pool, with the matching helper image`, () => {
                const toml = JSON.parse(
                    JSON.stringify(
                        parse(
                            runnerConfigToml({
                                architecture: arch,
                                namespace: `runner-${arch}`,
                                runnerVersion: "v19.4.0",
                                jobServiceAccount: "gitlab-runner-jobs",
                                resources: RESOURCES,
                                cache: CACHE,
                            }),
                        ),
                    ),
                ) as RunnerToml;
                const runner = toml.runners[0];
                assert.equal(runner.executor, "kubernetes");
                // No capacity-type selector: the CI pool prefers Spot and falls back to on-demand, so jobs never wait for Spot.
                assert.deepEqual(runner.kubernetes.node_selector, { "ciplatform.io/pool": "ci", "kubernetes.io/arch": arch });
                assert.deepEqual(runner.kubernetes.node_tolerations, { "ciplatform.io/ci=true": "NoSchedule" });
                assert.equal(
                    runner.kubernetes.helper_image,
                    `registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:${helperArch}-v19.4.0`,
                );
                assert.deepEqual(
                    [
                        runner.kubernetes.cpu_request,
                        runner.kubernetes.cpu_limit,
                        runner.kubernetes.memory_request,
                        runner.kubernetes.memory_limit,
                    ],
                    ["500m", "2", "1Gi", "4Gi"],
                );
                assert.equal(runner.kubernetes.service_account, "gitlab-runner-jobs");
                assert.equal(runner.kubernetes.namespace, `runner-${arch}`);
                assert.deepEqual(runner.kubernetes.pod_annotations, { "karpenter.sh/do-not-disrupt": "true" });
                assert.deepEqual([runner.cache.Type, runner.cache.Shared, runner.cache.Path], ["s3", true, arch]);
                assert.deepEqual(runner.cache.s3, {
                    ServerAddress: "s3.eu-west-1.amazonaws.com",
                    BucketName: "cip-dev-runner-cache",
                    BucketLocation: "eu-west-1",
                    AuthenticationType: "iam",
                    ServerSideEncryption: "KMS",
                    ServerSideEncryptionKeyID: CACHE.kmsKeyArn,
                });
            });
        }

        it("the helper image follows the chart: its runner version is derived from the chart version, never set beside it (gitlab-runner chart 0.68.1 = v17.3.1, 0.93.0 = v19.4.0)", () => {
            assert.equal(runnerVersionOfChart("0.65.0"), "v17.0.0");
            assert.equal(runnerVersionOfChart("0.68.1"), "v17.3.1");
            assert.equal(runnerVersionOfChart("0.88.0"), "v18.11.0");
            assert.equal(runnerVersionOfChart("0.93.0"), "v19.4.0");
            assert.equal(runnerVersionOfChart("1.0.0"), undefined);
            assert.deepEqual(validateGitlabRunnersArgs({ architectures: ["arm64"], tokenSecretName: "t", chartVersion: "0.87.2" }), [
                'chartVersion: got "0.87.2" (runner v18.10.2); use 0.88.0 or later, whose runner (v18.11.0+) can give job pods a seccomp profile (Pod Security "restricted")',
            ]);
        });

        it("tags Graviton runners arm64 and x86 runners amd64, x86, x86-64, x86_64, plus extras", () => {
            assert.deepEqual(runnerTags("arm64", ["docker"]), ["arm64", "docker"]);
            assert.deepEqual(runnerTags("amd64"), ["amd64", "x86", "x86-64", "x86_64"]);
            assert.equal(helperImage("amd64", "v19.4.0").endsWith(":x86_64-v19.4.0"), true);
        });

        it("chart values reference the token Secret and never carry a token", () => {
            const values = buildRunnerValues({
                architecture: "arm64",
                gitlabUrl: "https://gitlab.example.com",
                concurrent: 4,
                checkInterval: 5,
                tokenSecretName: "gitlab-runner-token",
                managerServiceAccount: "gitlab-runner",
                managerRoleArn: "arn:aws:iam::123456789012:role/cache",
                configToml: "",
            }) as Record<string, unknown> & {
                runners: Record<string, unknown>;
                nodeSelector: Record<string, string>;
                rbac: { clusterWideAccess: boolean; rules: unknown };
            };
            assert.deepEqual(values.runners, { secret: "gitlab-runner-token", config: "" });
            assert.equal("runnerToken" in values || "runnerRegistrationToken" in values, false);
            assert.equal(values.gitlabUrl, "https://gitlab.example.com");
            assert.deepEqual(values.nodeSelector, {
                "ciplatform.io/pool": "general",
                "kubernetes.io/arch": "arm64",
                "karpenter.sh/capacity-type": "on-demand",
            });
            assert.equal(values.rbac.clusterWideAccess, false);
            assert.deepEqual(values.rbac.rules, EXECUTOR_RBAC_RULES);
        });
    });

    describe("cache access", () => {
        const bucket = "arn:aws:s3:::cip-dev-runner-cache";
        const policy = cachePermissions(bucket, "arn:aws:kms:eu-west-1:123456789012:key/abc", "eu-west-1");
        const principal = "arn:aws:iam::123456789012:role/runner-cache";
        it("reads and writes the cache bucket and nothing else", async () => {
            assert.equal(
                await simulate({
                    identityPolicies: [policy],
                    principal,
                    action: "s3:PutObject",
                    resource: `${bucket}/arm64/project/1/cache.zip`,
                }),
                "Allowed",
            );
            assert.equal(
                await simulate({ identityPolicies: [policy], principal, action: "s3:GetObject", resource: `${bucket}/amd64/x` }),
                "Allowed",
            );
            assert.equal(
                await simulate({
                    identityPolicies: [policy],
                    principal,
                    action: "s3:GetObject",
                    resource: "arn:aws:s3:::cip-dev-jenkins-dr/home.tar",
                }),
                "ImplicitlyDenied",
            );
            assert.equal(
                await simulate({ identityPolicies: [policy], principal, action: "s3:DeleteBucket", resource: bucket }),
                "ImplicitlyDenied",
            );
        });
    });

    describe("planned", () => {
        let planned: PlanFile;
        before(async () => {
            planned = await plan({
                program: async () => {
                    const root = underOrgTags();
                    const cluster = testCluster();
                    const secrets = new ExternalSecrets(
                        "eso",
                        { cluster, region: "eu-west-1", accountId: "123456789012", secretNamePrefix: "cip-dev", chartVersion: "2.9.0" },
                        { parent: root },
                    );
                    new GitlabRunners(
                        "runner",
                        {
                            cluster,
                            secrets,
                            region: "eu-west-1",
                            accountId: "123456789012",
                            tokenSecretName: "gitlab-runner-token",
                            chartVersion: "0.93.0",
                        },
                        { parent: root },
                    );
                },
            });
        });

        it("creates one runner per architecture, each in its own restricted namespace admitted to the secret store", () => {
            const releases = ofType(planned, "kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.chart === "gitlab-runner");
            assert.deepEqual(
                releases.map((r) => [r.inputs.namespace, r.inputs.version]),
                [
                    ["runner-arm64", "0.93.0"],
                    ["runner-amd64", "0.93.0"],
                ],
            );
            // The helper image is the chart's own runner version (0.93.0 ships v19.4.0), per architecture.
            for (const r of releases) {
                const toml = parse(String((r.inputs.values as { runners: { config: string } }).runners.config)) as unknown as RunnerToml;
                assert.match(String(toml.runners[0].kubernetes.helper_image), /:(arm64|x86_64)-v19\.4\.0$/);
            }
            for (const arch of ["arm64", "amd64"]) {
                const ns = single(planned, "kubernetes:core/v1:Namespace", `runner-${arch}`);
                const labels = (ns.inputs.metadata as { labels: Record<string, string> }).labels;
                assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
                assert.equal(labels["ciplatform.io/secrets"], "platform");
            }
        });

        it("job pods the planned config.toml makes are admitted by their namespace's Pod Security level", () => {
            for (const release of ofType(planned, "kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.chart === "gitlab-runner")) {
                const namespace = single(planned, "kubernetes:core/v1:Namespace", String(release.inputs.namespace));
                const level = (namespace.inputs.metadata as { labels: Record<string, string> }).labels[
                    "pod-security.kubernetes.io/enforce"
                ];
                assert.ok(isPodSecurityLevel(level), `namespace ${String(release.inputs.namespace)} has an enforce level`);
                const configToml = (release.inputs.values as { runners: { config: string } }).runners.config;
                const pods = runnerJobPods(configToml);
                assert.equal(pods.length, 1, "one Kubernetes-executor runner per release");
                for (const pod of pods) {
                    assert.equal(pod.namespace, release.inputs.namespace, "jobs run in the runner's own namespace");
                    assert.deepEqual(
                        checkPodSecurity(pod.spec, undefined, level).map((v) => v.message),
                        [],
                        `job pods of ${pod.runner} at level ${level}`,
                    );
                }
                // The same job pods without the config's escalation guard are refused: the check above is not vacuous.
                const loosened = configToml.replace(/^\s*allow_privilege_escalation = false\s*$/gm, "");
                assert.notEqual(loosened, configToml, "config.toml sets allow_privilege_escalation = false");
                assert.ok(
                    runnerJobPods(loosened).some((pod) => checkPodSecurity(pod.spec, undefined, level).length > 0),
                    "job pods that may escalate privileges are refused at the namespace's level",
                );
            }
        });

        it("takes each token from Secrets Manager, tagged for the runner's namespace, never from values", () => {
            for (const arch of ["arm64", "amd64"]) {
                const secret = single(planned, "aws:secretsmanager/secret:Secret", `runner-${arch}-token`);
                assert.equal(secret.inputs.name, `cip-dev/runner-${arch}/gitlab-runner-token`);
                assert.equal((secret.inputs.tags as Record<string, string>).ekssecret, `runner-${arch}`);
            }
            assert.equal(ofType(planned, "aws:secretsmanager/secretVersion:SecretVersion").length, 0);
            const text = JSON.stringify(planned);
            assert.ok(!/glrt-[A-Za-z0-9_-]{8,}/.test(text), "a runner token appears in the plan");
            assert.ok(!text.includes("runnerToken") && !text.includes("runnerRegistrationToken"));
        });

        it("gives job pods a service account without cloud permissions or API token", () => {
            const sa = single(planned, "kubernetes:core/v1:ServiceAccount", "runner-arm64-jobs");
            assert.deepEqual((sa.inputs.metadata as { annotations: Record<string, string> }).annotations, {});
            assert.equal(sa.inputs.automountServiceAccountToken, false);
        });

        it("lets only the runner managers' service accounts assume the cache role", () => {
            const trust = JSON.parse(String(single(planned, "aws:iam/role:Role", "runner-cache").inputs.assumeRolePolicy)) as {
                Statement: Array<{ Condition: { StringEquals: Record<string, string> } }>;
            };
            const subjects = trust.Statement.map((s) => Object.entries(s.Condition.StringEquals).find(([k]) => k.endsWith(":sub"))?.[1]);
            assert.deepEqual(subjects, [
                "system:serviceaccount:runner-arm64:gitlab-runner",
                "system:serviceaccount:runner-amd64:gitlab-runner",
            ]);
        });

        it("keeps the cache private, encrypted and expiring", () => {
            const lifecycle = single(planned, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "runner-cache");
            const rules = lifecycle.inputs.rules as Array<{ id: string; expiration?: { days: number } }>;
            assert.deepEqual(rules.find((r) => r.id === "expire-objects")?.expiration, { days: 14 });
            assert.equal(planned.summary.mandatory, 0, JSON.stringify(planned.policy.violations));
        });
    });

    describe("validation", () => {
        it("refuses an unknown architecture and a missing token secret name", () => {
            assert.deepEqual(validateGitlabRunnersArgs({ architectures: ["s390x" as "arm64"], tokenSecretName: "" }), [
                'architectures: got "s390x"; allowed: arm64, amd64',
                "tokenSecretName: not set; name the secret that holds each runner's authentication token (glrt-...)",
            ]);
        });

        const issues = configIssues;

        it("stack config: the token secret name is required, architectures are checked", async () => {
            assert.deepEqual(await issues({ "ciplatform:runnersArchitectures": ["arm64", "ppc64le"] }), [
                'ciplatform:runnersArchitectures: Invalid option: expected one of "arm64"|"amd64" (at item 1)',
            ]);
            assert.deepEqual(await issues({ "ciplatform:runnersTokenSecretName": undefined }), [
                "ciplatform:runnersTokenSecretName: is required when runners are enabled: name the secret that will hold each runner's glrt- token (e.g. gitlab-runner-token)",
            ]);
        });

        it("stack config: a runner architecture needs a CI pool", async () => {
            assert.deepEqual(await issues({ "ciplatform:karpenterCiArchitectures": ["arm64"] }), [
                "ciplatform:runnersArchitectures: amd64 has no CI NodePool: add it to karpenterCiArchitectures (arm64)",
            ]);
        });

        it("architectures are a config change: one architecture gives one runner", async () => {
            const planned = await plan({ configChanges: { "ciplatform:runnersArchitectures": ["arm64"] } });
            assert.equal(ofType(planned, "kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.chart === "gitlab-runner").length, 1);
        });
    });
});
