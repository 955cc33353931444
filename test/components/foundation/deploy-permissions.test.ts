/**
 * The deploy roles' permissions (components/foundation/deploy-permissions.ts) built directly, per test, and simulated against
 * every call the provider-action map (components/foundation/provider-actions.ts) says the Pulumi AWS provider makes for the
 * platform's resources (test/helpers/environment-resources.ts: one of every type, as the platform's components declare them).
 * The planning suites of provider-actions.test.ts do the same against whole plans; these run without planning, so Stryker can
 * run them per mutant (docs/mutation-testing.md).
 */
import { strict as assert } from "node:assert";
import {
    assertWithinQuota,
    clusterServiceRoleName,
    deployPermissionStatements,
    deployPolicyDocuments,
    DeployScope,
    IamQuotaError,
    packStatements,
} from "../../../components/foundation/deploy-permissions";
import { karpenterInstanceProfileArns } from "../../../components/karpenter/policy";
import { supplyChainBoundaryArn, workloadBoundaryArn } from "../../../components/foundation/deployer-policies";
import { FOUNDATION_IAM_PATH, foundationRoleArn } from "../../../components/foundation/iam-namespace";
import {
    actionsFor,
    actionsOfPhase,
    AwsTypeActions,
    CallScope,
    ComponentTypeActions,
    deployTypeEntries,
    FOUNDATION_ONLY_TYPES,
    INVOKE_ACTIONS,
    physicalName,
    PlannedLike,
    PROVIDER_ACTIONS,
    roleArnOf,
    TypeActions,
} from "../../../components/foundation/provider-actions";
import { IAM_COUNTS, IAM_POLICY_SIZE, iamPolicySize } from "../../../policypack/lib/aws-quotas";
import { PolicyDocument, policyDocument, Statement } from "../../../components/shared/iam-documents";
import { serviceKeyPolicy } from "../../../components/shared/kms-policies";
import { workloadBoundaryDocument } from "../../../components/foundation/workload-boundary";
import { Decision, ProviderRequest, providerRequests, simulate, simulateProviderRequest } from "../../helpers/iam";
import { environmentScope, foundationResources, platformResources } from "../../helpers/environment-resources";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const TAG = "environment";
const deployPrincipal = (environment: string): string => `arn:aws:iam::${ACCOUNT}:role/cip-deployer-deploy-${environment}-0a1b2c3`;
const scopeOf = (environment: string): DeployScope => ({
    region: REGION,
    accountId: ACCOUNT,
    prefix: `cip-${environment}`,
    environment,
    environmentTagKey: TAG,
});
const deployDocuments = (environment: string, extra: Partial<DeployScope> = {}): PolicyDocument[] =>
    deployPolicyDocuments({ ...scopeOf(environment), ...extra });
const describeRequest = (q: ProviderRequest, decision: Decision): string =>
    `${q.phase} ${q.resource}: ${q.action} on ${q.arn} ${JSON.stringify(q.context)} -> ${decision}`;
