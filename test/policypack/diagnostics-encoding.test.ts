import { strict as assert } from "node:assert";
import * as path from "node:path";
import { diagnosticsEncoder, HostDiagnostic } from "../../policypack/lib/diagnostics-encoding";

// The host's own response builder and the generated messages it uses, from the @pulumi/policy the pack is served by.
/* eslint-disable @typescript-eslint/no-require-imports */
const policyDir = path.dirname(require.resolve("@pulumi/policy", { paths: [path.join(__dirname, "..", "..", "policypack")] }));
const protoutil = require(path.join(policyDir, "protoutil.js")) as {
    makeAnalyzeResponse(ds: HostDiagnostic[], notApplicable: undefined): { serializeBinary(): Uint8Array };
};
/* eslint-enable @typescript-eslint/no-require-imports */

const finding = (over: Partial<HostDiagnostic>): HostDiagnostic => ({
    policyName: "s3-bucket-require-kms-and-tls",
    policyPackName: "ciplatform",
    policyPackVersion: "0.1.0",
    description: "S3 buckets use SSE-KMS with a bucket key and a policy that denies non-TLS requests.",
    message: 'bucket "b" accepts plain-HTTP requests',
    enforcementLevel: "mandatory",
    urn: "urn:pulumi:dev::p::aws:s3/bucketV2:BucketV2::b",
    ...over,
});

describe("findings encoded for the wire (lib/diagnostics-encoding.ts) are the host's own bytes", () => {
    const host = (ds: HostDiagnostic[]) => Buffer.from(protoutil.makeAnalyzeResponse(ds, undefined).serializeBinary());
    const encode = diagnosticsEncoder(protoutil.makeAnalyzeResponse);

    const cases: Array<[string, HostDiagnostic[]]> = [
        ["one finding", [finding({})]],
        [
            "findings of several policies, levels and severities, interleaved",
            [
                finding({}),
                finding({ policyName: "eks-cluster-deny-public-endpoint", description: "no public endpoint", severity: "high" }),
                finding({ message: "a second finding of the first policy" }),
                finding({ enforcementLevel: "advisory", message: "can't run during preview" }),
                finding({ policyName: "eks-cluster-deny-public-endpoint", description: "no public endpoint", severity: "low" }),
            ],
        ],
        [
            "non-ASCII text (2-, 3- and 4-byte UTF-8)",
            [finding({ message: "Größe ≥ 10 240 ✓ 🔐 名前", urn: "urn:pulumi:dev::p::t::bücket-🔐" })],
        ],
        [
            "a message over 127 and one over 16,383 bytes (longer length prefixes)",
            [finding({ message: "m".repeat(200) }), finding({ message: "é".repeat(9000) })],
        ],
        [
            "no URN (a stack finding the host reports without one), an empty message",
            [finding({ urn: undefined }), finding({ urn: "", message: "" })],
        ],
        ["no severity, no description", [finding({ severity: undefined, description: "" })]],
    ];
    for (const [name, ds] of cases) {
        it(name, () => {
            assert.deepEqual(encode(ds), host(ds));
            // And again from the templates made on the first call.
            assert.deepEqual(encode(ds), host(ds));
        });
    }

    it("declines (the host then encodes) a message or URN the host encodes its own way: lone surrogates, not a string", () => {
        for (const over of [
            { message: "abc\uD83D" },
            { message: "a\uD83Dbc" },
            { message: "a\uDC00b" },
            { message: "🔐🔐".slice(0, 3) },
            { urn: "urn:pulumi:dev::p::t::\uD800" },
            { message: 42 as unknown as string },
            { urn: 7 as unknown as string },
        ]) {
            const ds = [finding({}), finding(over)];
            assert.equal(encode(ds), undefined, JSON.stringify(over));
            assert.ok(host(ds).length > 0, "the host encodes it");
        }
        // A well-formed pair and a null message stay on the fast path, byte for byte.
        for (const over of [{ message: "🔐" }, { message: null as unknown as string }]) {
            assert.deepEqual(encode([finding(over)]), host([finding(over)]));
        }
    });

    it("declines (the host then encodes) when the host's encoding does not carry the finding's message and URN as expected", () => {
        const changed = diagnosticsEncoder(() => ({ serializeBinary: () => new Uint8Array([0x12, 0]) }));
        assert.equal(changed([finding({})]), undefined);
        const unknownLevel = diagnosticsEncoder(protoutil.makeAnalyzeResponse);
        assert.throws(() => unknownLevel([finding({ enforcementLevel: "sometimes" })]), /sometimes/);
    });
});
