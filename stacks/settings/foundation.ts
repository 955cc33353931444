import { z } from "zod";
import { NAME_PREFIX_PATTERN, NAME_PREFIX_RULE } from "../../components/shared/names";
import { defineSection } from "./define";
import { ipv4Cidr, logRetention, ZONE_LETTERS } from "./network";
import { CODEBUILD_MEMORY_GIB, MIN_JOB_MEMORY_GIB } from "../../components/foundation/runner-labels";

const ENVIRONMENTS = ["dev", "staging", "prod"] as const;

const vpcCidr = ipv4Cidr.refine((c) => {
    const prefix = Number(c.split("/")[1]);
    return prefix >= 16 && prefix <= 20;
}, "must have a prefix length from /16 to /20 (room for three private and three public subnets)");

/** First and last address of an IPv4 CIDR, as numbers. */
function range(cidr: string): [number, number] {
    const [address, bits] = cidr.split("/");
    const base = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    const size = 2 ** (32 - Number(bits));
    const start = base - (base % size);
    return [start, start + size - 1];
}

/** The environments' networks, owned by the foundation so deploy runners exist before any cluster. */
export const foundationNetworkSection = defineSection({
    prefix: "network",
    shape: {
        devVpcCidr: vpcCidr.default("10.0.0.0/16").describe("IPv4 CIDR of the dev environment's VPC."),
        stagingVpcCidr: vpcCidr.default("10.1.0.0/16").describe("IPv4 CIDR of the staging environment's VPC."),
        prodVpcCidr: vpcCidr.default("10.2.0.0/16").describe("IPv4 CIDR of the prod environment's VPC."),
        availabilityZones: z
            .array(z.enum(ZONE_LETTERS, { error: () => `must be a zone letter ${ZONE_LETTERS.join(", ")} (no AWS region has more zones)` }))
            .length(3, "must name exactly three zones")
            .refine((zs) => new Set(zs).size === zs.length, "must not repeat a zone")
            .default(["a", "b", "c"])
            .describe("Zone letters of the three availability zones in the region (e.g. a, b, c)."),
        devNatGateways: z
            .enum(["single", "perAz"])
            .default("single")
            .describe("NAT gateways of dev: one shared (cheaper) or one per AZ. prod always runs one per AZ."),
        stagingNatGateways: z
            .enum(["single", "perAz"])
            .default("single")
            .describe("NAT gateways of staging: one shared (cheaper) or one per AZ."),
        flowLogRetentionDays: logRetention.default(90).describe("Retention of VPC flow logs in days (a CloudWatch retention period)."),
        platformNamePrefix: z
            .string()
            .regex(NAME_PREFIX_PATTERN, NAME_PREFIX_RULE)
            .default("cip")
            .describe(
                "namePrefix of the platform stacks: their clusters are <prefix>-<environment>, which the subnets' discovery tags name.",
            ),
    },
    check: (network) => {
        const issues: Array<{ field: "stagingVpcCidr" | "prodVpcCidr"; message: string }> = [];
        const cidrs = { dev: network.devVpcCidr, staging: network.stagingVpcCidr, prod: network.prodVpcCidr };
        for (const [i, a] of ENVIRONMENTS.entries()) {
            for (const b of ENVIRONMENTS.slice(i + 1)) {
                const [aStart, aEnd] = range(cidrs[a]);
                const [bStart, bEnd] = range(cidrs[b]);
                if (aStart <= bEnd && bStart <= aEnd) {
                    issues.push({
                        field: b === "staging" ? "stagingVpcCidr" : "prodVpcCidr",
                        message: `overlaps ${a}'s ${cidrs[a]}; give each environment its own range so the networks can be peered later`,
                    });
                }
            }
        }
        return issues;
    },
});

/** The CodeBuild-hosted runners inside each environment's network. */
export const deployRunnersSection = defineSection({
    prefix: "runners",
    shape: {
        connectionArn: z
            .string()
            .regex(
                /^(arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[\w-]+)?$/,
                "must be the ARN of a CodeConnections connection, arn:aws:codeconnections:<region>:<account>:connection/<id>",
            )
            .default("")
            .describe(
                "CodeConnections connection to the CI host (GitLab or GitHub), created and authorized by an administrator (docs/empty-account.md). Required.",
            ),
        computeType: z
            .enum(Object.keys(CODEBUILD_MEMORY_GIB).filter((t) => CODEBUILD_MEMORY_GIB[t] >= MIN_JOB_MEMORY_GIB) as [string, ...string[]])
            .default("BUILD_GENERAL1_MEDIUM")
            .describe(
                `CodeBuild compute type of every runner build (at least ${MIN_JOB_MEMORY_GIB} GiB: npm, ts-node and three providers).`,
            ),
        image: z
            .string()
            .regex(/^[\w./:@-]+$/, "must be a CodeBuild image name such as aws/codebuild/amazonlinux-x86_64-standard:5.0")
            .default("aws/codebuild/amazonlinux-x86_64-standard:5.0")
            .describe(
                "Build image of the runners: it carries the AWS CLI v2 and Node.js 22 (the job installs the pinned Pulumi CLI over HTTPS).",
            ),
        buildTimeoutMinutes: z
            .number()
            .int()
            .min(60)
            .max(480)
            .default(180)
            .describe("Longest job, minutes: the deploy roles' sessions last as long (a first platform up can take over an hour)."),
    },
    check: (runners) =>
        runners.connectionArn === ""
            ? [
                  {
                      field: "connectionArn" as const,
                      message:
                          "is required: create the connection (aws codeconnections create-connection), authorize it in the console, and set its ARN (docs/empty-account.md)",
                  },
              ]
            : [],
});
