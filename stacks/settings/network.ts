import { z } from "zod";

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

/** An IPv4 CIDR: four octets of 0-255 and a prefix length of 0-32. */
export const ipv4Cidr = z
    .string()
    .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/, "must be an IPv4 CIDR such as 10.0.0.0/16")
    .refine(
        (c) =>
            c
                .split(/[./]/)
                .slice(0, 4)
                .every((o) => Number(o) <= 255),
        "must be an IPv4 CIDR whose four octets are each 0-255, such as 203.0.113.0/24",
    )
    .refine((c) => Number(c.split("/")[1]) <= 32, "must have a prefix length of 0-32, such as 203.0.113.0/24");

/**
 * Availability-zone letters. AWS names a region's zones <region>a, b, ...; no region has more than six
 * (us-east-1 runs a-f), and the provider has no per-region list, so a letter past f names no zone anywhere.
 */
export const ZONE_LETTERS = ["a", "b", "c", "d", "e", "f"] as const;