/** The foundation's own resources, named to the deploy permissions so its guard denies them by ARN. */
const FOUNDATION = {
    stateBucketArn: "arn:aws:s3:::cip-deployer-state-0a1b2c3",
    keyArns: [`arn:aws:kms:${REGION}:${ACCOUNT}:key/state`],
    ciOidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com`,
};
const ALLOW_ALL: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

/** Calls with the environment's tag as a request tag: a create or a tagging call, scoped by the tag it sets. */
const setsEnvironmentTag = (q: ProviderRequest): boolean => q.context[`aws:RequestTag/${TAG}`] !== undefined;

/**
 * Finding (reported with issue 27, not a behaviour to keep): the cluster's OIDC provider carries no name or tag of the
 * environment (pulumi-eks creates it untagged, its ARN is the issuer's random id), so ClusterOidcProvider grants every
 * environment's deploy role every EKS OIDC provider of the region. Listed here so the check below holds for everything else.
 */
const OIDC_PROVIDER_FINDING = /^aws:iam\/openIdConnectProvider:OpenIdConnectProvider /;

describe("deploy permissions against the provider's calls (components/foundation/deploy-permissions.ts, provider-actions.ts)", () => {
    it("the fixture has a resource of every type a deploy role creates, and of every foundation-only type", () => {
        const dev = environmentScope("dev", ACCOUNT, REGION);
        const expanded = (resources: PlannedLike[]) =>
            new Set(
                resources.flatMap((r) => {
                    const entry = actionsFor(r.type);
                    return entry?.kind === "component" ? [r.type, ...entry.children(r, dev).map((c) => c.type)] : [r.type];
                }),
            );
        const platform = expanded(platformResources(dev));
        assert.deepEqual(
            deployTypeEntries()
                .map(([t]) => t)
                .filter((t) => !platform.has(t)),
            [],
        );
        const foundation = expanded(foundationResources(dev));
        assert.deepEqual(
            [...FOUNDATION_ONLY_TYPES].filter((t) => !foundation.has(t)),
            [],
        );
    });

    for (const environment of ["dev", "prod"]) {
        it(`${environment}'s deploy role may make every call of every resource of ${environment} (create, read, update, tag, delete)`, async () => {
            const s = environmentScope(environment, ACCOUNT, REGION);
            const documents = deployDocuments(environment);
            const requests = providerRequests(platformResources(s), s, TAG);
            const failures: string[] = [];
            for (const q of requests) {
                const decision = await simulateProviderRequest(documents, deployPrincipal(environment), q, s);
                if (decision !== "Allowed") {
                    failures.push(describeRequest(q, decision));
                }
            }
            assert.ok(requests.length > 300, `only ${requests.length} calls`);
            assert.deepEqual(failures, []);
        });
    }

    it("dev's deploy role may make no call on prod's resources but the reads IAM cannot scope (Resource *)", async () => {
        const prod = environmentScope("prod", ACCOUNT, REGION);
        const documents = deployDocuments("dev");
        const invokes = new Set(INVOKE_ACTIONS.map((i) => i.token));
        const requests = providerRequests(platformResources(prod), prod, TAG).filter(
            (q) => !invokes.has(q.resource) && !OIDC_PROVIDER_FINDING.test(q.resource),
        );
        const leaks: string[] = [];
        for (const q of requests) {
            const decision = await simulateProviderRequest(documents, deployPrincipal("dev"), q, prod);
            const unscopableRead = q.arn === "*" && !setsEnvironmentTag(q);
            if ((decision === "Allowed") !== unscopableRead) {
                leaks.push(describeRequest(q, decision));
            }
        }
        assert.ok(requests.length > 300, `only ${requests.length} calls`);
        assert.deepEqual(leaks, []);
    });

    it("every call of the foundation's own types is one IAM can authorize (its ARN is of a resource type the action takes)", async () => {
        // The simulator refuses a request whose resource matches none of the action's resource types (Service Authorization Reference).
        const s = environmentScope("dev", ACCOUNT, REGION);
        const requests = providerRequests(foundationResources(s), s, TAG);
        const invalid: string[] = [];
        for (const q of requests) {
            await simulate({
                identityPolicies: [ALLOW_ALL],
                principal: deployPrincipal("dev"),
                action: q.action,
                resource: q.arn,
                context: q.context,
            }).catch((e: unknown) => invalid.push(`${q.resource}: ${q.action} on ${q.arn}: ${String(e)}`));
        }
        assert.ok(requests.length > 80, `only ${requests.length} calls`);
        assert.deepEqual(invalid, []);
    });

    it("names every statement, once (the quota errors and reviewers name statements by Sid)", () => {
        const sids = deployPermissionStatements({ ...scopeOf("dev"), foundation: FOUNDATION }).map((st) => st.Sid ?? "");
        assert.ok(
            sids.every((sid) => /^[A-Za-z0-9]+$/.test(sid)),
            JSON.stringify(sids),
        );
        assert.equal(new Set(sids).size, sids.length, JSON.stringify(sids));
    });

    it("packs within IAM's quotas: each document within a managed policy's 6,144 characters, no more than a role takes", () => {
        const documents = deployDocuments("staging", { foundation: FOUNDATION });
        assert.ok(documents.length > 1 && documents.length <= IAM_COUNTS.managedPoliciesPerRole, String(documents.length));
        for (const document of documents) {
            assert.ok((iamPolicySize(document) ?? Infinity) <= IAM_POLICY_SIZE.managedPolicy);
        }
        assert.deepEqual(
            documents.flatMap((d) => d.Statement),
            deployPermissionStatements({ ...scopeOf("staging"), foundation: FOUNDATION }),
            "every statement, in order, in exactly one document",
        );
    });

    it("names the document, its size, the quota and the way out when a document is over its quota", () => {
        const document: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
        const size = iamPolicySize(document) ?? 0;
        assert.equal(assertWithinQuota("the test document", document, size), size);
        assert.throws(
            () => assertWithinQuota("the test document", document, size - 1),
            (e: unknown) =>
                e instanceof IamQuotaError &&
                e.message.startsWith(
                    `the test document is ${size} characters as IAM counts them (JSON without white space); the quota is ${size - 1} (`,
                ) &&
                e.message.endsWith("Shorten namePrefix or the environment tag key, or split the document"),
        );
    });

    it("creates roles with either of the environment's boundaries (or the one it is given), users with the workload boundary only", async () => {
        const role = `arn:aws:iam::${ACCOUNT}:role/cip-dev-x`;
        const user = `arn:aws:iam::${ACCOUNT}:user/ciplatform/cip-dev-x`;
        const can = (documents: PolicyDocument[], action: string, resource: string, boundary: string) =>
            simulate({
                identityPolicies: documents,
                principal: deployPrincipal("dev"),
                action,
                resource,
                context: { "iam:PermissionsBoundary": boundary },
            });
        const workload = workloadBoundaryArn(ACCOUNT, "cip-dev");
        const supply = supplyChainBoundaryArn(ACCOUNT, "cip-dev");
        assert.equal(await can(deployDocuments("dev"), "iam:CreateRole", role, workload), "Allowed");
        assert.equal(await can(deployDocuments("dev"), "iam:CreateRole", role, supply), "Allowed");
        assert.equal(await can(deployDocuments("dev"), "iam:CreateUser", user, workload), "Allowed");
        assert.notEqual(await can(deployDocuments("dev"), "iam:CreateUser", user, supply), "Allowed");
        assert.notEqual(await can(deployDocuments("dev"), "iam:CreateRole", role, workloadBoundaryArn(ACCOUNT, "cip-prod")), "Allowed");
        const given = `arn:aws:iam::${ACCOUNT}:policy/ciplatform/cip-dev-custom-boundary`;
        const custom = deployDocuments("dev", { workloadBoundaryArn: given });
        assert.equal(await can(custom, "iam:CreateRole", role, given), "Allowed");
        assert.equal(await can(custom, "iam:CreateUser", user, given), "Allowed");
        assert.notEqual(await can(custom, "iam:CreateRole", role, workload), "Allowed");
    });

    it("reads the foundation's EKS cluster service role and passes it to EKS only; never changes it", async () => {
        const clusterRole = foundationRoleArn(ACCOUNT, clusterServiceRoleName("cip-dev"));
        assert.equal(clusterRole, `arn:aws:iam::${ACCOUNT}:role${FOUNDATION_IAM_PATH}cip-dev-eks-cluster`);
        const can = (action: string, context: Record<string, string> = {}) =>
            simulate({
                identityPolicies: deployDocuments("dev"),
                principal: deployPrincipal("dev"),
                action,
                resource: clusterRole,
                context,
            });
        for (const action of ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"]) {
            assert.equal(await can(action), "Allowed", action);
        }
        assert.equal(await can("iam:PassRole", { "iam:PassedToService": "eks.amazonaws.com" }), "Allowed");
        assert.notEqual(await can("iam:PassRole", { "iam:PassedToService": "ec2.amazonaws.com" }), "Allowed");
        for (const action of ["iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:DeleteRole", "iam:TagRole"]) {
            assert.notEqual(await can(action), "Allowed", action);
        }
    });

    it("creates only the service-linked roles the map's types need (iam:AWSServiceName)", async () => {
        const can = (service: string) =>
            simulate({
                identityPolicies: deployDocuments("dev"),
                principal: deployPrincipal("dev"),
                action: "iam:CreateServiceLinkedRole",
                resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/${service}/AWSServiceRoleFor${service.split(".")[0]}`,
                context: { "iam:AWSServiceName": service },
            });
        const needed = deployTypeEntries().flatMap(([, e]) => e.serviceLinkedRoles ?? []);
        assert.ok(needed.length >= 3, JSON.stringify(needed));
        for (const service of needed) {
            assert.equal(await can(service), "Allowed", service);
        }
        assert.notEqual(await can("elasticloadbalancing.amazonaws.com"), "Allowed");
    });

    describe("the map's next entry", () => {
        // A type added to the map for a test only, removed after it: the checks a maintainer meets when the platform grows.
        const withEntry = <T>(type: string, entry: TypeActions, run: () => T): T => {
            const map = PROVIDER_ACTIONS as Record<string, TypeActions>;
            map[type] = entry;
            try {
                return run();
            } finally {
                delete map[type];
            }
        };
        const entry = (calls: AwsTypeActions["calls"]): AwsTypeActions => ({
            kind: "aws",
            arn: (r, s) => `arn:aws:lambda:${s.region}:${s.accountId}:function:${physicalName(r)}`,
            taggable: true,
            calls,
            source: ["test"],
        });
        const empty = { create: [], read: [], update: [], tag: [], delete: [] };

        it("a call of a service no deploy scope covers fails the build, naming the action, the type and where to scope it", () => {
            assert.throws(
                () =>
                    withEntry("aws:lambda/function:Function", entry({ ...empty, update: ["lambda:UpdateFunctionCode"] }), () =>
                        deployPermissionStatements(scopeOf("dev")),
                    ),
                (e: unknown) =>
                    e instanceof Error &&
                    e.message ===
                        "deploy-permissions: lambda:UpdateFunctionCode (update of aws:lambda/function:Function in components/foundation/provider-actions.ts) has no deploy scope; " +
                            "say where an environment's lambda resources are in components/foundation/deploy-permissions.ts",
            );
        });

        it("a class of calls no statement grants fails the build, naming the class", () => {
            // KMS through a service the deploy permissions grant no key use for.
            const viaLambda = {
                action: "kms:Decrypt",
                on: (_r: PlannedLike, s: CallScope) => ({ arn: `arn:aws:kms:${s.region}:${s.accountId}:key/x`, tags: "related" as const }),
                context: (_r: PlannedLike, s: CallScope) => ({ "kms:ViaService": `lambda.${s.region}.amazonaws.com` }),
            };
            assert.throws(
                () =>
                    withEntry("aws:kms/ciphertext:Ciphertext", entry({ ...empty, read: [viaLambda] }), () =>
                        deployPermissionStatements(scopeOf("dev")),
                    ),
                /^Error: deploy-permissions: no statement grants the calls of class kms:via:lambda; scope them in deployPermissionStatements$/,
            );
        });

        it("a foundation-only or non-AWS type adds nothing to the deploy roles", () => {
            const before = JSON.stringify(deployPermissionStatements(scopeOf("dev")));
            const kubernetes: TypeActions = { kind: "kubernetes", note: "test" };
            assert.equal(
                withEntry("kubernetes:test/v1:Thing", kubernetes, () => JSON.stringify(deployPermissionStatements(scopeOf("dev")))),
                before,
            );
        });
    });

    describe("escalation", () => {
        // Built per call: a document built while mocha loads the file would hide a mutant switched on per test.
        const documents = () =>
            deployPolicyDocuments({
                region: REGION,
                accountId: ACCOUNT,
                prefix: "cip-dev",
                environment: "dev",
                environmentTagKey: TAG,
                foundation: FOUNDATION,
            });
        const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
        const can = (action: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy?: PolicyDocument) =>
            simulate({ identityPolicies: documents(), resourcePolicy, principal: deployPrincipal("dev"), action, resource, context });
        const denied = (d: Decision) => assert.notEqual(d, "Allowed");
        const boundary = { "iam:PermissionsBoundary": workloadBoundaryArn(ACCOUNT, "cip-dev") };

        it("attaches no managed or customer policy outside the allow-list", async () => {
            denied(
                await can("iam:AttachRolePolicy", role("cip-dev-x"), { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" }),
            );
            denied(await can("iam:AttachRolePolicy", role("cip-dev-x"), { "iam:PolicyARN": `arn:aws:iam::${ACCOUNT}:policy/anything` }));
            assert.equal(
                await can("iam:AttachRolePolicy", role("cip-dev-x"), {
                    "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                }),
                "Allowed",
            );
        });

        it("authors no managed policy, and a '*' inline policy on a created role is capped by the boundary", async () => {
            for (const action of ["iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"]) {
                assert.equal(await can(action, `arn:aws:iam::${ACCOUNT}:policy/cip-dev-admin`), "ExplicitlyDenied", action);
            }
            const star = { Version: "2012-10-17" as const, Statement: [{ Effect: "Allow" as const, Action: "*", Resource: "*" }] };
            const workload = workloadBoundaryDocument({ accountId: ACCOUNT, region: REGION, prefix: "cip-dev" });
            const asWorkload = async (action: string, resource: string) => {
                const [identity, capped] = await Promise.all([
                    simulate({ identityPolicies: [star], principal: role("cip-dev-x"), action, resource }),
                    simulate({ identityPolicies: [workload], principal: role("cip-dev-x"), action, resource }),
                ]);
                return identity === "Allowed" && capped === "Allowed" ? "Allowed" : "Denied";
            };
            assert.equal(await asWorkload("iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/intruder`), "Denied");
            assert.equal(await asWorkload("iam:AttachRolePolicy", role("cip-dev-x")), "Denied");
            assert.equal(await asWorkload("s3:GetObject", "arn:aws:s3:::cip-prod-storage-dr/x"), "Denied");
            assert.equal(await asWorkload("s3:GetObject", "arn:aws:s3:::cip-dev-storage-dr/x"), "Allowed");
        });

        it("creates roles and users only with the workload boundary, and never removes it", async () => {
            denied(await can("iam:CreateRole", role("cip-dev-x")));
            denied(
                await can("iam:CreateRole", role("cip-dev-x"), {
                    "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess",
                }),
            );
            assert.equal(await can("iam:CreateRole", role("cip-dev-x"), boundary), "Allowed");
            denied(await can("iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/ciplatform/cip-dev-x`));
            denied(await can("iam:DeleteRolePermissionsBoundary", role("cip-dev-x")));
            denied(
                await can("iam:PutRolePermissionsBoundary", role("cip-dev-x"), {
                    "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/other`,
                }),
            );
        });

        it("passes only the environment's roles", async () => {
            denied(await can("iam:PassRole", role("cip-prod-cluster-system-node-1"), { "iam:PassedToService": "ec2.amazonaws.com" }));
            denied(await can("iam:PassRole", role("cip-deployer-deploy-prod-1"), { "iam:PassedToService": "eks.amazonaws.com" }));
        });

        it("never moves the environment tag to or from another environment", async () => {
            const vpc = `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/vpc-prod`;
            assert.equal(
                await can("ec2:CreateTags", vpc, {
                    "aws:ResourceTag/environment": "prod",
                    "aws:RequestTag/environment": "dev",
                    "aws:TagKeys": ["environment"],
                }),
                "ExplicitlyDenied",
            );
            assert.equal(
                await can("ec2:CreateTags", `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/*`, {
                    "ec2:CreateAction": "CreateLaunchTemplate",
                    "aws:RequestTag/environment": "prod",
                    "aws:TagKeys": ["environment"],
                }),
                "ExplicitlyDenied",
            );
            assert.equal(
                await can("ec2:CreateLaunchTemplate", `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/*`, {
                    "aws:RequestTag/environment": "prod",
                    "aws:TagKeys": ["environment"],
                }),
                "ExplicitlyDenied",
            );
            // Networks are the foundation's: no deploy role creates a VPC, whatever its tags.
            denied(
                await can("ec2:CreateVpc", `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/*`, {
                    "aws:RequestTag/environment": "dev",
                    "aws:TagKeys": ["environment"],
                }),
            );
            assert.equal(
                await can("kms:CreateKey", "*", { "aws:RequestTag/environment": "prod", "aws:TagKeys": ["environment"] }),
                "ExplicitlyDenied",
            );
            const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/prod-key`;
            const keyPolicy = serviceKeyPolicy(ACCOUNT, REGION, "s3");
            assert.equal(
                await can(
                    "kms:TagResource",
                    key,
                    { "aws:ResourceTag/environment": "prod", "aws:RequestTag/environment": "dev", "aws:TagKeys": ["environment"] },
                    keyPolicy,
                ),
                "ExplicitlyDenied",
            );
            assert.equal(
                await can(
                    "kms:UntagResource",
                    `arn:aws:kms:${REGION}:${ACCOUNT}:key/dev-key`,
                    { "aws:ResourceTag/environment": "dev", "aws:TagKeys": ["environment"] },
                    keyPolicy,
                ),
                "ExplicitlyDenied",
            );
            assert.equal(
                await can("iam:TagRole", role("cip-dev-x"), {
                    "aws:ResourceTag/environment": "dev",
                    "aws:RequestTag/environment": "prod",
                    "aws:TagKeys": ["environment"],
                }),
                "ExplicitlyDenied",
            );
        });

        it("never changes the policy of, or deletes, another environment's keys", async () => {
            const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/prod-key`;
            const keyPolicy = serviceKeyPolicy(ACCOUNT, REGION, "s3");
            for (const action of ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:CreateGrant"]) {
                assert.equal(await can(action, key, { "aws:ResourceTag/environment": "prod" }, keyPolicy), "ExplicitlyDenied", action);
                denied(await can(action, key, {}, keyPolicy));
            }
        });

        it("never touches the foundation's roles, OIDC provider, state bucket or keys", async () => {
            for (const [action, resource, context] of [
                ["iam:PutRolePolicy", role("cip-deployer-deploy-dev-0a1b2c3"), {}],
                ["iam:UpdateAssumeRolePolicy", role("cip-deployer-preview-0a1b2c3"), {}],
                ["iam:DeleteOpenIDConnectProvider", `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com`, {}],
                ["s3:PutBucketPolicy", "arn:aws:s3:::cip-deployer-state-0a1b2c3", {}],
                ["s3:DeleteBucket", "arn:aws:s3:::cip-deployer-state-0a1b2c3", {}],
                ["kms:ScheduleKeyDeletion", `arn:aws:kms:${REGION}:${ACCOUNT}:key/state`, { "aws:ResourceTag/environment": "dev" }],
                ["kms:PutKeyPolicy", `arn:aws:kms:${REGION}:${ACCOUNT}:key/state`, { "aws:ResourceTag/environment": "dev" }],
                ["iam:CreatePolicyVersion", `arn:aws:iam::${ACCOUNT}:policy/ciplatform/cip-dev-workload-boundary`, {}],
            ] as const) {
                denied(
                    await can(action, resource, context, action.startsWith("kms:") ? serviceKeyPolicy(ACCOUNT, REGION, "s3") : undefined),
                );
            }
        });

        it("denies writes to the foundation's IAM entities (under its path) explicitly, whatever else the role is allowed", async () => {
            // The foundation's roles and policies live under FOUNDATION_IAM_PATH (components/foundation/deployer.ts), where no
            // allow of a deploy role reaches today: with an allow-all beside, only the guard's explicit deny keeps them out.
            const foundationIam = [
                ["iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role${FOUNDATION_IAM_PATH}cip-deployer-deploy-dev-0a1b2c3`],
                ["iam:UpdateAssumeRolePolicy", foundationRoleArn(ACCOUNT, clusterServiceRoleName("cip-dev"))],
                ["iam:DeletePolicy", `arn:aws:iam::${ACCOUNT}:policy${FOUNDATION_IAM_PATH}cip-deployer-deploy-dev-1`],
                ["iam:CreatePolicyVersion", `arn:aws:iam::${ACCOUNT}:policy/ciplatform/cip-dev-workload-boundary`],
                ["iam:RemoveRoleFromInstanceProfile", `arn:aws:iam::${ACCOUNT}:instance-profile${FOUNDATION_IAM_PATH}x`],
                ["iam:DeleteOpenIDConnectProvider", FOUNDATION.ciOidcProviderArn],
                ["s3:PutBucketPolicy", FOUNDATION.stateBucketArn],
            ] as const;
            for (const [action, resource] of foundationIam) {
                const decision = await simulate({
                    identityPolicies: [...documents(), ALLOW_ALL],
                    principal: deployPrincipal("dev"),
                    action,
                    resource,
                });
                assert.equal(decision, "ExplicitlyDenied", `${action} on ${resource}`);
            }
        });
    });
    describe("the map's lookups (provider-actions.ts)", () => {
        const dev = environmentScope("dev", ACCOUNT, REGION);

        it("knows Kubernetes objects and the platform's components as making no AWS call; nothing else unlisted", () => {
            assert.equal(actionsFor("kubernetes:apps/v1:Deployment")?.kind, "kubernetes");
            assert.equal(actionsFor("ciplatform:cluster:Cluster")?.kind, "local");
            assert.equal(actionsFor("aws:lambda/function:Function"), undefined);
            assert.equal(actionsFor("aws:s3/bucket:Bucket"), PROVIDER_ACTIONS["aws:s3/bucket:Bucket"]);
        });

        it("lists each phase's actions once, sorted; reads include the program's invokes", () => {
            const reads = actionsOfPhase("read");
            assert.deepEqual(reads, [...new Set(reads)].sort());
            for (const action of ["sts:GetCallerIdentity", "ssm:GetParameter", "s3:GetBucketPolicy", "eks:DescribeCluster"]) {
                assert.ok(reads.includes(action), action);
            }
            const deletes = actionsOfPhase("delete");
            assert.ok(deletes.includes("eks:DeleteCluster") && !deletes.includes("ssm:GetParameter"));
        });

        it("names a resource by its explicit name, else as the provider auto-names it; a role by ARN or name", () => {
            assert.equal(physicalName({ type: "t", name: "cip-dev-x", inputs: { name: "given" } }), "given");
            assert.equal(physicalName({ type: "t", name: "cip-dev-x", inputs: { bucket: "b" } }, "bucket"), "b");
            assert.equal(physicalName({ type: "t", name: "cip-dev-x", inputs: {} }), "cip-dev-x-0a1b2c3");
            assert.equal(roleArnOf("arn:aws:iam::111111111111:role/x", dev), "arn:aws:iam::111111111111:role/x");
            assert.equal(roleArnOf("cip-dev-x", dev), `arn:aws:iam::${ACCOUNT}:role/cip-dev-x`);
        });

        it("expands pulumi-eks' cluster into the children it creates for the inputs given (pulumi-eks v4.3.0 cluster.ts createCore)", () => {
            const children = (inputs: Record<string, unknown>) =>
                (actionsFor("eks:index:Cluster") as ComponentTypeActions).children({ type: "eks:index:Cluster", name: "c", inputs }, dev);
            const bare = children({ vpcId: "vpc-1" });
            assert.deepEqual(
                bare.map((c) => c.type),
                [
                    "aws:iam/role:Role",
                    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                    "aws:ec2/securityGroup:SecurityGroup",
                    "aws:eks/cluster:Cluster",
                ],
            );
            // Its own service role, attached to the cluster policy and passed to the cluster; the environment's tags when none given.
            assert.deepEqual(bare[0].inputs.tags, dev.environmentTags);
            assert.equal(bare[1].inputs.role, "c-eksRole-0a1b2c3");
            assert.equal(bare[1].inputs.policyArn, "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy");
            assert.equal(bare[2].inputs.vpcId, "vpc-1");
            assert.equal(bare[3].inputs.roleArn, `arn:aws:iam::${ACCOUNT}:role/c-eksRole-0a1b2c3`);
            // The platform's inputs: the foundation's service role (an ARN, or in a plan the URN of the read role), no security groups, an OIDC provider.
            const given = children({
                serviceRole: "arn:aws:iam::111111111111:role/r",
                skipDefaultSecurityGroups: true,
                createOidcProvider: true,
                tags: { a: "b" },
            });
            assert.deepEqual(
                given.map((c) => c.type),
                ["aws:eks/cluster:Cluster", "aws:iam/openIdConnectProvider:OpenIdConnectProvider"],
            );
            assert.equal(given[0].inputs.roleArn, "arn:aws:iam::111111111111:role/r");
            assert.deepEqual(given[0].inputs.tags, { a: "b" });
            const read = children({
                serviceRole: "urn:pulumi:dev::ciplatform::aws:iam/role:Role::cip-dev-eks-cluster",
                clusterSecurityGroup: "sg-1",
            });
            assert.equal(read.length, 1);
            assert.equal(read[0].inputs.roleArn, `arn:aws:iam::${ACCOUNT}:role${FOUNDATION_IAM_PATH}cip-dev-eks-cluster`);
        });

        it("makes the conditional calls only when they apply: tagging with tags, PassRole with a role to pass", () => {
            const actions = (r: PlannedLike) => providerRequests([r], dev, TAG).map((q) => `${q.phase} ${q.action}`);
            assert.ok(!actions({ type: "aws:iam/role:Role", name: "cip-dev-x", inputs: {} }).includes("create iam:TagRole"));
            assert.ok(
                actions({ type: "aws:iam/role:Role", name: "cip-dev-x", inputs: { tags: { a: "b" } } }).includes("create iam:TagRole"),
            );
            const addon = (inputs: Record<string, unknown>) =>
                actions({ type: "aws:eks/addon:Addon", name: "a", inputs: { clusterName: "cip-dev", ...inputs } });
            assert.ok(!addon({}).includes("create iam:PassRole"));
            assert.ok(addon({ serviceAccountRoleArn: `arn:aws:iam::${ACCOUNT}:role/cip-dev-x` }).includes("create iam:PassRole"));
            const rule = (inputs: Record<string, unknown>) =>
                providerRequests([{ type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "r", inputs }], dev, TAG)
                    .filter((q) => q.phase === "create")
                    .map((q) => q.action);
            assert.deepEqual(rule({ securityGroupId: "sg-1" }), ["ec2:AuthorizeSecurityGroupIngress", "ec2:DescribeSecurityGroupRules"]);
            assert.equal(rule({ securityGroupId: "sg-1", tags: { a: "b" } }).length, 4);
        });

        it("authorizes each call on the resource it acts on, with the context the service adds", () => {
            const find = (r: PlannedLike, phase: string, action: string) =>
                providerRequests([r], dev, TAG).filter((q) => q.phase === phase && q.action === action);
            // The ECR repository's key grant goes to its KMS key, through ECR (Amazon ECR user guide, encryption at rest).
            const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/k`;
            const repo: PlannedLike = {
                type: "aws:ecr/repository:Repository",
                name: "r",
                inputs: { name: "cip-dev/apps", encryptionConfigurations: [{ kmsKey: key }] },
            };
            const [grant] = find(repo, "create", "kms:CreateGrant");
            assert.equal(grant.arn, key);
            assert.equal(grant.context["kms:ViaService"], `ecr.${REGION}.amazonaws.com`);
            assert.equal(grant.context["kms:CallerAccount"], ACCOUNT);
            assert.equal(
                find({ ...repo, inputs: { name: "cip-dev/apps", encryptionConfigurations: [] } }, "create", "kms:CreateGrant")[0].arn,
                `arn:aws:kms:${REGION}:${ACCOUNT}:key/0000`,
            );
            // A signing profile: named, or its prefix and Signer's suffix.
            const profile = (inputs: Record<string, unknown>) =>
                find({ type: "aws:signer/signingProfile:SigningProfile", name: "p", inputs }, "read", "signer:GetSigningProfile")[0].arn;
            assert.equal(profile({ name: "cip_dev_x" }), `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/cip_dev_x`);
            assert.equal(profile({ namePrefix: "cip_dev_" }), `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/cip_dev_0A1B2C3D4E`);
            // The cluster security group's rules: authorized on the group EKS tagged with the cluster's name.
            const [ingress] = find(
                { type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name: "r", inputs: { securityGroupId: "sg-9" } },
                "create",
                "ec2:AuthorizeSecurityGroupIngress",
            );
            assert.equal(ingress.arn, `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-9`);
            assert.equal(ingress.context["aws:ResourceTag/aws:eks:cluster-name"], "cip-dev");
            // A secret value: encrypted with the secret's key through Secrets Manager.
            const [encrypt] = find(
                { type: "aws:secretsmanager/secretVersion:SecretVersion", name: "v", inputs: { secretId: "s", kmsKeyId: "k1" } },
                "create",
                "kms:GenerateDataKey",
            );
            assert.equal(encrypt.arn, `arn:aws:kms:${REGION}:${ACCOUNT}:key/k1`);
            assert.equal(encrypt.viaService, "secretsmanager");
            // A role's path is part of its ARN; deleting a role detaches it from Karpenter's profiles under their path.
            const role: PlannedLike = { type: "aws:iam/role:Role", name: "cip-dev-x", inputs: { path: "/p/" } };
            assert.equal(find(role, "read", "iam:GetRole")[0].arn, `arn:aws:iam::${ACCOUNT}:role/p/cip-dev-x-0a1b2c3`);
            assert.match(
                find(role, "delete", "iam:RemoveRoleFromInstanceProfile")[0].arn,
                /:instance-profile\/karpenter\/eu-west-1\/cip-dev\/[^/]+\/cip-dev_\d+$/,
            );
        });
    });
    describe("at the edges of each scope", () => {
        const can = (action: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy?: PolicyDocument) =>
            simulate({
                identityPolicies: deployDocuments("dev"),
                resourcePolicy,
                principal: deployPrincipal("dev"),
                action,
                resource,
                context,
            });
        const tagged = (environment: string, extra: Record<string, string> = {}) => {
            const tags = { [TAG]: environment, ...extra };
            return {
                ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
                "aws:TagKeys": Object.keys(tags),
            };
        };

        it("creates what IAM cannot scope by resource only with the environment's tag: none untagged, none with another tag", async () => {
            const keyPolicy = serviceKeyPolicy(ACCOUNT, REGION, "s3");
            for (const [action, resource, resourcePolicy] of [
                ["kms:CreateKey", "*", undefined],
                ["eks:CreateCluster", "*", undefined],
                ["acm-pca:CreateCertificateAuthority", "*", undefined],
                ["signer:PutSigningProfile", "*", undefined],
                ["ec2:CreateLaunchTemplate", `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/*`, undefined],
                ["kms:TagResource", `arn:aws:kms:${REGION}:${ACCOUNT}:key/new`, keyPolicy],
            ] as const) {
                assert.equal(await can(action, resource, tagged("dev"), resourcePolicy), "Allowed", action);
                assert.notEqual(await can(action, resource, {}, resourcePolicy), "Allowed", `${action} untagged`);
                assert.notEqual(
                    await can(action, resource, { "aws:RequestTag/owner": "x", "aws:TagKeys": ["owner"] }, resourcePolicy),
                    "Allowed",
                    `${action} tagged without the environment`,
                );
            }
            // Tagging on create: only for the create it belongs to, only with the environment's tag.
            const template = `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/*`;
            assert.equal(
                await can("ec2:CreateTags", template, { ...tagged("dev"), "ec2:CreateAction": "CreateLaunchTemplate" }),
                "Allowed",
            );
            assert.notEqual(await can("ec2:CreateTags", template, { "ec2:CreateAction": "CreateLaunchTemplate" }), "Allowed");
            assert.notEqual(
                await can("ec2:CreateTags", `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/*`, {
                    ...tagged("dev"),
                    "ec2:CreateAction": "RunInstances",
                }),
                "Allowed",
            );
        });

        it("requests private certificates of this account's CAs only, never public ones (ACM user guide, RequestCertificate)", async () => {
            const ca = `arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/0f1e2d3c`;
            assert.equal(await can("acm:RequestCertificate", "*", { ...tagged("dev"), "acm:CertificateAuthority": ca }), "Allowed");
            assert.notEqual(await can("acm:RequestCertificate", "*", tagged("dev")), "Allowed", "a public certificate");
            assert.notEqual(
                await can("acm:RequestCertificate", "*", {
                    ...tagged("dev"),
                    "acm:CertificateAuthority": ca.replace(ACCOUNT, "210987654321"),
                }),
                "Allowed",
                "another account's CA",
            );
            assert.notEqual(await can("acm:RequestCertificate", "*", { "acm:CertificateAuthority": ca }), "Allowed", "untagged");
        });

        it("reads AWS's public SSM parameters (the storage node AMI), no parameter of the account's own", async () => {
            // The account-less form AWS also uses (arn:aws:ssm:<region>::parameter/aws/service/...) is granted too; the simulator
            // refuses an ARN without the account, so only this form is checked here.
            const parameter = "parameter/aws/service/canonical/ubuntu/eks/24.04/1.33/stable/current/arm64/hvm/ebs-gp3/ami-id";
            assert.equal(await can("ssm:GetParameter", `arn:aws:ssm:${REGION}:${ACCOUNT}:${parameter}`), "Allowed");
            assert.notEqual(await can("ssm:GetParameter", `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/cip-prod/secret`), "Allowed");
        });

        it("names the environment's queues, users and Karpenter's profiles by the prefix alone or the prefix and a suffix", async () => {
            const sqs = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
            for (const name of ["cip-dev", "cip-dev-events"]) {
                assert.equal(await can("sqs:GetQueueAttributes", sqs(name)), "Allowed", name);
            }
            for (const name of ["cip-prod", "cip-prod-events", "cip-devx"]) {
                assert.notEqual(await can("sqs:GetQueueAttributes", sqs(name)), "Allowed", name);
            }
            const user = (path: string) => `arn:aws:iam::${ACCOUNT}:user${path}`;
            for (const path of ["/cip-dev-backup", "/ciplatform/cip-dev-backup"]) {
                assert.equal(await can("iam:GetUser", user(path)), "Allowed", path);
                assert.equal(
                    await can("iam:CreateUser", user(path), { "iam:PermissionsBoundary": workloadBoundaryArn(ACCOUNT, "cip-dev") }),
                    "Allowed",
                    path,
                );
            }
            for (const path of ["/cip-prod-backup", "/ciplatform/cip-prod-backup", "/admin"]) {
                assert.notEqual(await can("iam:GetUser", user(path)), "Allowed", path);
            }
            // Karpenter's profiles of the environment's cluster, and of a cluster named with the prefix and a suffix (a blue/green cluster).
            for (const cluster of ["cip-dev", "cip-dev-blue"]) {
                const profile = karpenterInstanceProfileArns(ACCOUNT, REGION, cluster).replace(/\*$/, "0f1e2d3c/x_1");
                assert.equal(await can("iam:RemoveRoleFromInstanceProfile", profile), "Allowed", cluster);
            }
            const prodProfile = karpenterInstanceProfileArns(ACCOUNT, REGION, "cip-prod").replace(/\*$/, "0f1e2d3c/x_1");
            assert.notEqual(await can("iam:RemoveRoleFromInstanceProfile", prodProfile), "Allowed");
        });

        it("packs a statement exactly at the quota, and exactly as many documents as a role takes", () => {
            const statement = (sid: string, actions: number): Statement => ({
                Sid: sid,
                Effect: "Allow",
                Action: Array.from({ length: actions }, (_, i) => `ec2:DescribeThing${String(i).padStart(4, "0")}`),
                Resource: "*",
            });
            const one = statement("One", 50);
            const size = iamPolicySize(policyDocument(one)) ?? 0;
            assert.deepEqual(packStatements("exact", [one], size), [[0]]);
            const statements = Array.from({ length: 4 }, (_, i) => statement(`S${i}`, 50));
            assert.deepEqual(packStatements("one each", statements, size, 4), [[0], [1], [2], [3]]);
            assert.throws(() => packStatements("one each", statements, size, 3), IamQuotaError);
        });
    });
});
