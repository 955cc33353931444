/**
 * Every IAM policy document the programs create, in every shipped stack, is one IAM accepts (test/helpers/iam-validity.ts):
 * managed policies (boundaries included), inline policies (RolePolicy, UserPolicy, GroupPolicy, a role's inlinePolicies)
 * and trust policies. A statement IAM refuses fails the first `pulumi up` at CreatePolicy/PutRolePolicy/CreateRole
 * (MalformedPolicyDocument), which neither the simulator nor the mock runtime notices.
 */
import { strict as assert } from "node:assert";
import type { PolicyDocument } from "../../../components/shared/iam-documents";
import { iamRejections } from "../../helpers/iam-validity";
import { plan, PlanFile } from "../../helpers/mocks";

/** [resource type, input holding an identity policy]. */
const IDENTITY_POLICIES = [
    ["aws:iam/policy:Policy", "policy"],
    ["aws:iam/rolePolicy:RolePolicy", "policy"],
    ["aws:iam/userPolicy:UserPolicy", "policy"],
    ["aws:iam/groupPolicy:GroupPolicy", "policy"],
] as const;

/** Each planned document with what IAM would refuse in it (a document it cannot read counts as refused). */
function rejections(resources: PlanFile["resources"]): { checked: number; problems: string[] } {
    const problems: string[] = [];
    let checked = 0;
    const check = (where: string, document: unknown, kind: "identity" | "trust") => {
        checked++;
        let parsed: PolicyDocument;
        try {
            parsed = (typeof document === "string" ? JSON.parse(document) : document) as PolicyDocument;
        } catch {
            problems.push(`${where}: not JSON`);
            return;
        }
        if (!parsed || !Array.isArray(parsed.Statement)) {
            problems.push(`${where}: no statements (${JSON.stringify(document)?.slice(0, 80)})`);
            return;
        }
        for (const p of iamRejections(parsed, kind)) problems.push(`${where}: ${p}`);
    };
    for (const r of resources) {
        for (const [type, input] of IDENTITY_POLICIES) {
            if (r.type === type) check(`${type} ${r.name}`, r.inputs[input], "identity");
        }
        if (r.type === "aws:iam/role:Role") {
            check(`role ${r.name} trust`, r.inputs.assumeRolePolicy, "trust");
            for (const inline of (r.inputs.inlinePolicies as Array<{ name?: string; policy?: unknown }> | undefined) ?? []) {
                if (inline.policy !== undefined) check(`role ${r.name} inline ${inline.name}`, inline.policy, "identity");
            }
        }
    }
    return { checked, problems };
}

describe("IAM accepts every policy document the programs create (test/helpers/iam-validity.ts)", () => {
    it("the check refuses a statement without Resource, with an empty Action, a bad Sid or a Sid twice; a trust policy needs no Resource", () => {
        const doc = (statements: object[]) => ({ Version: "2012-10-17", Statement: statements }) as PolicyDocument;
        assert.deepEqual(iamRejections(doc([{ Sid: "A", Effect: "Allow", Action: "s3:GetObject" }])), ["A: no resource"]);
        assert.deepEqual(iamRejections(doc([{ Sid: "A", Effect: "Allow", Action: [], Resource: "*" }])), ["A: no action"]);
        assert.deepEqual(iamRejections(doc([{ Sid: "A-1", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }])), [
            "A-1: a Sid takes ASCII letters and digits only",
        ]);
        assert.deepEqual(
            iamRejections(
                doc([
                    { Sid: "A", Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
                    { Sid: "A", Effect: "Allow", Action: "s3:PutObject", Resource: "*" },
                ]),
            ),
            ["A: Sid used twice"],
        );
        assert.deepEqual(iamRejections(doc([{ Sid: "A", Effect: "Allow", NotAction: "iam:*", NotResource: "*" }])), []);
        const trust = doc([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]);
        assert.deepEqual(iamRejections(trust, "trust"), []);
        assert.deepEqual(iamRejections(trust), ["statement 0: no resource"]);
    });

    for (const stack of ["account", "dev", "staging", "prod"]) {
        it(`${stack}: every managed, inline and trust policy`, async () => {
            const { checked, problems } = rejections((await plan({ stack })).resources);
            assert.ok(checked >= 25, `only ${checked} documents found`);
            assert.deepEqual(problems, []);
        });
    }
});
