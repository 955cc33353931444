import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import Ajv from "ajv";
import * as YAML from "yaml";
import {
    linstorCluster,
    PIRAEUS_COMPONENTS,
    PIRAEUS_SATELLITE_BASE_TOLERATIONS,
    replicatedStorageParameters,
    s3SnapshotClass,
    satelliteConfiguration,
} from "../../../components/storage/objects";
import {
    LINSTOR_CLUSTER_SCHEMA,
    LINSTOR_SATELLITE_CONFIGURATION_SCHEMA,
    VOLUME_SNAPSHOT_CLASS_SCHEMA,
} from "../../../components/storage/schemas";
import { drUserPermissions } from "../../../components/storage/policies";
import { controllerPermissions } from "../../../components/jenkins/policies";
import { S3_REMOTE_KEY_SCRIPT, validateStorageArgs } from "../../../components/storage/storage";
import {
    canonicalEksAmiParameter,
    storageBlockDevices,
    storageInstanceType,
    storageNodeUserData,
    validateStorageNodesArgs,
} from "../../../components/storage/nodes";
import {
    homeSnapshotCronJobSpec,
    homeSnapshotKustomization,
    homeSnapshotManifest,
    snapshotsKept,
    snapshotsPerDay,
    KUBECTL_IMAGE,
    SNAPSHOT_READY_TIMEOUT,
    validateJenkinsArgs,
} from "../../../components/jenkins/jenkins";
import { agentPodTemplate, buildJenkinsValues, HA_CONTROLLER_LABEL } from "../../../components/jenkins/values";
import { configIssues, ConfigError, ofType, plan, PlanFile, PlannedResource, single } from "../../helpers/mocks";
import { simulate } from "../../helpers/iam";
import { rehearsalContext } from "../../../tools/rehearse/order";

const ajv = new Ajv({ allErrors: true, strict: false });
const valid = (schema: object, value: unknown): string => {
    const check = ajv.compile(schema);
    return check(value) ? "valid" : JSON.stringify(check.errors);
};

