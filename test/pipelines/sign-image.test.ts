import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ciJobPermissions } from "../../components/supply-chain/policies";
import { simulate } from "../helpers/iam";

const ROOT = path.join(__dirname, "..", "..");
const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const REPO = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/cip-dev/apps`;
const PROFILE = `arn:aws:signer:${REGION}:${ACCOUNT}:/signing-profiles/cip_dev_A1B2C3D4E5`;

interface GitlabJob {
    image?: string | { name: string };
    script?: Array<string | string[]>;
    variables?: Record<string, string>;
    artifacts?: { reports?: { dotenv?: string } };
}

/**
 * The API calls each command of the templates makes, from the tools' documentation: pushing an image
 * (Amazon ECR user guide, "Pushing a Docker image": BatchCheckLayerAvailability, InitiateLayerUpload,
 * UploadLayerPart, CompleteLayerUpload, PutImage), `aws ecr get-login-password` (GetAuthorizationToken),
 * `notation sign` with the AWS Signer plugin (resolves the manifest, pushes the signature as a referrer,
 * signer:SignPayload), `notation verify` (pulls manifest and signature, signer:GetRevocationStatus).
 */
const CALLS: ReadonlyArray<[RegExp, ReadonlyArray<[string, string]>]> = [
    [
        /push=true|push: true/,
        [
            ["ecr:BatchCheckLayerAvailability", REPO],
            ["ecr:InitiateLayerUpload", REPO],
            ["ecr:UploadLayerPart", REPO],
            ["ecr:CompleteLayerUpload", REPO],
            ["ecr:PutImage", REPO],
        ],
    ],
    // docker-credential-ecr-login (awslabs/amazon-ecr-credential-helper ecr-login/api/client.go) calls GetAuthorizationToken too.
    [/ecr get-login-password|amazon-ecr-login|"ecr-login"/, [["ecr:GetAuthorizationToken", "*"]]],
    [
        /notation sign/,
        [
            ["ecr:BatchGetImage", REPO],
            ["ecr:PutImage", REPO],
            ["signer:SignPayload", PROFILE],
        ],
    ],
    [
        /notation verify/,
        [
            ["ecr:BatchGetImage", REPO],
            ["ecr:GetDownloadUrlForLayer", REPO],
            ["signer:GetRevocationStatus", `${PROFILE}/VERSION1`],
        ],
    ],
];

function checkSignFlow(text: string, imageRef: RegExp): void {
    const at = (pattern: RegExp): number => {
        const m = pattern.exec(text);
        assert.ok(m, `missing ${pattern}`);
        return m.index;
    };
    // The installer is checksum-verified before it is unpacked, and unpacked without root: platform job pods run as uid 1000
    // (components/gitlab-runners/config.ts pod_security_context), where apt-get, dpkg -i and sudo fail.
    assert.ok(
        at(/sha256sum -c -\n\s*dpkg-deb -x aws-signer-notation-cli\.deb "\$HOME\/aws-signer"/) >
            at(/curl -fsSL -o aws-signer-notation-cli\.deb/),
    );
    assert.doesNotMatch(text, /apt-get|dpkg -i|\bsudo\b/);
    // Notation finds its plugin and the AWS Signer root under XDG_CONFIG_HOME, where they are installed.
    assert.match(text, /XDG_CONFIG_HOME="\$HOME\/\.config"/);
    assert.match(text, /"\$XDG_CONFIG_HOME\/notation\/plugins\/com\.amazonaws\.signer\.notation\.plugin"/);
    assert.match(text, /"\$XDG_CONFIG_HOME\/notation\/truststore\/x509\/signingAuthority\/aws-signer-ts"/);
    // The installer of the job's own architecture (arm64 runners exist), with that architecture's checksum.
    assert.match(text, /ARCH=\$\(dpkg --print-architecture\)/);
    assert.match(text, /\/\$ARCH\/installer\/deb\/latest\/aws-signer-notation-cli_\$ARCH\.deb/);
    assert.doesNotMatch(text, /linux\/amd64\/installer/);
    // The digest (never a tag) is signed, with the AWS Signer plugin and the environment's profile.
    const sign = /notation sign "\$\{?([A-Z_]+)\}?" --plugin com\.amazonaws\.signer\.notation\.plugin --id "\$\{?([A-Z_]+)\}?"/.exec(text);
    assert.ok(sign, "notation sign of a reference with the AWS Signer plugin and a profile id");
    assert.match(sign[1], imageRef);
    // Verification: strict, the AWS Signer root store, only this profile, only this repository; after signing.
    assert.match(text, /"signatureVerification": \{"level": "strict"\}/);
    assert.match(text, /"trustStores": \["signingAuthority:aws-signer-ts"\]/);
    assert.match(text, /"trustedIdentities": \["\$\{?[A-Z_]+\}?"\]/);
    assert.doesNotMatch(text, /"trustedIdentities": \["\*"\]/);
    assert.ok(at(/notation sign/) < at(/notation verify/), "sign, then verify");
}

async function allowedForCiJobRole(text: string): Promise<string[]> {
    const policy = ciJobPermissions([REPO], PROFILE, REGION, ACCOUNT);
    const denied: string[] = [];
    for (const [pattern, calls] of CALLS) {
        if (!pattern.test(text)) continue;
        for (const [action, resource] of calls) {
            const decision = await simulate({
                identityPolicies: [policy],
                principal: `arn:aws:iam::${ACCOUNT}:role/cip-dev-supply-ci-job-0a1b2c3`,
                action,
                resource,
            });
            if (decision !== "Allowed") denied.push(`${action} (${pattern})`);
        }
    }
    return denied;
}

describe("reusable image-signing templates", () => {
    describe("GitLab include (ci/templates/sign-image.gitlab-ci.yml)", () => {
        const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "ci/templates/sign-image.gitlab-ci.yml"), "utf8"), {
            logLevel: "error",
        }) as Record<string, GitlabJob & Record<string, unknown>>;
        // GitLab's `!reference [job, key]` inlines that job's key (nested lists are flattened); the yaml library leaves the tag as a list.
        const scriptOf = (job: GitlabJob): string[] =>
            (job.script ?? []).flatMap((line: string | string[]) =>
                Array.isArray(line) ? scriptOf({ script: (doc[line[0]] as Record<string, string[]>)[line[1]] }) : [line],
            );
        const build = { ...doc[".sign-image-build"], script: scriptOf(doc[".sign-image-build"]) };
        const sign = { ...doc[".sign-image-sign"], script: scriptOf(doc[".sign-image-sign"]) };

        it("defines hidden jobs only (an include adds no job by itself) and pins its images", () => {
            assert.deepEqual(
                Object.keys(doc).filter((k) => !k.startsWith(".") && k !== "variables"),
                [],
            );
            assert.match(String(doc.variables.BUILDKIT_IMAGE), /:v\d+\.\d+\.\d+-rootless$/);
            assert.match(String(doc.variables.SIGN_TOOLS_IMAGE), /buildpack-deps:bookworm-curl$/);
            assert.match(String(doc.variables.ECR_CREDENTIAL_HELPER_VERSION), /^\d+\.\d+\.\d+$/);
        });

        it("has a checksum variable per architecture for every download, and no fixed-architecture URL", () => {
            const variables = doc.variables as Record<string, string>;
            for (const tool of ["AWS_SIGNER_NOTATION_CLI_SHA256", "ECR_CREDENTIAL_HELPER_SHA256"]) {
                for (const arch of ["AMD64", "ARM64"]) assert.ok(`${tool}_${arch}` in variables, `${tool}_${arch}`);
            }
            assert.doesNotMatch(JSON.stringify(variables), /amd64|arm64/);
        });

        // moby/buildkit's rootless image has no aws CLI and no credential helper: BuildKit reads the registry's credentials from
        // ~/.docker/config.json (moby/buildkit session/auth/authprovider, docker/cli config), so the helper must be there first.
        it("gives the build job ECR credentials through docker-credential-ecr-login (credHelpers), checksum-verified, before it pushes", () => {
            const script = build.script.join("\n");
            const at = (pattern: RegExp): number => {
                const m = pattern.exec(script);
                assert.ok(m, `missing ${pattern}`);
                return m.index;
            };
            const download = at(
                /-O "\$HOME\/bin\/docker-credential-ecr-login" "https:\/\/amazon-ecr-credential-helper-releases\.s3\.us-east-2\.amazonaws\.com\/\$ECR_CREDENTIAL_HELPER_VERSION\/linux-\$ARCH\//,
            );
            const check = at(/sha256sum -c -/);
            const config = at(/\{"credHelpers": \{"%s": "ecr-login"\}\}\\n' "\$REGISTRY" > "\$HOME\/\.docker\/config\.json"/);
            const push = at(/buildctl-daemonless\.sh build/);
            assert.ok(download < check && check < config && config < push, "download, verify, configure, then push");
            assert.match(script, /x86_64\) ARCH=amd64 ;; aarch64\|arm64\) ARCH=arm64/);
            assert.match(script, /export PATH="\$HOME\/bin:\$PATH"/);
            assert.doesNotMatch(script, /apt-get|apk add|\bsudo\b/);
        });

        it("pushes, then passes on the registry's digest (repository@sha256) and nothing else", () => {
            const script = build.script.join("\n");
            assert.match(script, /--output "type=image,name=\$IMAGE_REPOSITORY:\$IMAGE_TAG,push=true"/);
            assert.match(script, /containerimage\.digest/);
            assert.match(script, /IMAGE_REFERENCE=\$IMAGE_REPOSITORY@\$DIGEST/);
            assert.equal(build.artifacts?.reports?.dotenv, "image.env");
        });

        it("signs the digest with Notation and the AWS Signer plugin, then verifies strictly against the profile", () => {
            checkSignFlow(sign.script.join("\n"), /^IMAGE_REFERENCE$/);
        });

        it("makes only calls the CI job role allows", async () => {
            const text = [...build.script, ...sign.script].join("\n");
            assert.deepEqual(await allowedForCiJobRole(text), []);
        });
    });

    describe("GitHub reusable workflow (.github/workflows/sign-image.yml)", () => {
        const wf = YAML.parse(fs.readFileSync(path.join(ROOT, ".github/workflows/sign-image.yml"), "utf8")) as {
            on: { workflow_call: { inputs: Record<string, { required?: boolean }>; outputs: Record<string, unknown> } };
            permissions: Record<string, string>;
            jobs: Record<
                string,
                { steps: Array<{ id?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }> }
            >;
        };
        const steps = wf.jobs["sign-image"].steps;
        const text = steps.map((s) => `${s.run ?? ""}\n${s.uses ?? ""}\n${JSON.stringify(s.with ?? {})}`).join("\n");

        it("is callable with the repository, profile, role and installer checksum, and asks only for an OIDC token", () => {
            const inputs = wf.on.workflow_call.inputs;
            for (const name of ["image-repository", "signing-profile-arn", "role-arn", "notation-cli-sha256"]) {
                assert.equal(inputs[name]?.required, true, name);
            }
            assert.deepEqual(wf.permissions, { contents: "read", "id-token": "write" });
            assert.ok(wf.on.workflow_call.outputs.image);
            for (const s of steps.filter((x) => x.uses)) assert.match(String(s.uses), /@v\d+\.\d+\.\d+$/, `${s.uses} is pinned`);
        });

        it("pushes, and signs and verifies the digest the build reported", () => {
            const build = steps.find((s) => s.id === "build");
            assert.equal(build?.with?.push, true);
            const reference = steps.find((s) => s.id === "reference");
            assert.equal(reference?.env?.DIGEST, "${{ steps.build.outputs.digest }}");
            const signStep = steps.find((s) => /notation sign/.test(s.run ?? ""));
            assert.equal(signStep?.env?.IMAGE, "${{ steps.reference.outputs.image }}");
            assert.equal(signStep?.env?.PROFILE, "${{ inputs.signing-profile-arn }}");
            const script = steps.map((s) => s.run ?? "").join("\n");
            checkSignFlow(script, /^IMAGE$/);
        });

        it("makes only calls the CI job role allows", async () => {
            assert.deepEqual(await allowedForCiJobRole(text), []);
        });
    });
});
