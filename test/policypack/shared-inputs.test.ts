import { strict as assert } from "node:assert";
import * as path from "node:path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { types } from "node:util";
import { lazilyForThisStep, onlyReaderOfNext, settled, shareDeserializedInputs } from "../../policypack/lib/shared-inputs";

// The deserializer of the @pulumi/policy the pack is served by (the one the patch targets), and the
// protobuf runtime it reads: required by path, since the exact copies matter.
/* eslint-disable @typescript-eslint/no-require-imports */
const policyDir = path.dirname(require.resolve("@pulumi/policy", { paths: [path.join(__dirname, "..", "..", "policypack")] }));
const deserialize = (): { deserializeProperties(s: object, proxySecrets: boolean): Record<string, unknown> } =>
    require(path.join(policyDir, "deserialize.js"));
const structRuntime = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [policyDir] })) as {
    Struct: typeof Struct;
};
/* eslint-enable @typescript-eslint/no-require-imports */

describe("shared deserialization (lib/shared-inputs)", () => {
    it("installs once and hands every policy the same read-only copy of a request's inputs", () => {
        assert.equal(shareDeserializedInputs(), true);
        assert.equal(shareDeserializedInputs(), true);
        const struct = structRuntime.Struct.fromJavaScript({ tags: { owner: "team" }, size: 3 });
        const first = deserialize().deserializeProperties(struct, false);
        assert.deepEqual(first, { tags: { owner: "team" }, size: 3 });
        assert.equal(deserialize().deserializeProperties(struct, false), first);
        // Another request, even with equal inputs, gets its own copy.
        assert.notEqual(
            deserialize().deserializeProperties(structRuntime.Struct.fromJavaScript({ tags: { owner: "team" }, size: 3 }), false),
            first,
        );
    });

    it("keeps no copy of the one deserialization a request has (one reader), and shares the next as before", () => {
        shareDeserializedInputs();
        const struct = structRuntime.Struct.fromJavaScript({ tags: { owner: "team" } });
        onlyReaderOfNext();
        const alone = deserialize().deserializeProperties(struct, false);
        assert.deepEqual(alone, { tags: { owner: "team" } });
        // Not kept: the next reader of the same request makes (and keeps) its own, equal copy.
        const shared = deserialize().deserializeProperties(struct, false);
        assert.notEqual(shared, alone);
        assert.deepEqual(shared, alone);
        assert.equal(deserialize().deserializeProperties(struct, false), shared);
    });

    it("deserializes a request's inputs only when a policy first reads them, then behaves as the plain object", () => {
        shareDeserializedInputs();
        const struct = structRuntime.Struct.fromJavaScript({ tags: { owner: "team" }, size: 3 });
        let reads = 0;
        const toJavaScript = struct.toJavaScript.bind(struct);
        struct.toJavaScript = () => {
            reads++;
            return toJavaScript();
        };
        // As the AnalyzeStack loop takes a stack policy (lib/dispatch.ts).
        lazilyForThisStep();
        const props = deserialize().deserializeProperties(struct, false);
        assert.equal(reads, 0, "handed out without deserializing (most stack resources are never read)");
        // The host's unknown-checking proxy asks every value it wraps `instanceof Object` (@pulumi/policy 1.21 proxy.js).
        assert.equal(props instanceof Object, true);
        assert.equal(Object.getPrototypeOf(props), Object.prototype);
        assert.equal(reads, 0, "the prototype is answered without deserializing");
        assert.equal(props.size, 3);
        assert.equal(reads, 1);
        assert.deepEqual(Object.keys(props).sort(), ["size", "tags"]);
        assert.equal("tags" in props, true);
        assert.deepEqual(JSON.parse(JSON.stringify(props)), { tags: { owner: "team" }, size: 3 });
        assert.deepEqual({ ...props }, { tags: { owner: "team" }, size: 3 });
        assert.equal(reads, 1, "deserialized once");
        // Its plain object, for readers of many properties: the same data, no longer behind a proxy.
        const plain = settled(props);
        assert.equal(types.isProxy(props), true);
        assert.equal(types.isProxy(plain), false);
        assert.deepEqual(plain, { tags: { owner: "team" }, size: 3 });
        assert.equal(settled(plain), plain);
        assert.equal(reads, 1);
        // Every operation fills it, a key listing first included.
        const other = structRuntime.Struct.fromJavaScript({ a: 1 });
        assert.deepEqual(Object.keys(deserialize().deserializeProperties(other, false)), ["a"]);
    });

    it("deserializes an Analyze request's inputs at once, as a plain object, and stack views lazily only within their step", async () => {
        shareDeserializedInputs();
        const analyzeInputs = deserialize().deserializeProperties(structRuntime.Struct.fromJavaScript({ a: 1 }), false);
        assert.equal(types.isProxy(analyzeInputs), false, "its members read every input at once: no trap per read");
        assert.deepEqual(analyzeInputs, { a: 1 });
        lazilyForThisStep();
        assert.equal(types.isProxy(deserialize().deserializeProperties(structRuntime.Struct.fromJavaScript({ a: 1 }), false)), true);
        // The host's next await ends the step: what follows (another request) is eager again.
        await Promise.resolve();
        assert.equal(types.isProxy(deserialize().deserializeProperties(structRuntime.Struct.fromJavaScript({ a: 1 }), false)), false);
    });

    it("patches the host's deserializer once, however often it is installed", () => {
        shareDeserializedInputs();
        const installed = deserialize().deserializeProperties;
        assert.equal(shareDeserializedInputs(), true);
        assert.equal(deserialize().deserializeProperties, installed, "a second install must not wrap the patched function again");
    });

    it("a lazy copy answers every object operation as its plain object, filling it first", () => {
        shareDeserializedInputs();
        const lazyCopy = (): Record<string, unknown> => {
            lazilyForThisStep();
            return deserialize().deserializeProperties(structRuntime.Struct.fromJavaScript({ a: 1, b: "x" }), false);
        };
        assert.deepEqual(Object.getOwnPropertyDescriptor(lazyCopy(), "a"), {
            value: 1,
            writable: true,
            enumerable: true,
            configurable: true,
        });
        assert.equal("b" in lazyCopy(), true);
        const written = lazyCopy();
        written.c = 2;
        assert.deepEqual({ ...written }, { a: 1, b: "x", c: 2 });
        const deleted = lazyCopy();
        assert.equal(delete deleted.a, true);
        assert.deepEqual({ ...deleted }, { b: "x" });
        const defined = lazyCopy();
        Object.defineProperty(defined, "d", { value: 4, enumerable: true, configurable: true, writable: true });
        assert.deepEqual({ ...defined }, { a: 1, b: "x", d: 4 });
        assert.equal(Object.isExtensible(lazyCopy()), true);
        const frozen = lazyCopy();
        Object.preventExtensions(frozen);
        assert.equal(Object.isExtensible(frozen), false);
        assert.deepEqual({ ...frozen }, { a: 1, b: "x" }, "filled before it was closed");
        const reparented = lazyCopy();
        Object.setPrototypeOf(reparented, null);
        assert.equal(Object.getPrototypeOf(settled(reparented)), null);
        assert.deepEqual({ ...reparented }, { a: 1, b: "x" });
    });

    it("settled() hands back anything that is not an object as it is", () => {
        assert.equal(settled(null), null);
        assert.equal(settled(undefined), undefined);
        assert.equal(settled("text"), "text");
        assert.equal(settled(3), 3);
    });

    it("leaves remediation's secret-preserving form alone", () => {
        const struct = structRuntime.Struct.fromJavaScript({ a: 1 });
        const plain = deserialize().deserializeProperties(struct, false);
        assert.notEqual(deserialize().deserializeProperties(struct, true), plain);
    });
});
