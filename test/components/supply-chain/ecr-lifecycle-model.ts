/**
 * A model of Amazon ECR's lifecycle policy evaluator, as the Amazon ECR user guide documents it
 * (LifecyclePolicies.md, "Lifecycle policy evaluation rules"; image-signing.md, "Considerations"), to
 * judge what a policy does to a repository of signed images:
 * - every rule selects by tag status (`tagged` with all of `tagPrefixList` / `tagPatternList` matched by
 *   some tag of the image, `untagged`, `any`) and by count (`imageCountMoreThan`: sorted youngest first,
 *   all beyond the count) or age (`sinceImagePushed`, in days);
 * - all rules are evaluated at once and applied by priority; an image is expired by at most one rule,
 *   and an image matching a rule's tagging cannot be expired by a rule of lower priority (higher number),
 *   though such images still count for that rule;
 * - a signature is an image: an untagged manifest with a `subject` (each counts as 1 artifact);
 * - the referrers of an expired image are removed too (within 24 hours of the subject's deletion);
 * - `action.type` is required and `expire` is its only value ("Lifecycle policy parameters"): ECR refuses
 *   any other policy at PutLifecyclePolicy, so the model refuses it too.
 * It is test code: the product's policy is what components/supply-chain/policies.ts builds.
 */
import type { EcrLifecycleRule } from "../../../components/supply-chain/policies";

export interface RepositoryImage {
    readonly digest: string;
    readonly tags: readonly string[];
    /** Push time, in days since an epoch. */
    readonly pushedAt: number;
    /** The image this artifact refers to (Notation signatures: the signed image's digest). */
    readonly subject?: string;
}

type Selection = EcrLifecycleRule["selection"];

/** ECR's wildcard: `*` matches any run of characters, nothing else is special. */
function wildcard(pattern: string): RegExp {
    return new RegExp(
        `^${pattern
            .split("*")
            .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
            .join(".*")}$`,
    );
}

function matchesTagging(image: RepositoryImage, s: Selection): boolean {
    if (s.tagStatus === "any") return true;
    if (s.tagStatus === "untagged") return image.tags.length === 0;
    if (image.tags.length === 0) return false;
    const prefixes = s.tagPrefixList ?? [];
    const patterns = s.tagPatternList ?? [];
    if (prefixes.length + patterns.length === 0) throw new Error("a tagged rule needs tagPrefixList or tagPatternList");
    return (
        prefixes.every((p) => image.tags.some((t) => t.startsWith(p))) && patterns.every((p) => image.tags.some((t) => wildcard(p).test(t)))
    );
}

/** The digests a lifecycle policy expires from `images` at time `now` (days), referrers of expired images included. */
export function expiredBy(
    policy: { readonly rules: readonly EcrLifecycleRule[] },
    images: readonly RepositoryImage[],
    now: number,
): Set<string> {
    const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
    const expired = new Set<string>();
    // An image whose tagging matches a rule is protected from every rule of lower priority (applied later here).
    const claimed = new Set<string>();
    for (const rule of rules) {
        if ((rule.action as { type?: string } | undefined)?.type !== "expire") {
            throw new Error(`rule ${rule.rulePriority}: action.type must be "expire" (ECR refuses the policy)`);
        }
        const matching = images.filter((i) => matchesTagging(i, rule.selection));
        const selected =
            rule.selection.countType === "imageCountMoreThan"
                ? [...matching].sort((a, b) => b.pushedAt - a.pushedAt).slice(rule.selection.countNumber)
                : matching.filter((i) => now - i.pushedAt > rule.selection.countNumber);
        for (const image of selected) if (!claimed.has(image.digest)) expired.add(image.digest);
        for (const image of matching) claimed.add(image.digest);
    }
    // Referrers go with their subject, transitively (a signature of a signature).
    let grew = true;
    while (grew) {
        grew = false;
        for (const image of images) {
            if (image.subject && expired.has(image.subject) && !expired.has(image.digest)) {
                expired.add(image.digest);
                grew = true;
            }
        }
    }
    return expired;
}
