/**
 * The Jenkins controller's permissions (components/jenkins/policies.ts) built directly and simulated against the call a
 * pipeline makes to deploy: `withAWS(role: ...)` of the Pipeline: AWS Steps plugin assumes the role with a plain
 * AssumeRole (jenkinsci/pipeline-aws-plugin src/main/java/de/taimos/pipeline/aws/utils/AssumedRole.java: RoleArn,
 * RoleSessionName, DurationSeconds, optional ExternalId and session Policy; no tags). The listed deploy roles only.
 */
import { strict as assert } from "node:assert";
import { controllerPermissions } from "../../../components/jenkins/policies";
import { simulate } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const OTHER = "210987654321";
const JENKINS = `arn:aws:sts::${ACCOUNT}:assumed-role/cip-dev-jenkins-controller-0a1b2c3/jenkins`;
const DEPLOY = [`arn:aws:iam::${OTHER}:role/cip-dev-jenkins-deploy`, `arn:aws:iam::${ACCOUNT}:role/cip-dev-jenkins-deploy-eu`];

/**
 * The deploy role's trust delegates to the controller's account (`root`), so only the controller's own policy decides,
 * in this account and in another (a trust naming the controller's role would allow a same-account call by itself).
 */
const TRUST = {
    Version: "2012-10-17" as const,
    Statement: [
        {
            Effect: "Allow" as const,
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        },
    ],
};

const call = (action: string, resource: string, roles: readonly string[] = DEPLOY) =>
    simulate({
        identityPolicies: [controllerPermissions(roles)],
        principal: JENKINS,
        action,
        resource,
        resourceAccount: resource.split(":")[4] || ACCOUNT,
        resourcePolicy: resource.includes(":role/") ? TRUST : undefined,
    });

describe("Jenkins controller permissions (components/jenkins/policies.ts)", () => {
    it("names its one statement for what it allows", () => {
        assert.deepEqual(
            controllerPermissions(DEPLOY).Statement.map((s) => s.Sid),
            ["AssumeDeployRoles"],
        );
    });

    it("assumes each listed deploy role, in this account or another (withAWS role: AssumeRole)", async () => {
        for (const role of DEPLOY) {
            assert.equal(await call("sts:AssumeRole", role), "Allowed", role);
        }
    });

    it("assumes no other role, and does nothing else with the listed ones", async () => {
        for (const role of [
            `arn:aws:iam::${OTHER}:role/admin`,
            `arn:aws:iam::${OTHER}:role/cip-prod-jenkins-deploy`,
            `arn:aws:iam::${ACCOUNT}:role/cip-dev-jenkins-deploy`,
            `arn:aws:iam::${OTHER}:role/cip-dev-jenkins-deploy-2`,
        ]) {
            assert.equal(await call("sts:AssumeRole", role), "ImplicitlyDenied", role);
        }
        assert.equal(await call("sts:TagSession", DEPLOY[0]), "ImplicitlyDenied", "no session tags");
        assert.equal(await call("sts:SetSourceIdentity", DEPLOY[0]), "ImplicitlyDenied");
        assert.equal(await call("iam:PassRole", DEPLOY[1]), "ImplicitlyDenied");
        assert.equal(await call("iam:UpdateAssumeRolePolicy", DEPLOY[1]), "ImplicitlyDenied");
        assert.equal(await call("s3:GetObject", "arn:aws:s3:::cip-dev-storage-dr/x"), "ImplicitlyDenied");
    });

    it("with no role listed, it may assume none", async () => {
        for (const role of DEPLOY) {
            assert.equal(await call("sts:AssumeRole", role, []), "ImplicitlyDenied", role);
        }
    });
});
