import { strict as assert } from "node:assert";
import Ajv from "ajv";
import * as YAML from "yaml";
import { linstorCluster, replicatedStorageParameters, s3SnapshotClass, satelliteConfiguration } from "../../components/storage-objects";
import { LINSTOR_CLUSTER_SCHEMA, LINSTOR_SATELLITE_CONFIGURATION_SCHEMA, VOLUME_SNAPSHOT_CLASS_SCHEMA } from "../../components/storage-schemas";
import { drUserPermissions, validateStorageArgs } from "../../components/storage";
import { controllerPermissions, homeSnapshotManifest, validateJenkinsArgs } from "../../components/jenkins";
import { agentPodTemplate, buildJenkinsValues, HA_CONTROLLER_LABEL } from "../../components/jenkins-values";
import { ConfigError, ofType, plan, PlanFile, single } from "../helpers/mocks";
import { simulate } from "../helpers/iam";

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
            assert.deepEqual(cluster.spec.highAvailabilityController, { enabled: true });
            assert.equal(cluster.spec.linstorPassphraseSecret, "linstor-passphrase");
            assert.equal(valid(LINSTOR_CLUSTER_SCHEMA, cluster), "valid");
        });

        it("satellites run on storage nodes with an LVM-thin pool on the data device, and validate", () => {
            const satellites = satelliteConfiguration("/dev/nvme1n1");
            assert.deepEqual(satellites.spec.nodeSelector, { "ciplatform.io/pool": "storage" });
            assert.deepEqual(satellites.spec.storagePools, [{ name: "thinpool", lvmThinPool: { volumeGroup: "linstor_vg", thinPool: "thinpool" }, source: { hostDevices: ["/dev/nvme1n1"] } }]);
            assert.equal(valid(LINSTOR_SATELLITE_CONFIGURATION_SCHEMA, satellites), "valid");
        });

        it("the snapshot class ships to the DR bucket over the regional endpoint and keeps snapshots", () => {
            const cls = s3SnapshotClass({ name: "linstor-s3", bucket: "cip-dev-dr", region: "eu-west-1", secretName: "linstor-s3-credentials", secretNamespace: "piraeus-datastore" });
            assert.equal(cls.deletionPolicy, "Retain");
            assert.equal(cls.driver, "linstor.csi.linbit.com");
            assert.deepEqual(
                [cls.parameters?.["snap.linstor.csi.linbit.com/type"], cls.parameters?.["snap.linstor.csi.linbit.com/s3-bucket"], cls.parameters?.["snap.linstor.csi.linbit.com/s3-endpoint"], cls.parameters?.["snap.linstor.csi.linbit.com/s3-signing-region"]],
                ["S3", "cip-dev-dr", "s3.eu-west-1.amazonaws.com", "eu-west-1"],
            );
            assert.equal(valid(VOLUME_SNAPSHOT_CLASS_SCHEMA, cls), "valid");
        });

        it("invalid objects fail their schemas", () => {
            assert.notEqual(valid(VOLUME_SNAPSHOT_CLASS_SCHEMA, { ...s3SnapshotClass({ name: "x", bucket: "b", region: "r", secretName: "s", secretNamespace: "n" }), deletionPolicy: "Keep" }), "valid");
            assert.notEqual(valid(LINSTOR_SATELLITE_CONFIGURATION_SCHEMA, { ...satelliteConfiguration("/dev/x"), spec: { storagePools: [{ name: "p", lvmThinPool: { vg: "x" } }] } }), "valid");
            assert.notEqual(valid(LINSTOR_CLUSTER_SCHEMA, { ...linstorCluster("p"), spec: { highAvailabilityControler: { enabled: true } } }), "valid");
        });
    });

    describe("DR access", () => {
        const bucket = "arn:aws:s3:::cip-dev-storage-dr";
        const policy = drUserPermissions(bucket, "arn:aws:kms:eu-west-1:123456789012:key/abc", "eu-west-1");
        const user = "arn:aws:iam::123456789012:user/ciplatform/snapshots";
        it("the snapshot user can touch only the DR bucket", async () => {
            assert.equal(await simulate({ identityPolicies: [policy], principal: user, action: "s3:PutObject", resource: `${bucket}/snapshots/pvc-1` }), "Allowed");
            assert.equal(await simulate({ identityPolicies: [policy], principal: user, action: "s3:GetObject", resource: "arn:aws:s3:::cip-dev-runner-cache/x" }), "ImplicitlyDenied");
            assert.equal(await simulate({ identityPolicies: [policy], principal: user, action: "s3:DeleteBucket", resource: bucket }), "ImplicitlyDenied");
            assert.equal(await simulate({ identityPolicies: [policy], principal: user, action: "s3:PutBucketPolicy", resource: bucket }), "ImplicitlyDenied");
        });

        it("the Jenkins controller may assume only the listed deploy roles", async () => {
            const perms = controllerPermissions(["arn:aws:iam::210987654321:role/deploy"]);
            // Cross-account: the deploy role in the other account trusts the Jenkins role.
            const trust = { Version: "2012-10-17" as const, Statement: [{ Effect: "Allow" as const, Principal: { AWS: "arn:aws:iam::123456789012:role/jenkins" }, Action: "sts:AssumeRole" }] };
            const assume = (roleArn: string) =>
                simulate({ identityPolicies: [perms], resourcePolicy: trust, principal: "arn:aws:iam::123456789012:role/jenkins", action: "sts:AssumeRole", resource: roleArn, resourceAccount: roleArn.split(":")[4] });
            assert.equal(await assume("arn:aws:iam::210987654321:role/deploy"), "Allowed");
            assert.equal(await assume("arn:aws:iam::210987654321:role/admin"), "ImplicitlyDenied");
        });
    });

    describe("Jenkins values", () => {
        it("gives each architecture an agent template on spot CI nodes of that architecture", () => {
            for (const arch of ["arm64", "amd64"] as const) {
                const [template] = YAML.parse(agentPodTemplate(arch)) as Array<{ name: string; label: string; yaml: string }>;
                assert.equal(template.name, `agent-${arch}`);
                assert.equal(template.label, `${arch} linux-${arch}`);
                const pod = YAML.parse(template.yaml) as { spec: { nodeSelector: Record<string, string>; tolerations: unknown[] } };
                assert.deepEqual(pod.spec.nodeSelector, { "ciplatform.io/pool": "ci", "kubernetes.io/arch": arch, "karpenter.sh/capacity-type": "spot" });
                assert.deepEqual(pod.spec.tolerations, [{ key: "ciplatform.io/ci", operator: "Equal", value: "true", effect: "NoSchedule" }]);
            }
        });

        it("keeps the home on the replicated class, admin from a Secret, CSRF on, HA label set", () => {
            const values = buildJenkinsValues({
                hostname: "jenkins.ci.internal",
                storageClass: "linstor-replicated",
                homeSizeGiB: 50,
                adminSecretName: "jenkins-admin",
                tlsSecretName: "jenkins-tls",
                architectures: ["arm64"],
                keepHome: true,
            }) as { controller: Record<string, Record<string, unknown>>; persistence: Record<string, unknown> };
            assert.deepEqual([values.persistence.storageClass, values.persistence.size, values.persistence.annotations], ["linstor-replicated", "50Gi", { "helm.sh/resource-policy": "keep" }]);
            assert.equal(values.controller.admin.existingSecret, "jenkins-admin");
            assert.equal(values.controller.admin.password, undefined);
            assert.deepEqual(values.controller.podLabels, HA_CONTROLLER_LABEL);
            const security = YAML.parse((values.controller.JCasC.configScripts as Record<string, string>).security) as { jenkins: { crumbIssuer: { standard: unknown } } };
            assert.ok(security.jenkins.crumbIssuer.standard);
            assert.deepEqual(values.controller.ingress.tls, [{ secretName: "jenkins-tls", hosts: ["jenkins.ci.internal"] }]);
        });

        it("snapshots the home claim with the S3 class", () => {
            assert.deepEqual(JSON.parse(homeSnapshotManifest("linstor-s3")).spec, { volumeSnapshotClassName: "linstor-s3", source: { persistentVolumeClaimName: "jenkins" } });
        });

        it("rejects a bad host name, wildcard deploy roles and a bad schedule", () => {
            assert.deepEqual(validateJenkinsArgs({ hostname: "Jenkins", deployRoleArns: ["arn:aws:iam::123456789012:role/*"], snapshotSchedule: "hourly" }), [
                'hostname: got "Jenkins"; use a DNS name such as jenkins.ci.example.com',
                'deployRoleArns: got "arn:aws:iam::123456789012:role/*"; list exact role ARNs (no wildcards)',
                'snapshotSchedule: got "hourly"; use a cron expression such as "0 */6 * * *"',
            ]);
            assert.deepEqual(validateStorageArgs({ replicas: 4 }), ["replicas: got 4; use 2 (dev) or 3 (one per zone)"]);
        });
    });

    describe("planned", () => {
        let dev: PlanFile;
        let prod: PlanFile;
        before(async () => {
            dev = await plan();
            prod = await plan({ stack: "prod", configChanges: { "ciplatform:jenkinsDeployRoleArns": ["arn:aws:iam::210987654321:role/deploy"] } });
        });

        it("uses 2 replicas in dev and 3 in prod, Retain, WaitForFirstConsumer, expansion", () => {
            const devClass = single(dev, "kubernetes:storage.k8s.io/v1:StorageClass", "replicated");
            const prodClass = single(prod, "kubernetes:storage.k8s.io/v1:StorageClass", "replicated");
            assert.equal((devClass.inputs.parameters as Record<string, string>)["linstor.csi.linbit.com/placementCount"], "2");
            assert.equal((prodClass.inputs.parameters as Record<string, string>)["linstor.csi.linbit.com/placementCount"], "3");
            assert.deepEqual([prodClass.inputs.reclaimPolicy, prodClass.inputs.volumeBindingMode, prodClass.inputs.allowVolumeExpansion], ["Retain", "WaitForFirstConsumer", true]);
        });

        it("puts Jenkins' home on the replicated class", () => {
            const release = single(prod, "kubernetes:helm.sh/v3:Release", "jenkins-chart");
            assert.equal((release.inputs.values as { persistence: { storageClass: string } }).persistence.storageClass, "linstor-replicated");
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
            const policy = JSON.parse(String(single(prod, "aws:iam/rolePolicy:RolePolicy", "jenkins-controller").inputs.policy)) as { Statement: Array<{ Resource: string[] }> };
            assert.deepEqual(policy.Statement[0].Resource, ["arn:aws:iam::210987654321:role/deploy"]);
            assert.equal(prod.summary.mandatory, 0, JSON.stringify(prod.policy.violations));
        });

        it("prod requires three replicas", async () => {
            await assert.rejects(plan({ stack: "prod", configChanges: { "ciplatform:storageReplicas": 2 } }), (err: unknown) => {
                assert.ok(err instanceof ConfigError);
                assert.deepEqual(err.issues.map((i) => i.message), ["prod keeps three replicas across three zones; set 3"]);
                return true;
            });
        });
    });
});
