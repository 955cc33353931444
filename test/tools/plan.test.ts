import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv from "ajv";
import planSchema from "../../tools/offline/plan.schema.json";
import { ConfigError, plan } from "../helpers/mocks";
import { ROOT, runCli } from "../helpers/cli";

describe("offline plan", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ciplatform-plan-"));

    for (const stack of ["dev", "staging", "prod"]) {
        it(`plans ${stack} cleanly and writes a plan file of the documented shape`, () => {
            const file = path.join(tmp, `${stack}.json`);
            const result = runCli("plan", ["--stack", stack, "--json", file]);
            assert.equal(result.status, 0, result.stderr + result.stdout);
            assert.match(result.stdout, new RegExp(`Offline plan of stack "${stack}"`));
            assert.match(result.stdout, /Summary: 0 mandatory/);
            const written = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
            const validate = new Ajv({ allErrors: true }).compile(planSchema);
            assert.ok(validate(written), JSON.stringify(validate.errors, null, 1));
            assert.equal(written.stack, stack);
            assert.equal(written.project, "ciplatform");
        });
    }

    it("plans dev when no stack is given", () => {
        const result = runCli("plan", []);
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stdout, /Offline plan of stack "dev"/);
    });

    it("exits 2 on bad config, naming each bad key, and writes no plan", () => {
        const stackFile = path.join(ROOT, "Pulumi.badconfig.yaml");
        const jsonFile = path.join(tmp, "bad.json");
        fs.writeFileSync(stackFile, "config:\n  aws:region: eu-west-1\n  ciplatform:environment: qa\n  ciplatform:owner: me\n  ciplatform:kmsDeletionWindowDays: many\n");
        try {
            const result = runCli("plan", ["--stack", "badconfig", "--json", jsonFile]);
            assert.equal(result.status, 2);
            assert.match(result.stderr, /ciplatform:environment: Invalid option: expected one of "dev"\|"staging"\|"prod" \(got "qa"\)/);
            assert.match(result.stderr, /ciplatform:costCenter: is required/);
            assert.match(result.stderr, /ciplatform:kmsDeletionWindowDays: Invalid input: expected number, received string \(got "many"\)/);
            assert.equal(fs.existsSync(jsonFile), false);
        } finally {
            fs.rmSync(stackFile);
        }
    });

    it("registers nothing when the config is invalid", async () => {
        let registered = -1;
        await assert.rejects(
            plan({ configChanges: { "ciplatform:environment": "qa" }, onRegistrations: (r) => (registered = r.length) }),
            ConfigError,
        );
        assert.equal(registered, 0);
    });

    it("exits 2 for an unknown stack or flag", () => {
        const unknown = runCli("plan", ["--stack", "nosuchstack"]);
        assert.equal(unknown.status, 2);
        assert.match(unknown.stderr, /no stack config Pulumi\.nosuchstack\.yaml: create it, or pick one of .*dev/);
        assert.equal(runCli("plan", ["--colour"]).status, 2);
    });
});
