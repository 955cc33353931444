/**
 * The pack's config (policypack/config.ts) called directly: a policy's resolved config follows every
 * change of its block (a value changed, a key added, removed or swapped for another), even though it
 * is cached per policy; and exemptions match by name pattern or by tag, for the listed policies only.
 */
import { strict as assert } from "node:assert";
import { DEFAULT_CONFIG, exemptionFor, PackConfig, resolveConfig } from "../../policypack/config";

describe("pack config by form (policypack/config.ts)", () => {
    it("resolveConfig merges the block over the defaults and follows each change of the block, per policy", () => {
        const keys = ["a"];
        const slot = "config-forms-test";
        assert.deepEqual(resolveConfig(undefined, slot), DEFAULT_CONFIG);
        assert.deepEqual(resolveConfig({ orgTagKeys: keys }, slot), { ...DEFAULT_CONFIG, orgTagKeys: keys });
        // A key added, with the first unchanged.
        assert.deepEqual(resolveConfig({ orgTagKeys: keys, environmentTagKey: "env" }, slot), {
            ...DEFAULT_CONFIG,
            orgTagKeys: keys,
            environmentTagKey: "env",
        });
        // The same values in a fresh copy: the cached config.
        const again = resolveConfig({ orgTagKeys: keys, environmentTagKey: "env" }, slot);
        assert.equal(resolveConfig({ orgTagKeys: keys, environmentTagKey: "env" }, slot), again);
        // A key removed.
        assert.deepEqual(resolveConfig({ orgTagKeys: keys }, slot), { ...DEFAULT_CONFIG, orgTagKeys: keys });
        // A key swapped for another (same count).
        assert.deepEqual(resolveConfig({ environmentTagKey: "env" }, slot), { ...DEFAULT_CONFIG, environmentTagKey: "env" });
        // A value changed.
        assert.deepEqual(resolveConfig({ environmentTagKey: "stage" }, slot), { ...DEFAULT_CONFIG, environmentTagKey: "stage" });
        assert.deepEqual(resolveConfig({}, slot), DEFAULT_CONFIG);
        // Another policy's slot is its own.
        assert.deepEqual(resolveConfig({ minKmsDeletionWindowDays: 30 }), { ...DEFAULT_CONFIG, minKmsDeletionWindowDays: 30 });
        assert.deepEqual(resolveConfig({ minKmsDeletionWindowDays: 30 }, slot), { ...DEFAULT_CONFIG, minKmsDeletionWindowDays: 30 });
        assert.deepEqual(resolveConfig(undefined, slot), DEFAULT_CONFIG);
        // A key given as undefined still counts as given: a block with one key more or less is another block.
        assert.equal(resolveConfig({ orgTagKeys: keys, environmentTagKey: undefined }, slot).environmentTagKey, undefined);
        assert.equal(resolveConfig({ orgTagKeys: keys }, slot).environmentTagKey, DEFAULT_CONFIG.environmentTagKey);
        assert.equal(resolveConfig({ orgTagKeys: keys, environmentTagKey: undefined }, slot).environmentTagKey, undefined);
        assert.equal(resolveConfig({ orgTagKeys: keys, minKmsDeletionWindowDays: 9 }, slot).minKmsDeletionWindowDays, 9);
    });

    it("exemptionFor matches by name (exact or * pattern) or by tag, for the listed policies, and nothing without exemptions", () => {
        const byName = { resourceName: "app-*-role", policies: ["p1"], reason: "name" };
        const byTag = { tag: { key: "exempt", value: "yes" }, reason: "tag" };
        const exact = { resourceName: "exact", reason: "exact" };
        const config: PackConfig = { ...DEFAULT_CONFIG, exemptions: [byName, byTag, exact] };
        assert.equal(exemptionFor(config, "app-ci-role", {}, "p1"), byName);
        assert.equal(exemptionFor(config, "app-ci-role", {}), byName);
        assert.equal(exemptionFor(config, "app-ci-role", {}, "p2"), undefined);
        assert.equal(exemptionFor(config, "xapp-ci-role", {}, "p1"), undefined);
        assert.equal(exemptionFor(config, "exact", undefined, "any"), exact);
        assert.equal(exemptionFor(config, "exactly", undefined, "any"), undefined);
        assert.equal(exemptionFor(config, "other", { exempt: "yes" }, "p2"), byTag);
        assert.equal(exemptionFor(config, "other", { exempt: "no" }, "p2"), undefined);
        assert.equal(exemptionFor(config, "other", "exempt", "p2"), undefined);
        assert.equal(exemptionFor(config, "other", null, "p2"), undefined);
        assert.equal(exemptionFor({ ...DEFAULT_CONFIG, exemptions: [] }, "app-ci-role", { exempt: "yes" }), undefined);
        // Regex characters in a name pattern are literal.
        const dotted = { resourceName: "app.v1-*", reason: "dotted" };
        const withDots: PackConfig = { ...DEFAULT_CONFIG, exemptions: [dotted] };
        assert.equal(exemptionFor(withDots, "app.v1-role", {}), dotted);
        assert.equal(exemptionFor(withDots, "appXv1-role", {}), undefined);
        // Tags that are not a map match no tag exemption (a string's characters are not tags).
        const firstChar = { tag: { key: "0", value: "x" }, reason: "char" };
        assert.equal(exemptionFor({ ...DEFAULT_CONFIG, exemptions: [firstChar] }, "other", "xyz"), undefined);
        assert.equal(exemptionFor({ ...DEFAULT_CONFIG, exemptions: [firstChar] }, "other", { 0: "x" }), firstChar);
    });
});
