import { strict as assert } from "node:assert";
import { EcrLifecycleRule, lifecyclePolicy } from "../../../components/supply-chain/policies";
import { expiredBy, RepositoryImage } from "./ecr-lifecycle-model";

/**
 * A repository the sign-image template fills: one immutable tag per build, pushed by BuildKit, then
 * its Notation signature (an untagged manifest whose subject is the image) pushed minutes later;
 * every tenth image signed again later (a re-sign after a profile rotation). One build a day.
 */
function signedRepository(builds: number): RepositoryImage[] {
    const images: RepositoryImage[] = [];
    for (let day = 1; day <= builds; day++) {
        const digest = `sha256:image-${day}`;
        images.push({ digest, tags: [`1.0.${day}`], pushedAt: day });
        images.push({ digest: `sha256:sig-${day}`, tags: [], pushedAt: day + 0.01, subject: digest });
        if (day % 10 === 0) images.push({ digest: `sha256:resig-${day}`, tags: [], pushedAt: builds + 0.5, subject: digest });
    }
    return images;
}

/** Signatures expired while the image they sign stays: that image fails verification at admission. */
function orphanedImages(images: readonly RepositoryImage[], expired: ReadonlySet<string>): string[] {
    return images
        .filter((i) => i.subject && expired.has(i.digest) && !expired.has(i.subject))
        .map((i) => i.subject as string)
        .filter((d, n, all) => all.indexOf(d) === n);
}

describe("ECR lifecycle vs Notation signatures (Amazon ECR user guide: LifecyclePolicies.md evaluation rules, image-signing.md considerations)", () => {
    const now = 160;
    const repository = signedRepository(150);

    it("the repositories' policy never expires a signature of an image that stays, and keeps every kept image's signatures", () => {
        const expired = expiredBy(lifecyclePolicy(100), repository, now);
        assert.deepEqual(orphanedImages(repository, expired), []);
        const keptImages = repository.filter((i) => !i.subject && !expired.has(i.digest));
        assert.equal(keptImages.length, 100);
        for (const image of keptImages) {
            const signatures = repository.filter((i) => i.subject === image.digest);
            assert.ok(signatures.length > 0 && signatures.every((s) => !expired.has(s.digest)), image.digest);
        }
    });

    it("expires the oldest tagged images beyond the count, and their signatures with them (ECR removes referrers of a deleted subject)", () => {
        const expired = expiredBy(lifecyclePolicy(100), repository, now);
        const expiredImages = repository.filter((i) => !i.subject && expired.has(i.digest)).map((i) => i.digest);
        assert.deepEqual(
            expiredImages,
            Array.from({ length: 50 }, (_, n) => `sha256:image-${n + 1}`),
        );
        assert.ok(expired.has("sha256:sig-1") && expired.has("sha256:resig-10"));
        assert.ok(!expired.has("sha256:resig-60") && !expired.has("sha256:sig-51"));
    });

    it("selects tagged images only: every rule is `tagged` with a pattern, none selects untagged artifacts or any image by count", () => {
        for (const rule of lifecyclePolicy(100).rules) {
            assert.equal(rule.selection.tagStatus, "tagged");
            assert.ok((rule.selection.tagPatternList ?? rule.selection.tagPrefixList ?? []).length > 0);
        }
    });

    // The model must tell a bad policy from a good one, or the tests above prove nothing.
    it("the model catches the policy this replaced: untagged images expire after a day (orphans images); any image by count keeps too few", () => {
        const before = {
            rules: [
                {
                    rulePriority: 1,
                    selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
                    action: { type: "expire" },
                },
                {
                    rulePriority: 2,
                    selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 100 },
                    action: { type: "expire" },
                },
            ],
        } as { rules: EcrLifecycleRule[] };
        const expiredBefore = expiredBy(before, repository, now);
        const orphaned = orphanedImages(repository, expiredBefore);
        assert.ok(orphaned.includes("sha256:image-150"), "the newest image loses its signature a day after it is signed");
        assert.deepEqual(
            orphaned.sort(),
            repository
                .filter((i) => !i.subject && !expiredBefore.has(i.digest))
                .map((i) => i.digest)
                .sort(),
            "every image it keeps has lost its signatures",
        );

        const countOnly = {
            rules: [
                {
                    rulePriority: 1,
                    selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 100 },
                    action: { type: "expire" },
                },
            ],
        } as { rules: EcrLifecycleRule[] };
        const expired = expiredBy(countOnly, repository, now);
        const kept = repository.filter((i) => !i.subject && !expired.has(i.digest)).length;
        assert.ok(kept < 50, `signatures count as images for \`any\`: only ${kept} of the 100 images meant to stay`);
    });

    it("the model refuses, as ECR's PutLifecyclePolicy does, a rule whose action is not `expire` (the only action ECR has)", () => {
        const [rule] = lifecyclePolicy(100).rules;
        assert.throws(
            () => expiredBy({ rules: [{ ...rule, action: {} as EcrLifecycleRule["action"] }] }, repository, now),
            /action.type must be "expire"/,
        );
        assert.ok(expiredBy({ rules: [rule] }, repository, now).size > 0);
    });
});
