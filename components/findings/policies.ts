/**
 * IAM documents of the findings pipeline (findings.ts), as pure builders: Policy Reporter's Security Hub target, the
 * one part of the pipeline with AWS permissions (values.ts says why Falcosidekick needs none). Tested directly in
 * test/components/findings/policies.test.ts.
 */
import { PolicyDocument, policyDocument } from "../shared/iam-documents";

/** The product ARN findings are imported under: the account's own default product (what Policy Reporter sends). */
export function securityHubProductArn(region: string, accountId: string): string {
    return `arn:aws:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/** The account's hub in a region: what GetFindings and BatchUpdateFindings are authorized against. */
export function securityHubArn(region: string, accountId: string): string {
    return `arn:aws:securityhub:${region}:${accountId}:hub/default`;
}

/** The three Security Hub calls Policy Reporter's target makes (import, look up, resolve): on this account's product and hub only. */
export function policyReporterPermissions(region: string, accountId: string): PolicyDocument {
    return policyDocument(
        {
            Sid: "ImportFindingsAsTheAccount",
            Effect: "Allow",
            Action: "securityhub:BatchImportFindings",
            Resource: securityHubProductArn(region, accountId),
            Condition: { StringEquals: { "securityhub:TargetAccount": accountId } },
        },
        {
            Sid: "FindAndResolveOwnFindings",
            Effect: "Allow",
            Action: ["securityhub:GetFindings", "securityhub:BatchUpdateFindings"],
            Resource: securityHubArn(region, accountId),
        },
    );
}
