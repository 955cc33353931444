/**
 * Issue #22 item 6: Jenkins deploys through deploy roles "in other accounts"; the workload boundary
 * of its role must let it assume them (and nothing else), and the config must refuse a role the
 * boundary would not let it assume.
 */
import { strict as assert } from "node:assert";
import { workloadBoundaryDocument } from "../../../components/foundation/workload-boundary";
import { isAllowedJenkinsDeployRole } from "../../../components/jenkins/jenkins";
import { controllerPermissions } from "../../../components/jenkins/policies";
import { policyDocument } from "../../../components/shared/iam-documents";
import { evaluateIam } from "../../../tools/rehearse/iam-eval";
import { simulate } from "../../helpers/iam";
import { configIssues } from "../../helpers/mocks";

const ACCOUNT = "123456789012";
const OTHER = "210987654321";
const JENKINS = `arn:aws:sts::${ACCOUNT}:assumed-role/cip-dev-jenkins-controller/session`;
const boundary = workloadBoundaryDocument({ accountId: ACCOUNT, region: "eu-west-1", prefix: "cip-dev" });

describe("Jenkins deploy roles in other accounts (issue #22 item 6)", () => {
    const allowed = `arn:aws:iam::${OTHER}:role/cip-dev-jenkins-deploy`;
    const identity = [controllerPermissions([allowed, `arn:aws:iam::${OTHER}:role/admin`])];
    /** The deploy role's trust in the other account names the Jenkins role (docs/controllers.md). */
    const trust = policyDocument({
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/cip-dev-jenkins-controller` },
        Action: "sts:AssumeRole",
    });

    it("the controller may assume the environment's deploy role in another account, within the boundary", async () => {
        const ours = evaluateIam(
            { action: "sts:AssumeRole", resource: allowed, principalArn: JENKINS },
            { identity, boundary, resource: trust },
        );
        assert.equal(ours.decision, "Allowed", ours.reason);
        assert.equal(
            await simulate({
                identityPolicies: identity,
                permissionsBoundary: boundary,
                resourcePolicy: trust,
                action: "sts:AssumeRole",
                principal: JENKINS,
                resource: allowed,
                resourceAccount: OTHER,
            }),
            "Allowed",
        );
    });

    // The other account trusts the Jenkins role and the identity policy allows any role: only the boundary decides.
    it("the boundary refuses any other role of another account, and another environment's deploy role", async () => {
        for (const role of [`arn:aws:iam::${OTHER}:role/admin`, `arn:aws:iam::${OTHER}:role/cip-prod-jenkins-deploy`]) {
            const star = [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] }];
            assert.equal(
                evaluateIam(
                    { action: "sts:AssumeRole", resource: role, principalArn: JENKINS },
                    { identity: star, boundary, resource: trust },
                ).decision,
                "ImplicitlyDenied",
                role,
            );
            assert.equal(
                await simulate({
                    identityPolicies: star as never,
                    permissionsBoundary: boundary,
                    resourcePolicy: trust,
                    action: "sts:AssumeRole",
                    principal: JENKINS,
                    resource: role,
                    resourceAccount: OTHER,
                }),
                "ImplicitlyDenied",
                role,
            );
        }
    });

    it("names follow the environment: <prefix>-jenkins-deploy…, no path", () => {
        assert.equal(isAllowedJenkinsDeployRole(allowed, "cip-dev"), true);
        assert.equal(isAllowedJenkinsDeployRole(`arn:aws:iam::${OTHER}:role/cip-dev-jenkins-deploy-eu`, "cip-dev"), true);
        assert.equal(isAllowedJenkinsDeployRole(`arn:aws:iam::${OTHER}:role/ci/cip-dev-jenkins-deploy`, "cip-dev"), false);
        assert.equal(isAllowedJenkinsDeployRole(`arn:aws:iam::${OTHER}:role/cip-prod-jenkins-deploy`, "cip-dev"), false);
    });

    it("the config refuses a deploy role the boundary would not let Jenkins assume, naming key, value and rule", async () => {
        const issues = await configIssues({ "ciplatform:jenkinsDeployRoleArns": [`arn:aws:iam::${OTHER}:role/deploy`] });
        assert.deepEqual(issues, [
            `ciplatform:jenkinsDeployRoleArns: arn:aws:iam::${OTHER}:role/deploy: the workload boundary lets Jenkins assume only roles named cip-dev-jenkins-deploy* (no path), in any account; rename the role`,
        ]);
    });
});
