import { z } from "zod";
import { defineSection } from "./define";

/** CloudWatch Logs' accepted retention periods, in days. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const logRetention = z
    .number()
    .int()
    .refine(
        (d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d),
        `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`,
    );

const ipv4Cidr = z
    .string()
    .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/, "must be an IPv4 CIDR such as 10.0.0.0/16")
    .refine(
        (c) =>
            c
                .split(/[./]/)
                .slice(0, 4)
                .every((o) => Number(o) <= 255),
        "has an octet above 255",
    );

/** The VPC: three AZs, private and public subnets, NAT and flow logs. */
export const networkSection = defineSection({
    prefix: "network",
    shape: {
        vpcCidr: ipv4Cidr
            .refine((c) => {
                const prefix = Number(c.split("/")[1]);
                return prefix >= 16 && prefix <= 20;
            }, "must have a prefix length from /16 to /20 (room for three private and three public subnets)")
            .default("10.0.0.0/16")
            .describe("IPv4 CIDR of the VPC; private subnets get a quarter each, public subnets share the last quarter."),
        availabilityZones: z
            .array(z.string().regex(/^[a-z]$/, "must be a single zone letter such as a"))
            .length(3, "must name exactly three zones")
            .refine((zs) => new Set(zs).size === zs.length, "must not repeat a zone")
            .default(["a", "b", "c"])
            .describe("Zone letters of the three availability zones in the region (e.g. a, b, c)."),
        natGateways: z
            .enum(["single", "perAz"])
            .default("single")
            .describe("NAT gateways: one shared (cheaper) or one per AZ (survives an AZ outage; prod requires it)."),
        flowLogRetentionDays: logRetention.default(90).describe("Retention of VPC flow logs in days (a CloudWatch retention period)."),
    },
    check: (network, { environment }) =>
        environment === "prod" && network.natGateways !== "perAz"
            ? [{ field: "natGateways", message: "prod runs a NAT gateway per AZ so an AZ outage does not cut egress; set perAz" }]
            : [],
});
