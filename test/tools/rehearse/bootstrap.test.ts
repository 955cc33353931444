import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCommand } from "../../../tools/rehearse/bootstrap/cli-surface";
import { decide } from "../../../tools/rehearse/bootstrap/iam";
import { BootstrapReport, Foundation, planFoundation, rehearseBootstrapDetailed } from "../../../tools/rehearse/bootstrap/run";

const ROOT = path.join(__dirname, "..", "..", "..");
const GUIDE = fs.readFileSync(path.join(ROOT, "docs", "empty-account.md"), "utf8");

/** planFoundation plans once per config and process; the mutations below share it. */
const cachedPlan = planFoundation;

const rehearse = (guide: string, planner = cachedPlan): Promise<BootstrapReport> =>
    rehearseBootstrapDetailed({ guide, planFoundation: planner });

/** The guide with `from` replaced by `to` (exactly once: the mutation must apply). */
function mutate(from: string, to: string): string {
    assert.equal(GUIDE.split(from).length, 2, `the guide contains ${JSON.stringify(from)} once`);
    return GUIDE.replace(from, to);
}

const whys = (report: BootstrapReport): string => report.findings.map((f) => `[${f.step}] ${f.command} -> ${f.why}`).join("\n");

describe("npm run rehearse:bootstrap (docs/empty-account.md, walked as written)", () => {
    let report: BootstrapReport;
    before(async () => {
        report = await rehearse(GUIDE);
    });

    it("every step of the guide can be done as written", () => {
        assert.deepEqual(report.findings, [], whys(report));
    });

    it("walks every step's commands in order, and follows each pipeline the guide starts to AWS, job by job", () => {
        assert.ok(report.commands.length >= 30, `${report.commands.length} commands`);
        assert.deepEqual(
            [...new Set(report.commands.map((c) => c.step))].filter((s) => !s.startsWith("recovery")),
            ["1", "2", "3", "4", "5", "6", "7", "8", "10"],
        );
        assert.deepEqual(report.jobsChecked, [
            "merge_request bootstrap-stacks preview-dev",
            "merge_request bootstrap-stacks preview-staging",
            "merge_request bootstrap-stacks preview-prod",
            "push main up-dev",
            "push main-staging up-staging",
            "push main-prod up-prod",
        ]);
    });

    describe("fails on a step a person or a job could not do (the old guide's defects)", () => {
        it("a command the S3 backend refuses: pulumi stack tag set", async () => {
            const r = await rehearse(
                mutate(
                    'pulumi stack init prod --secrets-provider "$SECRETS_PROVIDER"\n',
                    'pulumi stack init prod --secrets-provider "$SECRETS_PROVIDER"\npulumi stack tag set environment prod\n',
                ),
            );
            assert.match(whys(r), /\[6\] pulumi stack tag set environment prod -> the S3 \(DIY\) backend does not support stack tags/);
        });

        it("a flag that does not exist", async () => {
            const r = await rehearse(
                mutate(
                    "pulumi up --yes --policy-pack ../policypack --policy-pack-config ../policy-config.json\n```\n\nIt creates",
                    "pulumi up --yes --policy-packs ../policypack --policy-pack-config ../policy-config.json\n```\n\nIt creates",
                ),
            );
            assert.match(
                whys(r),
                /\[3\] pulumi up --yes --policy-packs \.\.\/policypack --policy-pack-config \.\.\/policy-config\.json -> command does not exist as written: pulumi up: unknown flag --policy-packs/,
            );
        });

        it("the old `login` output used as the backend URL (it is a whole command)", async () => {
            const r = await rehearse(
                mutate('export STATE_URL="$(pulumi stack output stateUrl)"', 'export STATE_URL="$(pulumi stack output login)"'),
            );
            assert.match(whys(r), /\[5\] pulumi login "\$STATE_URL" -> pulumi login 's3:\/\/.*' is not an S3 backend URL/);
        });

        it("an output the foundation does not export (the old runnerTokenSecrets)", async () => {
            const r = await rehearse(mutate("pulumi stack output ciVariables --json", "pulumi stack output runnerTokenSecrets --json"));
            assert.match(
                whys(r),
                /\[8\] pulumi stack output runnerTokenSecrets --json -> current stack does not have output property 'runnerTokenSecrets'/,
            );
        });

        it("a role whoever runs the step cannot assume (the old recovery 'with the deploy role')", async () => {
            const r = await rehearse(
                mutate(
                    "```sh\npulumi stack export --stack dev",
                    "```sh\naws sts assume-role --role-arn arn:aws:iam::123456789012:role/cip-deployer-deploy-dev --role-session-name recovery\npulumi stack export --stack dev",
                ),
            );
            assert.match(
                whys(r),
                /\[recovery: A stack's state needs repair.*\] aws sts assume-role .* cannot assume arn:aws:iam::123456789012:role\/cip-deployer-deploy-dev/,
            );
        });

        it("a key the stack's creator cannot use (the old key policy: administrative actions only)", async () => {
            const withoutCreators = async (changes: Record<string, unknown>): Promise<Foundation> => {
                const planned = await cachedPlan(changes);
                return {
                    ...planned,
                    resources: planned.resources.map((r) => {
                        if (
                            r.type !== "aws:kms/key:Key" ||
                            typeof r.inputs.policy !== "string" ||
                            !r.inputs.policy.includes("StackCreatorsUseTheKey")
                        ) {
                            return r;
                        }
                        const policy = JSON.parse(r.inputs.policy) as { Statement: Array<{ Sid?: string }> };
                        policy.Statement = policy.Statement.filter((s) => s.Sid !== "StackCreatorsUseTheKey");
                        return { ...r, inputs: { ...r.inputs, policy: JSON.stringify(policy) } };
                    }),
                };
            };
            const r = await rehearse(GUIDE, withoutCreators);
            assert.match(
                whys(r),
                /\[4\] pulumi stack change-secrets-provider "\$SECRETS_PROVIDER" -> re-encrypt with the new provider: arn:aws:iam::123456789012:role\/offline-plan may not kms:Encrypt on arn:aws:kms:.*: the key or trust policy does not let IAM policies grant it/,
            );
        });

        it("a backend the platform's stack reference cannot reach (the foundation left in another backend)", async () => {
            const r = await rehearse(
                mutate(
                    'pulumi stack export --file account.checkpoint.json\npulumi stack rm account --yes --force --preserve-config\npulumi login "$STATE_URL"\npulumi stack init account --secrets-provider "$SECRETS_PROVIDER"\npulumi stack import --file account.checkpoint.json\npulumi preview --policy-pack ../policypack --policy-pack-config ../policy-config.json\nrm account.checkpoint.json\n',
                    'pulumi login "$STATE_URL"\n',
                ),
            );
            // The outputs the administrator copies into the CI settings are not in the bucket either.
            assert.match(whys(r), /\[8\] pulumi stack output ciVariables --json -> no stack selected/);
        });

        it("a stack reference to a stack that is not in the platform's backend", async () => {
            const r = await rehearse(
                mutate(
                    'pulumi stack init dev --secrets-provider "$SECRETS_PROVIDER"\n',
                    'pulumi stack init dev --secrets-provider "$SECRETS_PROVIDER"\npulumi config set foundationStack organization/ciplatform-foundation/elsewhere\n',
                ),
            );
            assert.match(
                whys(r),
                /job preview-dev -> its StackReference organization\/ciplatform-foundation\/elsewhere cannot be reached: no such stack in s3:\/\//,
            );
        });

        it("CI roles that may not read the foundation's checkpoint (the old state policies: the ciplatform project's objects only)", async () => {
            const withoutFoundationRead = async (changes: Record<string, unknown>): Promise<Foundation> => {
                const planned = await cachedPlan(changes);
                return {
                    ...planned,
                    resources: planned.resources.map((r) => {
                        if (
                            r.type !== "aws:iam/rolePolicy:RolePolicy" ||
                            typeof r.inputs.policy !== "string" ||
                            !r.inputs.policy.includes("FoundationOutputs")
                        ) {
                            return r;
                        }
                        const policy = JSON.parse(r.inputs.policy) as { Statement: Array<{ Sid?: string }> };
                        policy.Statement = policy.Statement.filter((st) => st.Sid !== "FoundationOutputs");
                        return { ...r, inputs: { ...r.inputs, policy: JSON.stringify(policy) } };
                    }),
                };
            };
            const r = await rehearse(GUIDE, withoutFoundationRead);
            assert.match(
                whys(r),
                /job preview-dev -> its StackReference organization\/ciplatform-foundation\/account cannot be read: .* may not s3:GetObject/,
            );
            assert.match(whys(r), /job up-prod -> its StackReference organization\/ciplatform-foundation\/account cannot be read/);
        });

        it("a stack created without the KMS secrets provider: CI would fall back to the passphrase provider", async () => {
            const r = await rehearse(
                mutate(
                    'pulumi stack init dev --secrets-provider "$SECRETS_PROVIDER"',
                    "pulumi stack init dev --secrets-provider passphrase",
                ),
            );
            assert.match(whys(r), /job preview-dev -> Pulumi\.dev\.yaml on bootstrap-stacks has no KMS secrets provider and data key/);
        });

        it("deploy branches left unprotected: the deploy jobs get no role (protected variables are withheld)", async () => {
            const r = await rehearse(mutate("<!-- rehearse: protect main main-staging main-prod -->", ""));
            assert.match(whys(r), /push pipeline of main -> no deploy job runs: dev deploys from main, and its pipeline creates none/);
            assert.match(whys(r), /push pipeline of main-prod -> no deploy job runs: prod deploys from main-prod/);
        });
    });

    it("npm run rehearse:bootstrap exits 0 on the guide as committed", () => {
        const run = spawnSync("npm", ["run", "--silent", "rehearse:bootstrap"], { cwd: ROOT, encoding: "utf8" });
        assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
        assert.match(run.stdout, /every step can be done as written/);
    });

    describe("parts", () => {
        it("knows the CLI surface: subcommands, flags, their values and arguments", () => {
            assert.deepEqual(parseCommand(["pulumi", "stack", "rm", "account", "--yes", "--force", "--preserve-config"]).flags, {
                "--yes": true,
                "--force": true,
                "--preserve-config": true,
            });
            assert.throws(() => parseCommand(["pulumi", "stack", "rename", "x"]), /no such command/);
            assert.throws(() => parseCommand(["aws", "sts", "get-caller-identity", "--role-arn", "x"]), /unknown flag --role-arn/);
            assert.throws(() => parseCommand(["pulumi", "stack", "change-secrets-provider"]), /takes 1-1 arguments/);
        });

        it("decides as IAM does: key policies must allow, :root delegates to IAM, explicit deny wins, conditions", () => {
            const key = {
                Statement: [
                    {
                        Effect: "Allow" as const,
                        Principal: { AWS: "arn:aws:iam::111122223333:root" },
                        Action: "kms:Decrypt",
                        Resource: "*",
                    },
                ],
            };
            const req = {
                principal: "arn:aws:iam::111122223333:role/r",
                action: "kms:Decrypt",
                resource: "arn:aws:kms:eu-west-1:111122223333:key/k",
            };
            assert.equal(decide(req, { identity: [], resource: key }).allowed, false);
            assert.equal(decide(req, { identity: "admin", resource: key }).allowed, true);
            assert.equal(decide({ ...req, action: "kms:Encrypt" }, { identity: "admin", resource: key }).allowed, false);
            const deny = { Statement: [{ Effect: "Deny" as const, Action: "kms:*", Resource: "*" }] };
            assert.equal(decide(req, { identity: [deny], resource: key }).allowed, false);
            const trust = {
                Statement: [
                    {
                        Effect: "Allow" as const,
                        Principal: { Federated: "arn:oidc" },
                        Action: "sts:AssumeRoleWithWebIdentity",
                        Condition: { StringLike: { "gitlab.com:sub": "project_path:g/p:ref_type:branch:ref:*" } },
                    },
                ],
            };
            const assume = {
                principal: "federated:arn:oidc",
                action: "sts:AssumeRoleWithWebIdentity",
                resource: "arn:aws:iam::111122223333:role/r",
            };
            assert.equal(
                decide(
                    { ...assume, context: { "gitlab.com:sub": "project_path:g/p:ref_type:branch:ref:x" } },
                    { identity: [], resource: trust },
                ).allowed,
                true,
            );
            assert.equal(
                decide(
                    { ...assume, context: { "gitlab.com:sub": "project_path:g/q:ref_type:branch:ref:x" } },
                    { identity: [], resource: trust },
                ).allowed,
                false,
            );
        });
    });
});
