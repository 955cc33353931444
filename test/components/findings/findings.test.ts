import { strict as assert } from "node:assert";
import { buildFalcoValues, everyPoolTolerations, FALCOSIDEKICK_URL } from "../../../components/findings/values";
import { policyReporterPermissions, securityHubArn, securityHubProductArn } from "../../../components/findings/policies";
import { POOLS } from "../../../components/shared/interfaces";
import { supplyChainBoundaryDocument } from "../../../components/foundation/workload-boundary";
import { PolicyDocument } from "../../../components/shared/iam-documents";
import { simulate, simulateWebIdentity } from "../../helpers/iam";
import { ofType, plan, PlanFile } from "../../helpers/mocks";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";

describe("findings", () => {
    describe("Policy Reporter's IAM (simulated, within the supply-chain boundary)", () => {
        const policy = policyReporterPermissions(REGION, ACCOUNT);
        const boundary = supplyChainBoundaryDocument({ accountId: ACCOUNT, region: REGION, prefix: "cip-dev" });
        const principal = `arn:aws:iam::${ACCOUNT}:role/cip-dev-findings-policy-reporter-0a1b2c3`;
        const bounded = async (action: string, resource: string, context: Record<string, string> = {}) => {
            const [own, cap] = await Promise.all([
                simulate({ identityPolicies: [policy], principal, action, resource, context }),
                simulate({ identityPolicies: [boundary], principal, action, resource, context }),
            ]);
            return own === "Allowed" && cap === "Allowed" ? "Allowed" : "Denied";
        };

        it("allows the three calls its Security Hub target makes: import as the account, look up and resolve (pkg/target/securityhub)", async () => {
            assert.equal(
                await bounded("securityhub:BatchImportFindings", securityHubProductArn(REGION, ACCOUNT), {
                    "securityhub:TargetAccount": ACCOUNT,
                }),
                "Allowed",
            );
            assert.equal(await bounded("securityhub:GetFindings", securityHubArn(REGION, ACCOUNT)), "Allowed");
            assert.equal(await bounded("securityhub:BatchUpdateFindings", securityHubArn(REGION, ACCOUNT)), "Allowed");
        });

        it("denies everything else: another account's findings, hub administration, other services", async () => {
            assert.equal(
                await bounded("securityhub:BatchImportFindings", securityHubProductArn(REGION, ACCOUNT), {
                    "securityhub:TargetAccount": "999999999999",
                }),
                "Denied",
            );
            for (const action of [
                "securityhub:DisableSecurityHub",
                "securityhub:UpdateSecurityHubConfiguration",
                "securityhub:DeleteInsight",
                "securityhub:BatchDisableStandards",
            ]) {
                assert.equal(await bounded(action, securityHubArn(REGION, ACCOUNT)), "Denied", action);
            }
            assert.equal(await bounded("s3:GetObject", "arn:aws:s3:::cip-dev-x/y"), "Denied");
        });
    });

    describe("Falco", () => {
        it("uses the modern eBPF driver with capabilities, not a privileged container", () => {
            const values = buildFalcoValues("notice") as { driver: unknown; falcosidekick: unknown; falco: Record<string, unknown> };
            assert.deepEqual(values.driver, { kind: "modern_ebpf", modernEbpf: { leastPrivileged: true } });
            assert.deepEqual(values.falcosidekick, { enabled: false }, "the separately pinned Falcosidekick, not the embedded 0.12.1");
            assert.deepEqual(values.falco.http_output, { enabled: true, url: FALCOSIDEKICK_URL });
            assert.equal(values.falco.json_output, true);
        });

        it("tolerates every node kind's taint: system, CI and storage (general is untainted)", () => {
            const keys = everyPoolTolerations().map((t) => `${t.key}=${t.value}:${t.effect}`);
            assert.deepEqual(keys.sort(), [
                "CriticalAddonsOnly=true:NoSchedule",
                "ciplatform.io/ci=true:NoSchedule",
                "ciplatform.io/storage=true:NoSchedule",
            ]);
            for (const pool of Object.values(POOLS)) {
                if (pool.taint) assert.ok(keys.includes(`${pool.taint.key}=${pool.taint.value}:${pool.taint.effect}`), pool.label);
            }
        });
    });

    describe("planned", () => {
        let dev: PlanFile;
        let account: PlanFile;
        before(async () => {
            dev = await plan({ stack: "dev" });
            account = await plan({ stack: "account" });
        });
        const release = (chart: string) => ofType(dev, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === chart);

        it("Policy Reporter sends to Security Hub through its own IRSA role, trusted by its service account only", async () => {
            const reporter = release("policy-reporter");
            assert.ok(reporter);
            assert.equal(reporter.inputs.version, "3.9.1");
            const values = reporter.inputs.values as {
                serviceAccount: { annotations: Record<string, string> };
                target: { securityHub: Record<string, unknown> };
            };
            assert.match(values.serviceAccount.annotations["eks.amazonaws.com/role-arn"], /cip-dev-findings-policy-reporter/);
            assert.deepEqual(
                {
                    region: values.target.securityHub.region,
                    accountId: values.target.securityHub.accountId,
                    synchronize: values.target.securityHub.synchronize,
                },
                { region: REGION, accountId: ACCOUNT, synchronize: true },
            );
            assert.equal(values.target.securityHub.accessKeyId, undefined, "no static keys");
            const role = ofType(dev, "aws:iam/role:Role").find((r) => r.name === "cip-dev-findings-policy-reporter");
            assert.ok(role);
            const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as PolicyDocument;
            const federated = String((trust.Statement[0].Principal as { Federated: string }).Federated);
            const issuer = federated.split("oidc-provider/")[1];
            const as = (sub: string) => simulateWebIdentity(trust, issuer, { sub, aud: "sts.amazonaws.com" }, federated);
            assert.equal(await as("system:serviceaccount:policy-reporter:policy-reporter"), "Allowed");
            assert.notEqual(await as("system:serviceaccount:falcosidekick:falcosidekick"), "Allowed");
        });

        it("Falco (privileged namespace, by design) feeds Falcosidekick's policy-report output; no other namespace is privileged", () => {
            assert.equal(release("falco")?.inputs.version, "9.1.0");
            const sidekick = release("falcosidekick");
            assert.equal(sidekick?.inputs.version, "0.14.0");
            assert.equal((sidekick?.inputs.values as { config: { policyreport: { enabled: boolean } } }).config.policyreport.enabled, true);
            const levels = Object.fromEntries(
                ofType(dev, "kubernetes:core/v1:Namespace").map((n) => {
                    const metadata = n.inputs.metadata as { name: string; labels: Record<string, string> };
                    return [metadata.name, metadata.labels["pod-security.kubernetes.io/enforce"]];
                }),
            );
            assert.equal(levels.falco, "privileged");
            for (const ns of ["policy-reporter", "falcosidekick", "kyverno", "kyverno-notation-aws"])
                assert.equal(levels[ns], "restricted", ns);
        });

        it("the foundation enables Security Hub when asked by config, and not otherwise", async () => {
            assert.equal(ofType(account, "aws:securityhub/account:Account").length, 1);
            const off = await plan({ stack: "account", configChanges: { "ciplatform-foundation:securityHubEnabled": false } });
            assert.equal(ofType(off, "aws:securityhub/account:Account").length, 0);
        });
    });
});
