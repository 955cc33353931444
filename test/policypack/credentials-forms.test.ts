/**
 * The credential rules (policypack/credentials.ts) by form: each resource type whose value inputs reach
 * Kubernetes (a Secret's data, Helm values, a Secrets Manager version, an SSM parameter, any other
 * Kubernetes object), linked to an access key per input or by its dependencies; and the static-key
 * forms of an External Secrets store.
 */
import { strict as assert } from "node:assert";
import type { PolicyResource } from "@pulumi/policy";
import { accessKeyWiringRule, staticCredentialsRule } from "../../policypack/credentials";
import { DEFAULT_CONFIG } from "../../policypack/config";
import { policyResource } from "../helpers/policy-resource";

const resource = policyResource;
const key = resource("aws:iam/accessKey:AccessKey", "ci-user");
const wired = (resources: PolicyResource[]) =>
    accessKeyWiringRule.check([key, ...resources], DEFAULT_CONFIG, new Map()).map((f) => f.message);
const carries = (kind: string, name: string) =>
    `${kind} "${name}" carries the static access key of "ci-user" into Kubernetes: give the workload an IRSA or Pod Identity role instead, or exempt it with the reason the consumer cannot use one.`;

describe("credential rules by form (policypack/credentials.ts)", () => {
    it("aws-iam-deny-access-key-in-kubernetes: each type's value inputs, by property dependency", () => {
        const cases: Array<[string, string, string]> = [
            ["kubernetes:core/v1:Secret", "data", "Secret"],
            ["kubernetes:core/v1:Secret", "stringData", "Secret"],
            ["kubernetes:helm.sh/v3:Release", "values", "Release"],
            ["kubernetes:helm.sh/v4:Chart", "valueYamlFiles", "Chart"],
            ["aws:secretsmanager/secretVersion:SecretVersion", "secretString", "SecretVersion"],
            ["aws:secretsmanager/secretVersion:SecretVersion", "secretBinary", "SecretVersion"],
            ["aws:ssm/parameter:Parameter", "value", "Parameter"],
            ["aws:ssm/parameter:Parameter", "insecureValue", "Parameter"],
            ["kubernetes:core/v1:ConfigMap", "metadata", "ConfigMap"],
        ];
        for (const [type, input, kind] of cases) {
            const r = resource(type, "r", { dependencies: [key], propertyDependencies: { name: [], [input]: [key, key] } });
            assert.deepEqual(wired([r]), [carries(kind, "r")], `${type} ${input}`);
        }
        // Inputs that carry no value: names, descriptions, other dependencies.
        for (const [type, input] of [
            ["kubernetes:core/v1:Secret", "metadata"],
            ["kubernetes:helm.sh/v3:Release", "name"],
            ["kubernetes:helm.sh/v4:Chart", "repositoryOpts"],
            ["aws:secretsmanager/secretVersion:SecretVersion", "secretId"],
            ["aws:ssm/parameter:Parameter", "description"],
        ]) {
            const r = resource(type, "r", { dependencies: [key], propertyDependencies: { [input]: [key] } });
            assert.deepEqual(wired([r]), [], `${type} ${input}`);
        }
        assert.deepEqual(
            wired([
                resource("kubernetes:core/v1:Secret", "other", { propertyDependencies: { data: [resource("aws:s3/bucket:Bucket", "b")] } }),
            ]),
            [],
        );
        assert.deepEqual(wired([resource("aws:s3/bucketObject:BucketObject", "o", { dependencies: [key] })]), []);
    });

    it("aws-iam-deny-access-key-in-kubernetes reads access keys and the value-carrying types only", () => {
        const reads = accessKeyWiringRule.reads;
        assert.deepEqual(
            ["aws:iam/accessKey:AccessKey", "aws:ssm/parameter:Parameter", "kubernetes:apps/v1:Deployment", "aws:s3/bucket:Bucket"].map(
                (t) => (typeof reads === "function" ? reads(t) : reads.includes(t)),
            ),
            [true, true, true, false],
        );
    });

    it("kubernetes-deny-static-aws-credentials: a store authenticating with secretRef, naming the refs it sets", () => {
        const check = (type: string, props: Record<string, unknown>) =>
            staticCredentialsRule.check({ type, name: "s", urn: "u", props, stackTags: new Map() }, DEFAULT_CONFIG);
        const STORE = "kubernetes:external-secrets.io/v1:SecretStore";
        const CLUSTER = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
        const staticKey = (kind: string, refs: string) =>
            `${kind} "s" authenticates to AWS with a static key (auth.secretRef ${refs}): use auth.jwt with the controller's IRSA role, or the platform ClusterSecretStore.`;
        const auth = (secretRef: unknown) => ({ spec: { provider: { aws: { auth: { secretRef } } } } });
        assert.deepEqual(check(STORE, auth({ accessKeyIDSecretRef: { name: "k" }, secretAccessKeySecretRef: { name: "k" } })), [
            staticKey("SecretStore", "accessKeyIDSecretRef, secretAccessKeySecretRef"),
        ]);
        assert.deepEqual(check(CLUSTER, auth({ secretAccessKeySecretRef: { name: "k" } })), [
            staticKey("ClusterSecretStore", "secretAccessKeySecretRef"),
        ]);
        assert.deepEqual(check(STORE, auth({})), [staticKey("SecretStore", "secretRef")]);
        assert.deepEqual(check(STORE, { spec: { provider: { aws: { auth: { jwt: {} } } } } }), []);
        assert.deepEqual(check(STORE, {}), []);
        // A store whose provider is another one, or not given yet: nothing to read, no crash.
        assert.deepEqual(check(STORE, { spec: {} }), []);
        assert.deepEqual(check(STORE, { spec: { provider: {} } }), []);
        assert.deepEqual(check(CLUSTER, { spec: { provider: { aws: {} } } }), []);
        assert.deepEqual(check("kubernetes:core/v1:ConfigMap", auth({ accessKeyIDSecretRef: { name: "k" } })), []);
        assert.deepEqual(check("kubernetes:core/v1:ConfigMap", { data: { id: "AKIAIOSFODNN7EXAMPLE" } }), [
            'ConfigMap "s" contains the AWS access key id AKIA…MPLE: remove it, rotate the key, and use an IRSA or Pod Identity role.',
        ]);
    });
});
