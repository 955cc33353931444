import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { ofType, plan, PlanFile } from "../../helpers/mocks";

const ROOT = path.join(__dirname, "..", "..", "..");
const ENVIRONMENTS = ["dev", "staging", "prod"];

/** Runs .ci/check-stack-file (what every CI job that talks to AWS runs before pulumi) on a stack file's text. */
function checkStackFile(text: string): { status: number; stderr: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-"));
    const file = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(file, text);
    const run = spawnSync(path.join(ROOT, ".ci", "check-stack-file"), [file], { encoding: "utf8" });
    return { status: run.status ?? -1, stderr: run.stderr };
}

describe("secrets provider: KMS from the first stack init, never the passphrase in CI", () => {
    let foundation: PlanFile;
    before(async () => {
        foundation = await plan({ stack: "account" });
    });

    it("every platform stack file names the foundation's secrets key and region", () => {
        const alias = ofType(foundation, "aws:kms/alias:Alias").find((a) => String(a.inputs.name).endsWith("-pulumi-secrets"));
        assert.ok(alias, "the foundation creates the secrets key's alias");
        const region = (
            YAML.parse(fs.readFileSync(path.join(ROOT, "foundation", "Pulumi.account.yaml"), "utf8")) as { config: Record<string, string> }
        ).config["aws:region"];
        for (const env of ENVIRONMENTS) {
            const file = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${env}.yaml`), "utf8")) as Record<string, unknown>;
            assert.equal(file.secretsprovider, `awskms://${String(alias.inputs.name)}?region=${region}`, `Pulumi.${env}.yaml`);
            assert.equal(file.encryptionsalt, undefined, `Pulumi.${env}.yaml carries no passphrase salt`);
        }
    });

    it("the key lets whoever ran the foundation create stacks (encrypt and decrypt), deploys use it, previews only decrypt", () => {
        const key = ofType(foundation, "aws:kms/key:Key").find((k) => String(k.inputs.policy).includes("StackCreatorsUseTheKey"));
        assert.ok(key, "the secrets key's policy names the stack creators");
        const statements = (
            JSON.parse(String(key.inputs.policy)) as {
                Statement: Array<{ Sid: string; Principal: { AWS: string | string[] }; Action: string[] }>;
            }
        ).Statement;
        const creators = statements.find((s) => s.Sid === "StackCreatorsUseTheKey");
        // The offline engine's caller is the assumed role offline-plan: the key names the role, not the session.
        assert.deepEqual(creators?.Principal.AWS, ["arn:aws:iam::123456789012:role/offline-plan"]);
        assert.deepEqual(creators?.Action, ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]);
        assert.deepEqual(statements.find((s) => s.Sid === "PreviewsDecrypt")?.Action, ["kms:Decrypt", "kms:DescribeKey"]);
    });

    it("a CI job refuses a stack file that would fall back to the passphrase provider", () => {
        // The committed files as they were: no secretsprovider, no encryptedkey.
        const old = "config:\n  aws:region: eu-west-1\n  ciplatform:environment: dev\n";
        assert.notEqual(checkStackFile(old).status, 0);
        assert.match(checkStackFile(old).stderr, /no 'secretsprovider: awskms/);
        // A stack created before its data key was committed.
        const noKey = `${old}secretsprovider: awskms://alias/cip-pulumi-secrets?region=eu-west-1\n`;
        assert.match(checkStackFile(noKey).stderr, /no 'encryptedkey:'/);
        const passphrase = `${noKey}encryptedkey: AQICAHh=\nencryptionsalt: v1:abc\n`;
        assert.match(checkStackFile(passphrase).stderr, /passphrase salt/);
        assert.equal(checkStackFile(`${noKey}encryptedkey: AQICAHhBase64Key==\n`).status, 0);
    });
});