describe("storage and Jenkins", () => {
    describe("LINSTOR and snapshot objects", () => {
        it("replicates every volume to distinct zones", () => {
            assert.deepEqual(replicatedStorageParameters(3), {
                "linstor.csi.linbit.com/storagePool": "thinpool",
                "linstor.csi.linbit.com/placementCount": "3",
                "linstor.csi.linbit.com/replicasOnDifferent": "topology.kubernetes.io/zone",
                "csi.storage.k8s.io/fstype": "ext4",
            });
        });

        it("the cluster has the HA controller and the passphrase secret, and validates", () => {
            const cluster = linstorCluster("linstor-passphrase");
            assert.equal(cluster.spec.highAvailabilityController?.enabled, true);
            assert.equal(cluster.spec.linstorPassphraseSecret, "linstor-passphrase");
            assert.equal(valid(LINSTOR_CLUSTER_SCHEMA, cluster), "valid");
        });

        // piraeus-operator v2 internal/controller/linstorcluster_controller.go patches spec.nodeSelector into the
        // controller, CSI controller, CSI node and HA controller; the storage nodes it selects are tainted.
        for (const component of ["controller", "csiController", "csiNode", "highAvailabilityController"] as const) {
            it(`LINSTOR's ${component} tolerates the storage taint and keeps its base tolerations (linstorcluster_controller.go nodeSelector patches; podTemplate replaces the atomic list)`, () => {
                const spec = linstorCluster("p").spec;
                assert.deepEqual(spec.nodeSelector, { "ciplatform.io/pool": "storage" });
                const tolerations = spec[component]?.podTemplate?.spec?.tolerations ?? [];
                assert.deepEqual(tolerations, [
                    ...PIRAEUS_COMPONENTS[component].baseTolerations,
                    { key: "ciplatform.io/storage", operator: "Equal", value: "true", effect: "NoSchedule" },
                ]);
            });
        }

        it("the LINSTOR schema accepts the component pod templates and rejects a mistyped toleration (upstream CRD: controller/csiController/csiNode.podTemplate)", () => {
            const cluster = linstorCluster("p");
            assert.equal(valid(LINSTOR_CLUSTER_SCHEMA, cluster), "valid");
            const typo = {
                ...cluster,
                spec: { ...cluster.spec, csiNode: { podTemplate: { spec: { tolerations: [{ key: "x", effect: "NoSchedul" }] } } } },
            };
            assert.notEqual(valid(LINSTOR_CLUSTER_SCHEMA, typo), "valid");
        });

        it("satellites run on storage nodes on the thin pool the node built, with the operator's loader for the image, and validate", () => {
            const satellites = satelliteConfiguration();
            assert.deepEqual(satellites.spec.nodeSelector, { "ciplatform.io/pool": "storage" });
            // No device path: the pool is the LVM thin pool the node created on its EBS data volume.
            assert.deepEqual(satellites.spec.storagePools, [
                { name: "thinpool", lvmThinPool: { volumeGroup: "linstor_vg", thinPool: "thinpool" } },
            ]);
            // No loader override: piraeus maps the nodes' Ubuntu 24.04 to its drbd9-noble loader.
            assert.deepEqual(satellites.spec.podTemplate, {
                spec: {
                    tolerations: [
                        ...PIRAEUS_SATELLITE_BASE_TOLERATIONS,
                        { key: "ciplatform.io/storage", operator: "Equal", value: "true", effect: "NoSchedule" },
                    ],
                },
            });
            assert.equal(valid(LINSTOR_SATELLITE_CONFIGURATION_SCHEMA, satellites), "valid");
        });

        it("the snapshot class ships to the DR bucket over the regional endpoint and keeps snapshots", () => {
            const cls = s3SnapshotClass({
                name: "linstor-s3",
                bucket: "cip-dev-dr",
                remoteName: "dr-initial",
                region: "eu-west-1",
                secretName: "linstor-s3-credentials",
                secretNamespace: "piraeus-datastore",
            });
            assert.equal(cls.deletionPolicy, "Retain");
            assert.equal(cls.driver, "linstor.csi.linbit.com");
            assert.deepEqual(
                [
                    cls.parameters?.["snap.linstor.csi.linbit.com/type"],
                    cls.parameters?.["snap.linstor.csi.linbit.com/s3-bucket"],
                    cls.parameters?.["snap.linstor.csi.linbit.com/s3-endpoint"],
                    cls.parameters?.["snap.linstor.csi.linbit.com/s3-signing-region"],
                ],
                ["S3", "cip-dev-dr", "s3.eu-west-1.amazonaws.com", "eu-west-1"],
            );
            assert.equal(valid(VOLUME_SNAPSHOT_CLASS_SCHEMA, cls), "valid");
        });

        it("invalid objects fail their schemas", () => {
            assert.notEqual(
                valid(VOLUME_SNAPSHOT_CLASS_SCHEMA, {
                    ...s3SnapshotClass({ name: "x", bucket: "b", remoteName: "dr-x", region: "r", secretName: "s", secretNamespace: "n" }),
                    deletionPolicy: "Keep",
                }),
                "valid",
            );
            assert.notEqual(
                valid(LINSTOR_SATELLITE_CONFIGURATION_SCHEMA, {
                    ...satelliteConfiguration(),
                    spec: { storagePools: [{ name: "p", lvmThinPool: { vg: "x" } }] },
                }),
                "valid",
            );
            assert.notEqual(
                valid(LINSTOR_CLUSTER_SCHEMA, { ...linstorCluster("p"), spec: { highAvailabilityControler: { enabled: true } } }),
                "valid",
            );
        });
    });

    describe("storage nodes", () => {
        const userData = storageNodeUserData({
            clusterName: "cip-prod",
            endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
            certificateAuthority: "LS0tLS1C",
        });

        it("keeps the data volume when the instance ends, encrypted with the CMK; the root volume goes", () => {
            assert.deepEqual(
                storageBlockDevices("arn:aws:kms:eu-west-1:123456789012:key/k", 50, 200).map((d) => [
                    d.deviceName,
                    d.ebs?.deleteOnTermination,
                    d.ebs?.encrypted,
                    d.ebs?.kmsKeyId,
                    d.ebs?.volumeSize,
                ]),
                [
                    ["/dev/sda1", "true", "true", "arn:aws:kms:eu-west-1:123456789012:key/k", 50],
                    ["/dev/sdf", "false", "true", "arn:aws:kms:eu-west-1:123456789012:key/k", 200],
                ],
            );
        });

        it("user data never aborts before bootstrap, installs headers for the running kernel and joins as a storage node, once", () => {
            assert.ok(!/^set -e|set -[a-z]*e/m.test(userData), "no set -e: a failed optional step must not stop the node from joining");
            assert.match(userData, /apt-get install -y -q "linux-headers-\$\(uname -r\)" lvm2/);
            const lines = userData.trimEnd().split("\n");
            assert.equal(lines[lines.length - 1], "exec /var/lib/cloud/scripts/per-boot/ciplatform-storage");
            assert.ok(
                lines.includes(
                    `/etc/eks/bootstrap.sh 'cip-prod' --apiserver-endpoint 'https://ABC.gr7.eu-west-1.eks.amazonaws.com' --b64-cluster-ca 'LS0tLS1C' --kubelet-extra-args '--node-labels=ciplatform.io/pool=storage --register-with-taints=ciplatform.io/storage=true:NoSchedule' && touch "$state/joined"`,
                ),
            );
            assert.ok(lines.indexOf('[ -e "$state/joined" ] && exit 0') < lines.findIndex((l) => l.startsWith("/etc/eks/bootstrap.sh")));
        });

        it("a replacement node on an old AMI whose exact headers left the archive upgrades to the current kernel with headers and reboots once; the per-boot script carries on", () => {
            const lines = userData.split("\n");
            const at = (pattern: RegExp): number => lines.findIndex((l) => pattern.test(l));
            // The boot logic is a cloud-init per-boot script, so it runs again after the reboot.
            assert.ok(at(/^cat > \/var\/lib\/cloud\/scripts\/per-boot\/ciplatform-storage <<'CIPLATFORM_STORAGE_BOOT'$/) >= 0);
            const exact = at(/apt-get install -y -q "linux-headers-\$\(uname -r\)"/);
            const fallback = at(/^if \[ ! -d "\/lib\/modules\/\$\(uname -r\)\/build" \] && \[ ! -e "\$state\/kernel-upgraded" \]; then$/);
            const upgrade = at(
                /apt-get install -y -q linux-aws linux-image-aws linux-headers-aws lvm2; then touch "\$state\/kernel-upgraded"; systemctl reboot; exit 0; fi/,
            );
            const unhold = at(/apt-mark unhold linux-aws linux-image-aws linux-headers-aws/);
            const hold = at(/^apt-mark hold linux-aws linux-image-aws linux-headers-aws/);
            assert.ok(
                exact >= 0 && exact < fallback && fallback < unhold && unhold < upgrade && upgrade < hold,
                JSON.stringify({ exact, fallback, unhold, upgrade, hold }),
            );
            // Once only: the marker stops a second upgrade (and a reboot loop) when even the current kernel has no headers.
            assert.equal(lines.filter((l) => l.includes("systemctl reboot")).length, 1);
            // Both the user data and the boot script it writes are valid bash.
            const boot = userData.split("<<'CIPLATFORM_STORAGE_BOOT'\n")[1].split("\nCIPLATFORM_STORAGE_BOOT\n")[0];
            for (const script of [userData, boot]) {
                const check = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
                assert.equal(check.status, 0, check.stderr);
            }
        });

        it("user data picks the data disk among EBS volumes only, by identity rather than NVMe name", () => {
            assert.match(userData, /for link in \/dev\/disk\/by-id\/nvme-Amazon_Elastic_Block_Store_\*; do/);
            assert.ok(!userData.includes("/dev/nvme1n1"));
            assert.ok(!userData.includes("Instance_Storage"));
            assert.match(userData, /lvcreate --type thin-pool -l 95%FREE -n thinpool linstor_vg/);
        });

        it("refuses instance types with instance store and mixed architectures", () => {
            assert.deepEqual(storageInstanceType("m7g.xlarge"), { architecture: "arm64" });
            assert.deepEqual(storageInstanceType("m7i.xlarge"), { architecture: "amd64" });
            for (const type of ["m6gd.xlarge", "c5d.large", "r6id.large", "i4i.large", "im4gn.large", "d3.xlarge", "z1d.large"]) {
                assert.ok("problem" in storageInstanceType(type), type);
            }
            assert.deepEqual(
                validateStorageNodesArgs({
                    zones: ["eu-west-1a", "eu-west-1b"],
                    subnetIds: ["s-1", "s-2"],
                    amiId: "ubuntu",
                    instanceTypes: ["m7g.large", "m7i.large"],
                    nodesPerZone: 0,
                }),
                [
                    'zones: got ["eu-west-1a","eu-west-1b"]; storage needs three distinct zones, one replica each',
                    'amiId: got "ubuntu"; use the id (ami-...) of Canonical\'s Ubuntu 24.04 EKS AMI for the cluster version and architecture',
                    'instanceTypes: got ["m7g.large","m7i.large"]; mix of arm64 and amd64, but one AMI serves one architecture',
                    "nodesPerZone: got 0; use an integer from 1 to 10",
                ],
            );
        });
    });

    describe("DR access", () => {
        const bucket = "arn:aws:s3:::cip-dev-storage-dr";
        const policy = drUserPermissions(bucket, "arn:aws:kms:eu-west-1:123456789012:key/abc", "eu-west-1");
        const user = "arn:aws:iam::123456789012:user/ciplatform/snapshots";
        it("the snapshot user can touch only the DR bucket", async () => {
            assert.equal(
                await simulate({
                    identityPolicies: [policy],
                    principal: user,
                    action: "s3:PutObject",
                    resource: `${bucket}/snapshots/pvc-1`,
                }),
                "Allowed",
            );
            assert.equal(
                await simulate({
                    identityPolicies: [policy],
                    principal: user,
                    action: "s3:GetObject",
                    resource: "arn:aws:s3:::cip-dev-runner-cache/x",
                }),
                "ImplicitlyDenied",
            );
            assert.equal(
                await simulate({ identityPolicies: [policy], principal: user, action: "s3:DeleteBucket", resource: bucket }),
                "ImplicitlyDenied",
            );
            assert.equal(
                await simulate({ identityPolicies: [policy], principal: user, action: "s3:PutBucketPolicy", resource: bucket }),
                "ImplicitlyDenied",
            );
        });

        it("the Jenkins controller may assume only the listed deploy roles", async () => {
            const perms = controllerPermissions(["arn:aws:iam::210987654321:role/deploy"]);
            // Cross-account: the deploy role in the other account trusts the Jenkins role.
            const trust = {
                Version: "2012-10-17" as const,
                Statement: [
                    { Effect: "Allow" as const, Principal: { AWS: "arn:aws:iam::123456789012:role/jenkins" }, Action: "sts:AssumeRole" },
                ],
            };
            const assume = (roleArn: string) =>
                simulate({
                    identityPolicies: [perms],
                    resourcePolicy: trust,
                    principal: "arn:aws:iam::123456789012:role/jenkins",
                    action: "sts:AssumeRole",
                    resource: roleArn,
                    resourceAccount: roleArn.split(":")[4],
                });
            assert.equal(await assume("arn:aws:iam::210987654321:role/deploy"), "Allowed");
            assert.equal(await assume("arn:aws:iam::210987654321:role/admin"), "ImplicitlyDenied");
        });
    });

    describe("Jenkins values", () => {
        it("gives each architecture an agent template on CI nodes of that architecture, capacity type left to the pool", () => {
            for (const arch of ["arm64", "amd64"] as const) {
                const [template] = YAML.parse(agentPodTemplate(arch)) as Array<{ name: string; label: string; yaml: string }>;
                assert.equal(template.name, `agent-${arch}`);
                assert.equal(template.label, `${arch} linux-${arch}`);
                const pod = YAML.parse(template.yaml) as { spec: { nodeSelector: Record<string, string>; tolerations: unknown[] } };
                assert.deepEqual(pod.spec.nodeSelector, { "ciplatform.io/pool": "ci", "kubernetes.io/arch": arch });
                assert.deepEqual(pod.spec.tolerations, [
                    { key: "ciplatform.io/ci", operator: "Equal", value: "true", effect: "NoSchedule" },
                ]);
            }
        });

        it("keeps the home on the replicated class, admin from a Secret, CSRF on, HA label set", () => {
            const values = buildJenkinsValues({
                hostname: "jenkins.ci.internal",
                storageClass: "linstor-replicated",
                homeSizeGiB: 50,
                adminSecretName: "jenkins-admin",
                ingressClassName: "alb",
                certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
                architectures: ["arm64"],
                keepHome: true,
            }) as { controller: Record<string, Record<string, unknown>>; persistence: Record<string, unknown> };
            assert.deepEqual(
                [values.persistence.storageClass, values.persistence.size, values.persistence.annotations],
                ["linstor-replicated", "50Gi", { "helm.sh/resource-policy": "keep" }],
            );
            assert.equal(values.controller.admin.existingSecret, "jenkins-admin");
            assert.equal(values.controller.admin.password, undefined);
            assert.deepEqual(values.controller.podLabels, HA_CONTROLLER_LABEL);
            const security = YAML.parse((values.controller.JCasC.configScripts as Record<string, string>).security) as {
                jenkins: { crumbIssuer: { standard: unknown } };
            };
            assert.ok(security.jenkins.crumbIssuer.standard);
            assert.equal(values.controller.admin.createSecret, true, "chart 5.9.53 mounts existingSecret only when createSecret is true");
            assert.equal(values.controller.ingress.ingressClassName, "alb");
            assert.deepEqual(values.controller.ingress.annotations, {
                "alb.ingress.kubernetes.io/scheme": "internal",
                "alb.ingress.kubernetes.io/target-type": "ip",
                "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
                "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
                "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "alb.ingress.kubernetes.io/healthcheck-path": "/login",
            });
        });

        it("runs the controller on the storage nodes, where satellites (and so DRBD) run", () => {
            const values = buildJenkinsValues({
                hostname: "j.ci.internal",
                storageClass: "linstor-replicated",
                homeSizeGiB: 50,
                adminSecretName: "a",
                ingressClassName: "alb",
                certificateArn: "arn",
                architectures: ["arm64"],
                keepHome: true,
            }) as {
                controller: { nodeSelector: Record<string, string>; tolerations: unknown[] };
            };
            const satellites = linstorCluster("p").spec.nodeSelector ?? {};
            for (const [key, value] of Object.entries(satellites)) {
                assert.equal(
                    values.controller.nodeSelector[key],
                    value,
                    `the controller must select ${key}=${value}, where satellites run`,
                );
            }
            assert.deepEqual(values.controller.tolerations, [
                { key: "ciplatform.io/storage", operator: "Equal", value: "true", effect: "NoSchedule" },
            ]);
        });

        it("the snapshot job runs kubectl itself, no shell, on a mounted manifest", () => {
            const spec = homeSnapshotCronJobSpec("0 */6 * * *", "jenkins-home-snapshot", 116) as {
                jobTemplate: {
                    spec: {
                        template: {
                            spec: {
                                restartPolicy: string;
                                initContainers: Array<{ image: string; command: string[]; args?: string[] }>;
                                containers: Array<{ image: string; command: string[]; args?: string[] }>;
                                volumes: Array<{
                                    name: string;
                                    projected?: {
                                        sources: Array<{
                                            configMap?: { name: string };
                                            downwardAPI?: { items: Array<{ path: string; fieldRef: { fieldPath: string } }> };
                                        }>;
                                    };
                                }>;
                            };
                        };
                    };
                };
            };
            const pod = spec.jobTemplate.spec.template.spec;
            const [create] = pod.initContainers;
            const [ready] = pod.containers;
            assert.equal(create.image, KUBECTL_IMAGE);
            // Server-side apply is idempotent: a retried pod does not fail on AlreadyExists.
            assert.deepEqual(create.command, ["/bin/kubectl", "apply", "--server-side", "-k", "/etc/jenkins-snapshot"]);
            assert.equal(pod.restartPolicy, "Never");
            for (const container of [create, ready]) {
                assert.equal(container.args, undefined);
                for (const word of container.command) {
                    assert.ok(!/(^|\/)(sh|bash|ash)$|^-c$/.test(word), `shell in the command: ${word}`);
                }
            }
            const sources = pod.volumes.find((v) => v.name === "manifest")?.projected?.sources ?? [];
            assert.deepEqual(sources[0].configMap, { name: "jenkins-home-snapshot" });
            // The Job controller's pod labels (Kubernetes 1.27+), written beside the kustomization.
            assert.deepEqual(sources[1].downwardAPI?.items, [
                { path: "job-name", fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } },
                { path: "job-uid", fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/controller-uid']" } },
            ]);
            assert.equal((spec as { successfulJobsHistoryLimit?: number }).successfulJobsHistoryLimit, 116);
        });

        // Issue #22: `kubectl create` alone succeeds before the backup exists; linstor-csi sets readyToUse only once it is in S3.
        it("the snapshot Job succeeds only once its snapshot is readyToUse, so a backup that never lands fails the Job", () => {
            type Container = { command: string[]; env: Array<{ name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }> };
            const spec = homeSnapshotCronJobSpec("0 */6 * * *", "cm", 4) as {
                jobTemplate: { spec: { template: { spec: { containers: Container[] } } } };
            };
            const [ready] = spec.jobTemplate.spec.template.spec.containers;
            assert.deepEqual(ready.command, [
                "/bin/kubectl",
                "wait",
                "volumesnapshot/$(SNAPSHOT_NAME)",
                "--for=jsonpath={.status.readyToUse}=true",
                `--timeout=${SNAPSHOT_READY_TIMEOUT}`,
            ]);
            // The name waited for is the Job's, the same label the kustomization names the snapshot after.
            assert.equal(
                ready.env.find((e) => e.name === "SNAPSHOT_NAME")?.valueFrom?.fieldRef?.fieldPath,
                "metadata.labels['batch.kubernetes.io/job-name']",
            );
        });

        it("each snapshot is named after its Job and owned by it, so pruning a Job prunes its snapshot (kustomize replacements from the Downward API files)", () => {
            const manifest = JSON.parse(homeSnapshotManifest("linstor-s3")) as {
                metadata: { name: string; ownerReferences: Array<Record<string, string>> };
            };
            assert.deepEqual(manifest.metadata.ownerReferences, [
                { apiVersion: "batch/v1", kind: "Job", name: "set-from-job-name", uid: "set-from-job-uid" },
            ]);
            const k = JSON.parse(homeSnapshotKustomization()) as {
                resources: string[];
                generatorOptions: { annotations: Record<string, string> };
                configMapGenerator: Array<{ name: string; files: string[] }>;
                replacements: Array<{ source: { fieldPath: string }; targets: Array<{ fieldPaths: string[] }> }>;
            };
            assert.deepEqual(k.resources, ["volumesnapshot.json"]);
            assert.deepEqual(k.configMapGenerator, [{ name: "snapshot-owner", files: ["job-name", "job-uid"] }]);
            // The generated ConfigMap is only an input: kustomize never outputs local-config resources.
            assert.equal(k.generatorOptions.annotations["config.kubernetes.io/local-config"], "true");
            assert.deepEqual(
                k.replacements.map((r) => [r.source.fieldPath, r.targets.flatMap((t) => t.fieldPaths)]),
                [
                    ["data.job-name", ["metadata.name", "metadata.ownerReferences.0.name"]],
                    ["data.job-uid", ["metadata.ownerReferences.0.uid"]],
                ],
            );
        });

        it("keeps only snapshots younger than the bucket's retention, counted from the schedule", () => {
            assert.deepEqual(snapshotsPerDay("0 */6 * * *"), { perDay: 4 });
            assert.deepEqual(snapshotsPerDay("15 2 * * 1-5"), { perDay: 5 / 7 });
            assert.deepEqual(snapshotsPerDay("0,30 * * * *"), { perDay: 48 });
            assert.ok("problem" in snapshotsPerDay("0 0 1 * *"));
            assert.ok("problem" in snapshotsPerDay("hourly"));
            assert.equal(snapshotsKept(4, 30), 116);
            assert.equal(snapshotsKept(1, 1), 1);
            // The oldest kept snapshot is younger than the retention: its backup still exists.
            for (const [perDay, days] of [
                [4, 30],
                [5 / 7, 14],
                [48, 7],
            ])
                assert.ok((snapshotsKept(perDay, days) - 1) / perDay < days);
        });

        it("snapshots the home claim with the S3 class", () => {
            assert.deepEqual(JSON.parse(homeSnapshotManifest("linstor-s3")).spec, {
                volumeSnapshotClassName: "linstor-s3",
                source: { persistentVolumeClaimName: "jenkins" },
            });
        });

        it("rejects a bad host name, wildcard deploy roles and a bad schedule", () => {
            assert.deepEqual(
                validateJenkinsArgs({
                    hostname: "Jenkins",
                    deployRoleArns: ["arn:aws:iam::123456789012:role/*"],
                    snapshotSchedule: "hourly",
                }),
                [
                    'hostname: got "Jenkins"; use a DNS name such as jenkins.ci.example.com',
                    'deployRoleArns: got "arn:aws:iam::123456789012:role/*"; list exact role ARNs (no wildcards)',
                    'snapshotSchedule: got "hourly"; use a cron expression such as "0 */6 * * *" (minute hour * * weekday)',
                ],
            );
            assert.deepEqual(validateStorageArgs({ replicas: 4 }), ["replicas: got 4; use 2 (dev) or 3 (one per zone)"]);
        });
    });

    describe("planned", () => {
        let dev: PlanFile;
        let prod: PlanFile;
        before(async () => {
            dev = await plan();
            prod = await plan({
                stack: "prod",
                // Deploy roles are named for the environment: the workload boundary allows only those (issue #22 item 6).
                configChanges: { "ciplatform:jenkinsDeployRoleArns": ["arn:aws:iam::210987654321:role/cip-prod-jenkins-deploy"] },
            });
        });

        it("uses 2 replicas in dev and 3 in prod, Retain, WaitForFirstConsumer, expansion", () => {
            const devClass = single(dev, "kubernetes:storage.k8s.io/v1:StorageClass", "replicated");
            const prodClass = single(prod, "kubernetes:storage.k8s.io/v1:StorageClass", "replicated");
            assert.equal((devClass.inputs.parameters as Record<string, string>)["linstor.csi.linbit.com/placementCount"], "2");
            assert.equal((prodClass.inputs.parameters as Record<string, string>)["linstor.csi.linbit.com/placementCount"], "3");
            assert.deepEqual(
                [prodClass.inputs.reclaimPolicy, prodClass.inputs.volumeBindingMode, prodClass.inputs.allowVolumeExpansion],
                ["Retain", "WaitForFirstConsumer", true],
            );
        });

        it("puts Jenkins' home on the replicated class", () => {
            const release = single(prod, "kubernetes:helm.sh/v3:Release", "jenkins-chart");
            assert.equal(
                (release.inputs.values as { persistence: { storageClass: string } }).persistence.storageClass,
                "linstor-replicated",
            );
            assert.equal(release.protect, true);
            assert.equal(release.retainOnDelete, true);
        });

        it("protects the DR bucket, its key and the snapshot user in prod", () => {
            assert.equal(single(prod, "aws:s3/bucket:Bucket", "storage-dr").protect, true);
            assert.equal(single(prod, "aws:kms/key:Key", "storage-dr").protect, true);
            assert.equal(single(prod, "aws:iam/user:User").protect, true);
        });

        it("never shows a credential in plain text", () => {
            for (const version of ofType(prod, "aws:secretsmanager/secretVersion:SecretVersion")) {
                assert.equal(version.inputs.secretString, "[secret]");
            }
            const text = JSON.stringify(prod);
            assert.ok(!/AKIA[0-9A-Z]{16}/.test(text));
            const jenkinsValues = JSON.stringify(single(prod, "kubernetes:helm.sh/v3:Release", "jenkins-chart").inputs.values);
            assert.ok(!/"password"|adminPassword/.test(jenkinsValues));
        });

        it("lets the controller assume only the configured deploy role", () => {
            const policy = JSON.parse(String(single(prod, "aws:iam/rolePolicy:RolePolicy", "jenkins-controller").inputs.policy)) as {
                Statement: Array<{ Resource: string[] }>;
            };
            assert.deepEqual(policy.Statement[0].Resource, ["arn:aws:iam::210987654321:role/cip-prod-jenkins-deploy"]);
            assert.equal(prod.summary.mandatory, 0, JSON.stringify(prod.policy.violations));
        });

        it("runs a fixed, protected storage node group in each of the three zones", () => {
            const groups = ofType(prod, "aws:eks/nodeGroup:NodeGroup").filter((g) => g.name.includes("storage-nodes"));
            assert.deepEqual(
                groups.map((g) => g.name),
                ["cip-prod-storage-nodes-eu-west-1a", "cip-prod-storage-nodes-eu-west-1b", "cip-prod-storage-nodes-eu-west-1c"],
            );
            // Each group in its own zone's subnet: three distinct subnets.
            assert.equal(new Set(groups.map((g) => (g.inputs.subnetIds as string[])[0])).size, 3);
            for (const group of groups) {
                assert.equal((group.inputs.subnetIds as string[]).length, 1, "one zone per node group");
                assert.deepEqual(group.inputs.scalingConfig, { minSize: 1, desiredSize: 1, maxSize: 1 });
                assert.equal(group.inputs.capacityType, "ON_DEMAND");
                assert.deepEqual(group.inputs.nodeRepairConfig, { enabled: false });
                assert.deepEqual(group.inputs.labels, { "ciplatform.io/pool": "storage" });
                assert.deepEqual(group.inputs.taints, [{ key: "ciplatform.io/storage", value: "true", effect: "NO_SCHEDULE" }]);
                assert.equal(group.protect, true);
            }
        });

        it("keeps every storage data volume on termination, CMK-encrypted, and protects the launch template in prod", () => {
            const template = single(prod, "aws:ec2/launchTemplate:LaunchTemplate", "storage-nodes");
            const devices = template.inputs.blockDeviceMappings as Array<{ deviceName: string; ebs: Record<string, unknown> }>;
            assert.deepEqual(devices.find((d) => d.deviceName === "/dev/sdf")?.ebs.deleteOnTermination, "false");
            for (const device of devices) {
                assert.equal(device.ebs.encrypted, "true");
                assert.match(String(device.ebs.kmsKeyId), /^arn:aws:kms:/);
            }
            assert.deepEqual(template.inputs.metadataOptions, {
                httpEndpoint: "enabled",
                httpTokens: "required",
                httpPutResponseHopLimit: 1,
            });
            assert.equal(template.protect, true);
            assert.equal(single(dev, "aws:ec2/launchTemplate:LaunchTemplate", "storage-nodes").protect, false);
        });

        it("Karpenter has no pool for the storage nodes to consolidate or expire", () => {
            for (const pool of ofType(prod, "kubernetes:karpenter.sh/v1:NodePool")) {
                const spec = pool.inputs.spec as { template: { metadata: { labels: Record<string, string> } } };
                assert.notEqual(spec.template.metadata.labels["ciplatform.io/pool"], "storage", pool.name);
            }
        });

        it("places Jenkins where the satellites run", () => {
            const satellites = single(prod, "kubernetes:piraeus.io/v1:LinstorCluster").inputs.spec as {
                nodeSelector: Record<string, string>;
            };
            const values = single(prod, "kubernetes:helm.sh/v3:Release", "jenkins-chart").inputs.values as {
                controller: { nodeSelector: Record<string, string> };
            };
            assert.deepEqual(values.controller.nodeSelector, satellites.nodeSelector);
        });

        it("the planned snapshot CronJob runs without a shell and reads its manifest from a ConfigMap", () => {
            const cronJob = single(prod, "kubernetes:batch/v1:CronJob", "home-snapshot");
            type Pod = { initContainers: Array<{ command: string[] }>; containers: Array<{ command: string[] }> };
            const pod = (cronJob.inputs.spec as { jobTemplate: { spec: { template: { spec: Pod } } } }).jobTemplate.spec.template.spec;
            for (const container of [...pod.initContainers, ...pod.containers]) {
                assert.equal(container.command[0], "/bin/kubectl");
                assert.ok(!container.command.some((w) => /sh$|^-c$/.test(w)));
            }
            const manifest = JSON.parse(
                (single(prod, "kubernetes:core/v1:ConfigMap", "home-snapshot").inputs.data as Record<string, string>)[
                    "volumesnapshot.json"
                ],
            ) as { kind: string; spec: unknown };
            assert.deepEqual(
                [manifest.kind, manifest.spec],
                ["VolumeSnapshot", { volumeSnapshotClassName: "linstor-s3", source: { persistentVolumeClaimName: "jenkins" } }],
            );
        });

        it("prunes VolumeSnapshots before the bucket expires their backups (the CronJob keeps 116 Jobs at 4 a day and 30 days, 52 at 14 days)", async () => {
            const kept = (planned: PlanFile) =>
                (single(planned, "kubernetes:batch/v1:CronJob", "home-snapshot").inputs.spec as { successfulJobsHistoryLimit: number })
                    .successfulJobsHistoryLimit;
            assert.equal(kept(prod), 116);
            assert.equal(kept(await plan({ configChanges: { "ciplatform:storageSnapshotRetentionDays": 14 } })), 52);
        });

        it("expires snapshots after the configured retention", async () => {
            const lifecycle = (planned: PlannedResource) => planned.inputs.rules as Array<{ id: string; expiration?: { days: number } }>;
            const expiry = (planned: PlanFile) =>
                lifecycle(single(planned, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "storage-dr")).find(
                    (r) => r.id === "expire-objects",
                )?.expiration;
            assert.deepEqual(expiry(prod), { days: 30 });
            assert.deepEqual(expiry(await plan({ configChanges: { "ciplatform:storageSnapshotRetentionDays": 14 } })), { days: 14 });
        });

        it("names the S3 key's generation, so changing it rotates the key", async () => {
            const description = (planned: PlanFile) =>
                String(single(planned, "aws:secretsmanager/secret:Secret", "s3-credentials").inputs.description);
            assert.match(description(prod), /generation initial$/);
            assert.match(
                description(await plan({ configChanges: { "ciplatform:storageS3KeyRotation": "2026-q3" } })),
                /generation 2026-q3$/,
            );
        });

        // A model of linstor-csi v1.12.0 across a key rotation: pkg/client/linstor.go ReconcileRemote registers the class's
        // remote once (with the key of that moment) and never updates it; CreateSnapshot -> FindSnapsByID ->
        // findInProgressOrLegacySnaps asks EVERY S3 remote, and findS3BackupInRemote fails the snapshot on any non-404 error,
        // e.g. a remote still signing with a deleted key. The platform's remote-key Jobs are applied as planned.
        it("after a key rotation every LINSTOR S3 remote holds a live key, so linstor-csi's all-remotes lookup lets snapshots through (linstor-csi v1.12.0 findInProgressOrLegacySnaps)", async () => {
            const rotated = await plan({ configChanges: { "ciplatform:storageS3KeyRotation": "2026-q3" } });
            const remotes = new Map<string, string>();
            type Container = { command: string[]; env: Array<{ name: string; value?: string }> };
            const deploy = (planned: PlanFile, key: string) => {
                for (const job of ofType(planned, "kubernetes:batch/v1:Job").filter((j) => j.name.includes("s3-remote-key"))) {
                    const [container] = (job.inputs.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers;
                    const script = container.command.join(" ");
                    // The script modifies the remote if it exists and creates it otherwise: either way it holds the current key.
                    assert.match(
                        script,
                        /linstor remote modify s3 "\$REMOTE" --access-key "\$ACCESS_KEY" --secret-key "\$SECRET_KEY" \|\|/,
                    );
                    assert.match(
                        script,
                        /linstor remote create s3 "\$REMOTE" "\$ENDPOINT" "\$BUCKET" "\$REGION" "\$ACCESS_KEY" "\$SECRET_KEY"/,
                    );
                    remotes.set(String(container.env.find((e) => e.name === "REMOTE")?.value), key);
                }
            };
            const snapshot = (planned: PlanFile, liveKey: string) => {
                const parameters = single(planned, "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass").inputs.parameters as Record<
                    string,
                    string
                >;
                const remote = parameters["snap.linstor.csi.linbit.com/remote-name"];
                if (!remotes.has(remote)) remotes.set(remote, liveKey); // ReconcileRemote: created once, never updated
                const dead = [...remotes].filter(([, key]) => key !== liveKey).map(([name]) => name);
                assert.deepEqual(dead, [], `S3 remotes signing with a deleted key fail every CreateSnapshot: ${dead.join(", ")}`);
            };
            deploy(dev, "key-initial");
            snapshot(dev, "key-initial");
            deploy(rotated, "key-2026-q3"); // the old key is deleted once the update ends
            snapshot(rotated, "key-2026-q3");
            assert.equal(remotes.size, 1);
        });

        it("the remote-key Job is named after the key generation, so a rotation runs it again, before the snapshot class and with a restricted pod", async () => {
            const rotated = await plan({ configChanges: { "ciplatform:storageS3KeyRotation": "2026-q3" } });
            const job = (planned: PlanFile) => single(planned, "kubernetes:batch/v1:Job", "s3-remote-key");
            assert.equal((job(dev).inputs.metadata as { name: string }).name, "linstor-s3-remote-key-initial");
            assert.equal((job(rotated).inputs.metadata as { name: string }).name, "linstor-s3-remote-key-2026-q3");
            type Pod = {
                restartPolicy: string;
                securityContext: { runAsNonRoot: boolean; seccompProfile: { type: string } };
                containers: Array<{ securityContext: { allowPrivilegeEscalation: boolean; capabilities: { drop: string[] } } }>;
            };
            const pod = (job(dev).inputs.spec as { template: { spec: Pod } }).template.spec;
            assert.equal(pod.restartPolicy, "Never");
            assert.equal(pod.securityContext.runAsNonRoot, true);
            assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault");
            assert.equal(pod.containers[0].securityContext.allowPrivilegeEscalation, false);
            assert.deepEqual(pod.containers[0].securityContext.capabilities.drop, ["ALL"]);
            // The key's Secret is synced by External Secrets: a rotation forces the sync (force-sync annotation), and the Job
            // refuses a Secret still on the previous generation rather than handing LINSTOR the old key.
            const synced = (planned: PlanFile) =>
                (
                    single(planned, "kubernetes:external-secrets.io/v1:ExternalSecret", "s3-credentials").inputs.metadata as {
                        annotations?: Record<string, string>;
                    }
                ).annotations?.["force-sync"];
            assert.deepEqual([synced(dev), synced(rotated)], ["initial", "2026-q3"]);
            const env = (
                job(rotated).inputs.spec as { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } }
            ).template.spec.containers[0].env;
            assert.equal(env.find((e) => e.name === "EXPECTED_GENERATION")?.value, "2026-q3");
            assert.match(S3_REMOTE_KEY_SCRIPT, /"\$GENERATION" != "\$EXPECTED_GENERATION"[^\n]*exit 1/);
        });

        it("the cluster's StorageClasses exist before the piraeus operator registers its fail-closed StorageClass webhook (charts/piraeus validating-webhook-configuration.yaml)", () => {
            const context = rehearsalContext(dev);
            const operator = single(dev, "kubernetes:helm.sh/v3:Release", "storage-operator");
            const classes = ofType(dev, "kubernetes:storage.k8s.io/v1:StorageClass").filter((c) => !c.name.includes("storage-replicated"));
            assert.ok(classes.length > 0);
            for (const c of classes)
                assert.ok(context.createdBefore(operator.urn, c.urn), `${c.name} may be created while the webhook is not served`);
        });

        it("the CSI controller's snapshotter may read exactly the S3 key Secret (piraeus-operator PR #1053 dropped its cluster-wide Secret access)", () => {
            const role = single(prod, "kubernetes:rbac.authorization.k8s.io/v1:Role", "s3-credentials-reader");
            assert.deepEqual(role.inputs.rules, [
                { apiGroups: [""], resources: ["secrets"], resourceNames: ["linstor-s3-credentials"], verbs: ["get"] },
            ]);
            const binding = single(prod, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "s3-credentials-reader");
            assert.deepEqual(binding.inputs.subjects, [
                { kind: "ServiceAccount", name: "linstor-csi-controller", namespace: "piraeus-datastore" },
            ]);
            const cls = single(prod, "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass");
            assert.equal(
                (cls.inputs.parameters as Record<string, string>)["csi.storage.k8s.io/snapshotter-secret-name"],
                "linstor-s3-credentials",
            );
            assert.ok(cls.dependsOn.includes(binding.urn));
        });

        it("refuses instance-store types, mixed architectures, a malformed AMI and short prod retention", async () => {
            assert.deepEqual(await configIssues({ "ciplatform:storageNodeInstanceTypes": ["m6gd.xlarge"] }), [
                'ciplatform:storageNodeInstanceTypes: "m6gd.xlarge" has instance-store disks; use a type without local disks (no `d` attribute, not i/d/h families), e.g. m7g.xlarge or m7i.xlarge (at item 0)',
            ]);
            assert.deepEqual(await configIssues({ "ciplatform:storageNodeInstanceTypes": ["m7g.xlarge", "m7i.xlarge"] }), [
                "ciplatform:storageNodeInstanceTypes: mixes arm64 and amd64 types, but one AMI serves one architecture; list types of one architecture",
            ]);
            assert.deepEqual(await configIssues({ "ciplatform:storageNodeAmiId": "ubuntu-24.04" }), [
                "ciplatform:storageNodeAmiId: must be an AMI id such as ami-0123456789abcdef0, or empty",
            ]);
            assert.deepEqual(await configIssues({ "ciplatform:storageSnapshotRetentionDays": 3 }, "prod"), [
                "ciplatform:storageSnapshotRetentionDays: prod keeps snapshots at least 7 days; set 7 or more",
            ]);
        });

        it("runs Canonical's current Ubuntu 24.04 EKS AMI for the cluster version and architecture unless one is pinned", async () => {
            assert.equal(
                canonicalEksAmiParameter("1.33", "arm64"),
                "/aws/service/canonical/ubuntu/eks/24.04/1.33/stable/current/arm64/hvm/ebs-gp3/ami-id",
            );
            const resolved = single(await plan(), "aws:ec2/launchTemplate:LaunchTemplate", "storage-nodes");
            assert.match(String(resolved.inputs.imageId), /^ami-[0-9a-f]{17}$/);
            const pinned = single(
                await plan({ configChanges: { "ciplatform:storageNodeAmiId": "ami-0123456789abcdef0" } }),
                "aws:ec2/launchTemplate:LaunchTemplate",
                "storage-nodes",
            );
            assert.equal(pinned.inputs.imageId, "ami-0123456789abcdef0");
        });

        it("prod requires three replicas", async () => {
            await assert.rejects(plan({ stack: "prod", configChanges: { "ciplatform:storageReplicas": 2 } }), (err: unknown) => {
                assert.ok(err instanceof ConfigError);
                assert.deepEqual(
                    err.issues.map((i) => i.message),
                    ["prod keeps three replicas across three zones; set 3"],
                );
                return true;
            });
        });
    });
});
