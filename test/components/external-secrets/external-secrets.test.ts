import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ExternalSecrets, validateSecretRequest } from "../../../components/external-secrets/external-secrets";
import {
    controllerPermissions,
    ESO_SESSION_TAG_KEYS,
    readerPermissions,
    readerTrustPolicy,
} from "../../../components/external-secrets/policies";
import { buildExternalSecretsValues, clusterSecretStore, externalSecret } from "../../../components/external-secrets/objects";
import { kubernetesModels, loadKubernetesModels } from "../../../components/shared/k8s-models";
import { namespaceLabels } from "../../../components/shared/namespace";
import { serviceKeyPolicy } from "../../../components/shared/kms-policies";
import { plan, PlanFile, single } from "../../helpers/mocks";
import { TEST_ORG_TAGS, testCluster, underOrgTags } from "../../helpers/fixtures";
import { simulate } from "../../helpers/iam";

const ACCOUNT = "123456789012";
const CONTROLLER = `arn:aws:iam::${ACCOUNT}:role/eso-controller`;
const READER = `arn:aws:iam::${ACCOUNT}:role/eso-reader`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const secretArn = (name: string) => `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${name}-AbCdEf`;

describe("External Secrets with ABAC", () => {
    before(() => loadKubernetesModels());

    describe("reader role permissions", () => {
        // Built per call, not in the describe body: a document built once at load would hide a mutant the mutation run switches on later.
        const permissions = () =>
            readerPermissions({
                region: "eu-west-1",
                accountId: ACCOUNT,
                secretNamePrefix: "cip-dev",
                abacTagKey: "ekssecret",
                kmsKeyArn: KEY,
            });
        const read = (secretTag: string | undefined, sessionNamespace: string | undefined, action = "secretsmanager:GetSecretValue") =>
            simulate({
                identityPolicies: [permissions()],
                principal: `arn:aws:sts::${ACCOUNT}:assumed-role/eso-reader/session`,
                action,
                resource: secretArn(`cip-dev/${secretTag ?? "team-a"}/token`),
                context: {
                    ...(secretTag ? { "aws:ResourceTag/ekssecret": secretTag } : {}),
                    ...(sessionNamespace ? { "aws:PrincipalTag/esoNamespace": sessionNamespace } : {}),
                },
            });

        it("lets a session tagged for namespace A read A's secret", async () => {
            assert.equal(await read("team-a", "team-a"), "Allowed");
            assert.equal(await read("team-a", "team-a", "secretsmanager:DescribeSecret"), "Allowed");
        });

        it("denies namespace A the secret of namespace B", async () => {
            assert.equal(await read("team-b", "team-a"), "ImplicitlyDenied");
        });

        it("denies dev's reader another environment's secret of the same namespace and tag (issue #22 item 10: one account, three environments)", async () => {
            const decision = await simulate({
                identityPolicies: [permissions()],
                principal: `arn:aws:sts::${ACCOUNT}:assumed-role/eso-reader/session`,
                action: "secretsmanager:GetSecretValue",
                resource: secretArn("cip-prod/jenkins/admin"),
                context: { "aws:ResourceTag/ekssecret": "jenkins", "aws:PrincipalTag/esoNamespace": "jenkins" },
            });
            assert.equal(decision, "ImplicitlyDenied");
        });

        it("denies namespace A a secret named under namespace B even if tagged for A", async () => {
            const decision = await simulate({
                identityPolicies: [permissions()],
                principal: `arn:aws:sts::${ACCOUNT}:assumed-role/eso-reader/session`,
                action: "secretsmanager:GetSecretValue",
                resource: secretArn("cip-dev/team-b/token"),
                context: { "aws:ResourceTag/ekssecret": "team-a", "aws:PrincipalTag/esoNamespace": "team-a" },
            });
            assert.equal(decision, "ImplicitlyDenied");
        });

        it("denies an untagged session and an untagged secret", async () => {
            assert.equal(await read("team-a", undefined), "ImplicitlyDenied");
            assert.equal(await read(undefined, "team-a"), "ImplicitlyDenied");
        });

        it("grants no listing, batch reads or writes", async () => {
            for (const action of ["secretsmanager:ListSecrets", "secretsmanager:BatchGetSecretValue"]) {
                assert.equal(
                    await simulate({
                        identityPolicies: [permissions()],
                        principal: READER,
                        action,
                        resource: "*",
                        context: { "aws:PrincipalTag/esoNamespace": "team-a" },
                    }),
                    "ImplicitlyDenied",
                    action,
                );
            }
            assert.equal(await read("team-a", "team-a", "secretsmanager:PutSecretValue"), "ImplicitlyDenied");
        });

        it("decrypts with the platform key only through Secrets Manager (role policy and key policy together)", async () => {
            const keyPolicy = serviceKeyPolicy(ACCOUNT, "eu-west-1", "secretsmanager");
            const decrypt = (via: string) =>
                simulate({
                    identityPolicies: [permissions()],
                    resourcePolicy: keyPolicy,
                    principal: READER,
                    action: "kms:Decrypt",
                    resource: KEY,
                    context: { "kms:ViaService": via, "kms:CallerAccount": ACCOUNT },
                });
            assert.equal(await decrypt("secretsmanager.eu-west-1.amazonaws.com"), "Allowed");
            assert.equal(await decrypt("s3.eu-west-1.amazonaws.com"), "ImplicitlyDenied");
        });
    });

    describe("reader role trust", () => {
        const trust = () => readerTrustPolicy({ controllerRoleArn: CONTROLLER, storeName: "platform-secrets" });
        const esoTags = {
            "aws:RequestTag/esoNamespace": "team-a",
            "aws:RequestTag/esoStoreName": "platform-secrets",
            "aws:RequestTag/esoStoreKind": "ClusterSecretStore",
        };

        it("only the ESO controller may assume it", async () => {
            assert.equal(
                await simulate({ resourcePolicy: trust(), principal: CONTROLLER, action: "sts:AssumeRole", resource: READER }),
                "Allowed",
            );
            assert.equal(
                await simulate({
                    resourcePolicy: trust(),
                    principal: `arn:aws:iam::${ACCOUNT}:role/tenant`,
                    action: "sts:AssumeRole",
                    resource: READER,
                }),
                "ImplicitlyDenied",
            );
        });

        it("accepts the session tags ESO sets for the platform store", async () => {
            assert.equal(
                await simulate({
                    resourcePolicy: trust(),
                    principal: CONTROLLER,
                    action: "sts:TagSession",
                    resource: READER,
                    context: { ...esoTags, "aws:TagKeys": [...ESO_SESSION_TAG_KEYS] },
                }),
                "Allowed",
            );
        });

        it("refuses sessions with unexpected tag keys or another store", async () => {
            const tag = (context: Record<string, string | string[]>) =>
                simulate({ resourcePolicy: trust(), principal: CONTROLLER, action: "sts:TagSession", resource: READER, context });
            assert.equal(
                await tag({ ...esoTags, "aws:RequestTag/ekssecret": "team-b", "aws:TagKeys": [...ESO_SESSION_TAG_KEYS, "ekssecret"] }),
                "ImplicitlyDenied",
            );
            assert.equal(
                await tag({ ...esoTags, "aws:RequestTag/esoStoreName": "tenant-store", "aws:TagKeys": [...ESO_SESSION_TAG_KEYS] }),
                "ImplicitlyDenied",
            );
        });

        it("rests on no undocumented IAM behaviour: no condition on the namespace tag's value (issue #22 item 10)", () => {
            // ESO (v2.9.0 AWS provider, sessionTagsPolicy Simple) tags the validation session with an empty
            // namespace. Whether StringEquals "" matches an empty tag is documented nowhere; the trust must not
            // depend on it, so the namespace is left to the reader's permissions (documented operators only).
            const keys = trust().Statement.flatMap((st) => Object.values(st.Condition ?? {}).flatMap((block) => Object.keys(block)));
            assert.deepEqual(
                keys.filter((k) => k.toLowerCase().includes("esonamespace")),
                [],
            );
        });

        it("a session without a namespace tag may be opened (ESO validating the store), and reads nothing", async () => {
            const { "aws:RequestTag/esoNamespace": _omitted, ...withoutNamespace } = esoTags;
            assert.equal(
                await simulate({
                    resourcePolicy: trust(),
                    principal: CONTROLLER,
                    action: "sts:TagSession",
                    resource: READER,
                    context: { ...withoutNamespace, "aws:TagKeys": ["esoStoreName", "esoStoreKind"] },
                }),
                "Allowed",
            );
            const permissions = readerPermissions({
                region: "eu-west-1",
                accountId: ACCOUNT,
                secretNamePrefix: "cip-dev",
                abacTagKey: "ekssecret",
                kmsKeyArn: KEY,
            });
            assert.equal(
                await simulate({
                    identityPolicies: [permissions],
                    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/eso-reader/session`,
                    action: "secretsmanager:GetSecretValue",
                    resource: secretArn("cip-dev/team-a/token"),
                    context: { "aws:ResourceTag/ekssecret": "team-a" },
                }),
                "ImplicitlyDenied",
            );
        });

        /**
         * What ESO 2.9.0 really does with `sessionTagsPolicy: Simple` (providers/v1/aws/provider.go
         * buildSessionTags): it assumes the reader with tags esoNamespace/esoStoreName/esoStoreKind, where
         * the namespace is the store's own ("" for a ClusterSecretStore being validated) or the
         * ExternalSecret's (when reading for it). Simulated end to end: trust (AssumeRole and
         * TagSession), then the read with the session's principal tags.
         */
        describe("the sessions ESO opens, simulated", () => {
            const permissions = () =>
                readerPermissions({
                    region: "eu-west-1",
                    accountId: ACCOUNT,
                    secretNamePrefix: "cip-dev",
                    abacTagKey: "ekssecret",
                    kmsKeyArn: KEY,
                });
            const session = async (tags: { esoNamespace: string; esoStoreName: string; esoStoreKind: string }): Promise<string> => {
                const context = {
                    "aws:RequestTag/esoNamespace": tags.esoNamespace,
                    "aws:RequestTag/esoStoreName": tags.esoStoreName,
                    "aws:RequestTag/esoStoreKind": tags.esoStoreKind,
                    "aws:TagKeys": [...ESO_SESSION_TAG_KEYS],
                };
                const assume = await simulate({
                    resourcePolicy: trust(),
                    principal: CONTROLLER,
                    action: "sts:AssumeRole",
                    resource: READER,
                    context,
                });
                const tag = await simulate({
                    resourcePolicy: trust(),
                    principal: CONTROLLER,
                    action: "sts:TagSession",
                    resource: READER,
                    context,
                });
                return assume === "Allowed" && tag === "Allowed" ? "Allowed" : `AssumeRole ${assume}, TagSession ${tag}`;
            };
            const readAs = (sessionNamespace: string, secretTag: string) =>
                simulate({
                    identityPolicies: [permissions()],
                    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/eso-reader/session`,
                    action: "secretsmanager:GetSecretValue",
                    resource: secretArn(`cip-dev/${secretTag}/token`),
                    context: { "aws:ResourceTag/ekssecret": secretTag, "aws:PrincipalTag/esoNamespace": sessionNamespace },
                });

            it('validating the platform ClusterSecretStore (esoNamespace="") may assume the role, and can read nothing', async () => {
                assert.equal(
                    await session({ esoNamespace: "", esoStoreName: "platform-secrets", esoStoreKind: "ClusterSecretStore" }),
                    "Allowed",
                );
                assert.equal(await readAs("", ""), "ImplicitlyDenied", "a secret tagged with an empty namespace is still unreadable");
                assert.equal(await readAs("", "team-a"), "ImplicitlyDenied");
            });

            it("reading for an ExternalSecret in team-a may assume the role and read team-a's secret only", async () => {
                assert.equal(
                    await session({ esoNamespace: "team-a", esoStoreName: "platform-secrets", esoStoreKind: "ClusterSecretStore" }),
                    "Allowed",
                );
                assert.equal(await readAs("team-a", "team-a"), "Allowed");
                assert.equal(await readAs("team-a", "team-b"), "ImplicitlyDenied");
            });

            it("a tenant's SecretStore forging another namespace (or the platform store's name) is denied", async () => {
                // A namespaced store in team-b: ESO tags its kind SecretStore, whatever name or namespace it claims.
                assert.notEqual(
                    await session({ esoNamespace: "team-a", esoStoreName: "platform-secrets", esoStoreKind: "SecretStore" }),
                    "Allowed",
                );
                assert.notEqual(
                    await session({ esoNamespace: "", esoStoreName: "platform-secrets", esoStoreKind: "SecretStore" }),
                    "Allowed",
                );
                // Another cluster store (were a tenant able to create one) is denied too, for reads and for validation.
                assert.notEqual(
                    await session({ esoNamespace: "team-a", esoStoreName: "tenant-store", esoStoreKind: "ClusterSecretStore" }),
                    "Allowed",
                );
                assert.notEqual(
                    await session({ esoNamespace: "", esoStoreName: "tenant-store", esoStoreKind: "ClusterSecretStore" }),
                    "Allowed",
                );
            });
        });

        it("the controller itself may do nothing but assume the reader", async () => {
            const policy = controllerPermissions(READER);
            assert.equal(
                await simulate({ identityPolicies: [policy], principal: CONTROLLER, action: "sts:AssumeRole", resource: READER }),
                "Allowed",
            );
            assert.equal(
                await simulate({
                    identityPolicies: [policy],
                    principal: CONTROLLER,
                    action: "sts:AssumeRole",
                    resource: `arn:aws:iam::${ACCOUNT}:role/admin`,
                }),
                "ImplicitlyDenied",
            );
            assert.equal(
                await simulate({
                    identityPolicies: [policy],
                    principal: CONTROLLER,
                    action: "secretsmanager:GetSecretValue",
                    resource: secretArn("x"),
                }),
                "ImplicitlyDenied",
            );
        });
    });

    describe("objects", () => {
        it("the platform store assumes the reader role with namespace session tags, for labelled namespaces only", () => {
            const store = clusterSecretStore({ name: "platform-secrets", region: "eu-west-1", readerRoleArn: READER });
            assert.deepEqual(store.spec?.provider.aws, {
                service: "SecretsManager",
                region: "eu-west-1",
                role: READER,
                sessionTagsPolicy: "Simple",
            });
            assert.deepEqual(store.spec?.conditions, [{ namespaceSelector: { matchLabels: { "ciplatform.io/secrets": "platform" } } }]);
            assert.equal(store.apiVersion, "external-secrets.io/v1");
            store.validate();
        });

        it("an ExternalSecret maps Kubernetes keys to JSON properties and validates", () => {
            const es = externalSecret({
                name: "runner-token",
                namespace: "gitlab-runner-arm64",
                storeName: "platform-secrets",
                secretName: "cip-dev/gitlab-runner-arm64/runner-token",
                kubernetesSecretName: "runner-token",
                keys: { "runner-token": "token", "runner-registration-token": "registration" },
            });
            assert.deepEqual(es.spec?.data, [
                { secretKey: "runner-token", remoteRef: { key: "cip-dev/gitlab-runner-arm64/runner-token", property: "token" } },
                {
                    secretKey: "runner-registration-token",
                    remoteRef: { key: "cip-dev/gitlab-runner-arm64/runner-token", property: "registration" },
                },
            ]);
            assert.deepEqual(es.spec?.secretStoreRef, { kind: "ClusterSecretStore", name: "platform-secrets" });
            es.validate();
        });

        it("an invalid ExternalSecret fails schema validation", () => {
            const { ExternalSecret } = kubernetesModels();
            const invalid = new ExternalSecret({
                metadata: { name: "x", namespace: "y" },
                spec: { secretStoreRef: { kind: "Vault" as "ClusterSecretStore", name: "platform-secrets" }, data: [] },
            });
            assert.throws(() => invalid.validate(), /kind/);
        });

        it("chart values keep tenants from bringing their own stores", () => {
            const values = buildExternalSecretsValues({ controllerRoleArn: CONTROLLER, serviceAccountName: "external-secrets" }) as Record<
                string,
                Record<string, unknown>
            >;
            assert.equal(values.processSecretStore, false);
            assert.equal(values.crds.createSecretStore, undefined, "chart 2.9.0 ignores it: not set, so nobody relies on it");
            assert.equal(values.rbac.aggregateToEdit, false);
            assert.equal(values.rbac.aggregateToAdmin, false);
            assert.deepEqual(values.nodeSelector, { "ciplatform.io/pool": "system" });
            assert.deepEqual((values.serviceAccount.annotations as Record<string, string>)["eks.amazonaws.com/role-arn"], CONTROLLER);
        });

        it("rejects malformed secret requests with the field and value", () => {
            assert.deepEqual(
                validateSecretRequest("token", { namespace: "Team_A", kubernetesSecretName: "t", description: "d", keys: {} }),
                [
                    'token.namespace: got "Team_A"; must be a Kubernetes namespace name',
                    "token.keys: empty; name at least one key of the Kubernetes Secret",
                ],
            );
        });
    });

    describe("planned", () => {
        const SECRET_VALUE = "glrt-super-secret-value-0123456789";
        let planned: PlanFile;
        before(async () => {
            planned = await plan({
                program: async () => {
                    const root = underOrgTags();
                    const eso = new ExternalSecrets(
                        "eso",
                        {
                            cluster: testCluster(),
                            region: "eu-west-1",
                            accountId: ACCOUNT,
                            secretNamePrefix: "cip-dev",
                            chartVersion: "2.9.0",
                        },
                        { parent: root },
                    );
                    eso.namespacedSecret("team-a-token", {
                        namespace: "team-a",
                        kubernetesSecretName: "deploy-token",
                        description: "deploy token of team A",
                        keys: { token: undefined },
                        value: pulumi.output(SECRET_VALUE),
                    });
                },
            });
        });

        it("creates the secret encrypted with the platform key, tagged for its namespace, with a recovery window", () => {
            const secret = single(planned, "aws:secretsmanager/secret:Secret", "team-a-token");
            assert.equal(secret.inputs.name, "cip-dev/team-a/deploy-token");
            assert.deepEqual(secret.inputs.tags, { ...TEST_ORG_TAGS, ekssecret: "team-a" });
            assert.match(String(secret.inputs.kmsKeyId), /^arn:aws:kms:eu-west-1:123456789012:key\//);
            assert.equal(secret.inputs.recoveryWindowInDays, 30);
            assert.equal(secret.protect, true);
        });

        it("never shows the secret value in the plan", () => {
            assert.equal(single(planned, "aws:secretsmanager/secretVersion:SecretVersion").inputs.secretString, "[secret]");
            assert.ok(!JSON.stringify(planned).includes(SECRET_VALUE));
        });

        it("trusts the controller only for the ESO service account with the STS audience", () => {
            const trust = JSON.parse(String(single(planned, "aws:iam/role:Role", "eso-controller").inputs.assumeRolePolicy)) as {
                Statement: Array<{ Principal: { Federated: string }; Condition: { StringEquals: Record<string, string> } }>;
            };
            assert.equal(trust.Statement.length, 1);
            const conditions = Object.entries(trust.Statement[0].Condition.StringEquals).map(([k, v]) => [k.replace(/^.*:/, ""), v]);
            assert.deepEqual(conditions, [
                ["sub", "system:serviceaccount:external-secrets:external-secrets"],
                ["aud", "sts.amazonaws.com"],
            ]);
        });

        it("the ExternalSecret reads through the platform store into the namespace", () => {
            const es = single(planned, "kubernetes:external-secrets.io/v1:ExternalSecret");
            assert.deepEqual(es.inputs.metadata, { name: "deploy-token", namespace: "team-a" });
            const spec = es.inputs.spec as { data: Array<{ remoteRef: { key: string } }> };
            assert.equal(spec.data[0].remoteRef.key, "cip-dev/team-a/deploy-token");
        });

        it("passes the policy pack", () => {
            assert.equal(planned.summary.mandatory, 0, JSON.stringify(planned.policy.violations));
        });

        it("namespaces opt into the store only through the platform label", () => {
            assert.deepEqual(namespaceLabels("restricted", true), {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
                "ciplatform.io/secrets": "platform",
            });
        });
    });
});
