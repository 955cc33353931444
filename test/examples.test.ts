import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { loadPlatformConfig, parsePlatformConfig } from "../stacks/config";
import { Platform } from "../stacks/platform";
import { buildStackConfig, readProject } from "../tools/offline/cli-config";
import { PROJECT_ROOT } from "../tools/offline/plan";
import { onboardTenant } from "../examples/tenant-namespace/onboard";
import { plan, single } from "./helpers/mocks";
import { testFoundation } from "./helpers/fixtures";

const EXAMPLES = path.join(PROJECT_ROOT, "examples");

describe("examples/", () => {
    it("minimal-stack: the CLI and the program accept it, and it sets nothing but the keys without a default and the region", () => {
        const project = readProject(PROJECT_ROOT);
        const dir = path.join(EXAMPLES, "minimal-stack");
        const config = buildStackConfig({ ...project, root: dir }, "minimal");
        const parsed = parsePlatformConfig(config.values, "minimal", new Set(config.secretKeys));
        assert.equal(parsed.core.environment, "dev");
        assert.equal(parsed.core.protectStatefulResources, true, "defaults fill the rest");
        const given = Object.keys(
            (YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.minimal.yaml"), "utf8")) as { config: object }).config,
        );
        const optional = given.filter((k) => k !== "aws:region" && project.config[k.split(":")[1]]?.default !== undefined);
        // runnersTokenSecretName has a default ("") but is required while runners are enabled (the default).
        assert.deepEqual(optional, ["ciplatform:runnersTokenSecretName"]);
        assert.throws(
            () => parsePlatformConfig({ ...config.values, "ciplatform:runnersTokenSecretName": "" }, "minimal"),
            /runnersTokenSecretName: is required when runners are enabled/,
        );
    });

    it("tenant-namespace: plans inside a platform, restricted and admitted to the secret store, and passes the policy pack", async () => {
        const planned = await plan({
            program: async () => {
                const platform = new Platform("cip-dev", {
                    config: loadPlatformConfig(),
                    accountId: "123456789012",
                    foundation: testFoundation(),
                });
                onboardTenant(platform, { name: "payments", group: "payments-devs" });
            },
        });
        const namespace = single(planned, "kubernetes:core/v1:Namespace", "tenant-payments");
        const labels = (namespace.inputs.metadata as { labels: Record<string, string> }).labels;
        assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
        assert.equal(labels["ciplatform.io/secrets"], "platform");
        const secret = single(planned, "aws:secretsmanager/secret:Secret", "tenant-payments-app-credentials");
        assert.deepEqual(secret.inputs.tags, { ...(secret.inputs.tags as object), ekssecret: "payments" });
        const binding = single(planned, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "tenant-payments-edit");
        assert.deepEqual(
            (binding.inputs.subjects as Array<{ name: string }>).map((s) => s.name),
            ["payments-devs"],
        );
        assert.equal(
            planned.summary.mandatory,
            0,
            JSON.stringify(planned.policy.violations.filter((v) => v.enforcementLevel === "mandatory")),
        );
        assert.throws(() => onboardTenant({} as Platform, { name: "Bad_Name", group: "g" }), /must be a DNS label/);
    });
});
