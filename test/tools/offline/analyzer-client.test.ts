import { strict as assert } from "node:assert";
import { diagnosticsOnly } from "../../../tools/offline/analyzer";
import { analyzerProto } from "../../../tools/offline/grpc";

/** A response as the host sends one: findings, the not-applicable records of the policies left out, and a field added later. */
function hostResponse(): Uint8Array {
    const response = new analyzerProto.AnalyzeResponse();
    for (const [policy, message] of [
        ["eks-cluster-deny-public-endpoint", 'cluster "a" serves its API endpoint publicly'],
        ["s3-bucket-require-kms-and-tls", 'bucket "b" accepts plain-HTTP requests ✓ ünïcode'],
    ]) {
        const d = new analyzerProto.AnalyzeDiagnostic();
        d.setPolicyname(policy);
        d.setPolicypackname("ciplatform");
        d.setPolicypackversion("0.1.0");
        d.setDescription(`${policy} description`);
        d.setMessage(message);
        d.setEnforcementlevel(analyzerProto.EnforcementLevel.MANDATORY);
        d.setUrn(`urn:pulumi:dev::p::t::${policy}`);
        response.addDiagnostics(d);
    }
    for (const name of ["sqs-queue-require-encryption", "kms-key-require-rotation"]) {
        const record = new analyzerProto.PolicyNotApplicable();
        record.setPolicyName(name);
        record.setReason("other resource type");
        response.addNotApplicable(record);
    }
    const bytes = response.serializeBinary();
    // An unknown field (a newer engine's): field 15, length-delimited "x".
    return new Uint8Array([...bytes, (15 << 3) | 2, 1, 0x78]);
}

const fields = (r: import("@pulumi/pulumi/proto/analyzer_pb").AnalyzeResponse) => r.getDiagnosticsList().map((d) => d.toObject());

describe("the offline engine's analyzer client (tools/offline/analyzer.ts)", () => {
    it("decodes a response's diagnostics exactly as the generated decoder does, and skips the not-applicable records", () => {
        const bytes = hostResponse();
        const full = analyzerProto.AnalyzeResponse.deserializeBinary(bytes);
        assert.equal(full.getNotApplicableList().length, 2);
        const lean = diagnosticsOnly(bytes);
        assert.equal(lean.getDiagnosticsList().length, 2);
        assert.deepEqual(fields(lean), fields(full));
        assert.deepEqual(lean.getNotApplicableList(), []);
    });

    it("decodes a response without findings to none", () => {
        const quiet = new analyzerProto.AnalyzeResponse();
        const record = new analyzerProto.PolicyNotApplicable();
        record.setPolicyName("p");
        quiet.addNotApplicable(record);
        assert.deepEqual(diagnosticsOnly(quiet.serializeBinary()).getDiagnosticsList(), []);
        assert.deepEqual(diagnosticsOnly(new Uint8Array()).getDiagnosticsList(), []);
    });
});
