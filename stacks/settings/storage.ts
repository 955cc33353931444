import { z } from "zod";
import { storageInstanceType } from "../../components/storage/instance-types";
import { defineSection } from "./define";

/** LINSTOR replicated storage, its storage node groups and its disaster-recovery bucket. */
export const storageSection = defineSection({
    prefix: "storage",
    shape: {
        operatorChartVersion: z
            .string()
            .regex(/^\d+\.\d+\.\d+$/, "must be an exact chart version such as 2.8.1")
            .default("2.8.1")
            .describe(
                "Exact version of the piraeus operator v2 chart (oci://ghcr.io/piraeusdatastore/piraeus-operator/piraeus; chart version = operator version).",
            ),
        snapshotControllerVersion: z
            .string()
            .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, "must be an exact EKS add-on version such as v8.3.0-eksbuild.1")
            .default("v8.3.0-eksbuild.1")
            .describe("Exact version of the snapshot-controller add-on (CSI snapshot CRDs and controller)."),
        replicas: z
            .number()
            .int()
            .min(2)
            .max(3)
            .default(3)
            .describe("DRBD replicas per volume, each in a different zone (2 or 3; prod requires 3)."),
        nodeAmiId: z
            .string()
            .regex(/^(ami-[0-9a-f]{8,17})?$/, "must be an AMI id such as ami-0123456789abcdef0, or empty")
            .default("")
            .describe(
                "Canonical's Ubuntu 24.04 EKS AMI for the storage nodes; empty: the current one from Canonical's public SSM parameter /aws/service/canonical/ubuntu/eks/24.04/<clusterVersion>/stable/current/<arch>/hvm/ebs-gp3/ami-id.",
            ),
        nodeInstanceTypes: z
            .array(
                z.string().superRefine((type, ctx) => {
                    const result = storageInstanceType(type);
                    if ("problem" in result) {
                        ctx.addIssue({ code: "custom", message: `${JSON.stringify(type)} ${result.problem}` });
                    }
                }),
            )
            .min(1)
            .default(["m7g.xlarge"])
            .describe("Instance types of the storage nodes (no instance store, one architecture); Jenkins runs on them too."),
        nodesPerZone: z
            .number()
            .int()
            .min(1)
            .max(10)
            .default(1)
            .describe("Storage nodes in each of the three zones (a fixed managed node group per zone)."),
        nodeDataVolumeGiB: z
            .number()
            .int()
            .min(20)
            .max(16_384)
            .default(200)
            .describe("Size of each storage node's encrypted data volume (LINSTOR's LVM-thin pool), GiB; kept when the node terminates."),
        snapshotRetentionDays: z
            .number()
            .int()
            .min(1)
            .max(3650)
            .default(30)
            .describe("Days a volume snapshot stays in the DR bucket before it expires."),
        drNoncurrentVersionDays: z
            .number()
            .int()
            .min(1)
            .max(3650)
            .default(30)
            .describe("Days old versions of snapshot objects stay in the DR bucket."),
        s3KeyRotation: z
            .string()
            .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "must be a short lower-case label such as 2026-q3")
            .default("initial")
            .describe("Generation of the snapshot user's S3 key; change it (e.g. each quarter) to rotate the key."),
    },
    check: (storage, { environment }) => {
        const issues: Array<{ field: "replicas" | "nodeInstanceTypes" | "snapshotRetentionDays"; message: string }> = [];
        if (environment === "prod" && storage.replicas !== 3) {
            issues.push({ field: "replicas", message: "prod keeps three replicas across three zones; set 3" });
        }
        const architectures = new Set(
            storage.nodeInstanceTypes
                .map((type) => storageInstanceType(type))
                .flatMap((r) => ("architecture" in r ? [r.architecture] : [])),
        );
        if (architectures.size > 1) {
            issues.push({
                field: "nodeInstanceTypes",
                message: "mixes arm64 and amd64 types, but one AMI serves one architecture; list types of one architecture",
            });
        }
        if (environment === "prod" && storage.snapshotRetentionDays < 7) {
            issues.push({ field: "snapshotRetentionDays", message: "prod keeps snapshots at least 7 days; set 7 or more" });
        }
        return issues;
    },
});
