import { snapshotsPerDay } from "../../components/jenkins/jenkins";
import { z } from "zod";
import { defineSection } from "./define";

/** Jenkins on replicated storage. */
export const jenkinsSection = defineSection({
    prefix: "jenkins",
    shape: {
        enabled: z.boolean().default(true).describe("Deploy Jenkins (and the LINSTOR storage it runs on)."),
        chartVersion: z
            .string()
            .regex(/^\d+\.\d+\.\d+$/, "must be an exact chart version such as 5.9.53")
            .default("5.9.53")
            .describe("Exact jenkins chart version."),
        hostname: z
            .string()
            .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, "must be a DNS name such as jenkins.ci.example.com")
            .default("jenkins.ci.internal")
            .describe("Host name of the Jenkins ingress (certificate from the private CA)."),
        homeSizeGiB: z.number().int().min(10).max(2048).default(50).describe("Size of the Jenkins home volume, GiB."),
        deployRoleArns: z
            .array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "must be an IAM role ARN"))
            .default([])
            .describe("Deploy roles (in other accounts) the Jenkins controller may assume; nothing else."),
        snapshotSchedule: z
            .string()
            .superRefine((schedule, ctx) => {
                const runs = snapshotsPerDay(schedule);
                if ("problem" in runs) ctx.addIssue({ code: "custom", message: runs.problem });
            })
            .default("0 */6 * * *")
            .describe("Cron schedule of the Jenkins home snapshot to S3."),
        deleteDataOnDestroy: z
            .boolean()
            .default(false)
            .describe("Explicit opt-in: let destroying the stack delete the Jenkins home volume claim."),
    },
});
