/**
 * Policy Reporter's permissions (components/findings/policies.ts) built directly and simulated against the calls its
 * Security Hub target makes (kyverno/policy-reporter pkg/target/securityhub/securityhub.go, aws-sdk-go-v2): it imports
 * findings under the account's default product ARN, which it builds as
 * `arn:aws:securityhub:<region>:<account>:product/<account>/default` (NewClient), looks them up (GetFindings) and
 * resolves them (BatchUpdateFindings). The ARNs below are written out, not built with the module's helpers, so a wrong
 * helper cannot agree with itself.
 */
import { strict as assert } from "node:assert";
import { policyReporterPermissions, securityHubArn, securityHubProductArn } from "../../../components/findings/policies";
import { simulate } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const OTHER = "210987654321";
const REGION = "eu-west-1";
const PRODUCT = `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`;
const HUB = `arn:aws:securityhub:${REGION}:${ACCOUNT}:hub/default`;
const REPORTER = `arn:aws:sts::${ACCOUNT}:assumed-role/cip-dev-findings-policy-reporter-0a1b2c3/policy-reporter`;

const call = (action: string, resource: string, context: Record<string, string> = {}) =>
    simulate({ identityPolicies: [policyReporterPermissions(REGION, ACCOUNT)], principal: REPORTER, action, resource, context });

describe("Policy Reporter's permissions (components/findings/policies.ts)", () => {
    it("names each statement for what it allows, on the ARNs Policy Reporter sends", () => {
        assert.deepEqual(
            policyReporterPermissions(REGION, ACCOUNT).Statement.map((s) => s.Sid),
            ["ImportFindingsAsTheAccount", "FindAndResolveOwnFindings"],
        );
        assert.equal(securityHubProductArn(REGION, ACCOUNT), PRODUCT);
        assert.equal(securityHubArn(REGION, ACCOUNT), HUB);
    });

    it("imports findings as this account under its own default product (BatchImportFindings)", async () => {
        assert.equal(await call("securityhub:BatchImportFindings", PRODUCT, { "securityhub:TargetAccount": ACCOUNT }), "Allowed");
        assert.equal(
            await call("securityhub:BatchImportFindings", PRODUCT, { "securityhub:TargetAccount": OTHER }),
            "ImplicitlyDenied",
            "findings for another account",
        );
        assert.equal(await call("securityhub:BatchImportFindings", PRODUCT), "ImplicitlyDenied", "no target account");
        for (const product of [
            `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${OTHER}/default`,
            `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/aquasecurity/aquasecurity`,
            `arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`,
        ]) {
            assert.equal(
                await call("securityhub:BatchImportFindings", product, { "securityhub:TargetAccount": ACCOUNT }),
                "ImplicitlyDenied",
                product,
            );
        }
    });

    it("looks up and resolves findings on this region's hub (GetFindings, BatchUpdateFindings)", async () => {
        for (const action of ["securityhub:GetFindings", "securityhub:BatchUpdateFindings"]) {
            assert.equal(await call(action, HUB), "Allowed", action);
            assert.equal(
                await call(action, `arn:aws:securityhub:us-east-1:${ACCOUNT}:hub/default`),
                "ImplicitlyDenied",
                `${action}: another region`,
            );
            assert.equal(
                await call(action, `arn:aws:securityhub:${REGION}:${OTHER}:hub/default`),
                "ImplicitlyDenied",
                `${action}: another account`,
            );
        }
    });

    it("denies hub administration and everything else", async () => {
        for (const action of [
            "securityhub:DisableSecurityHub",
            "securityhub:UpdateSecurityHubConfiguration",
            "securityhub:BatchDisableStandards",
            "securityhub:DeleteInsight",
        ]) {
            assert.equal(await call(action, HUB), "ImplicitlyDenied", action);
        }
        assert.equal(await call("s3:GetObject", "arn:aws:s3:::cip-dev-x/y"), "ImplicitlyDenied");
    });
});
