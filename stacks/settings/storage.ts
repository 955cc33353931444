import { z } from "zod";
import { defineSection } from "./define";

/** LINSTOR replicated storage and its disaster-recovery bucket. */
export const storageSection = defineSection({
    prefix: "storage",
    shape: {
        operatorChartVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "must be an exact chart version such as 2.9.0").default("2.9.0").describe("Exact piraeus-operator chart version (operator v2)."),
        replicas: z.number().int().min(2).max(3).default(3).describe("DRBD replicas per volume, each in a different zone (2 or 3; prod requires 3)."),
        dataDevice: z
            .string()
            .regex(/^\/dev\/[a-z0-9]+$/, "must be a block device path such as /dev/nvme1n1")
            .default("/dev/nvme1n1")
            .describe("Block device of the storage nodes' encrypted data volume (Nitro names the second EBS volume /dev/nvme1n1)."),
        drNoncurrentVersionDays: z.number().int().min(1).max(3650).default(30).describe("Days old versions of snapshot objects stay in the DR bucket."),
    },
    check: (storage, { environment }) =>
        environment === "prod" && storage.replicas !== 3 ? [{ field: "replicas", message: "prod keeps three replicas across three zones; set 3" }] : [],
});
