/**
 * Which rules judge a resource type: the honest answer to "was this resource checked?". A type no
 * rule knows (a new service, or a misspelt token such as `aws:s3/Bucket:Bucket`) passes every rule
 * without being looked at, so `npm run policy` names it instead of staying silent.
 */
import taggableTypeList from "./data/taggable-types.json";
import { resourceRules, stackRules } from "./policies";
import { applies } from "./lib/rule";

/** The rules (resource and stack) that judge resources of `type`. */
export function rulesFor(type: string): string[] {
    return [
        ...resourceRules.filter((rule) => applies(rule, type)).map((rule) => rule.name),
        ...stackRules.filter((rule) => applies({ types: rule.reads }, type)).map((rule) => rule.name),
    ];
}

/** Every type token the pack names explicitly or knows from the SDKs' taggable types. */
function knownTypes(): string[] {
    const named = [...resourceRules.map((r) => r.types), ...stackRules.map((r) => r.reads)].flatMap((t) =>
        typeof t === "function" ? [] : t,
    );
    return [...new Set([...named, ...taggableTypeList])];
}

function distance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length];
}

/** A known type token the given one is probably a misspelling of (same letters in another case, or a few edits away). */
export function closestKnownType(type: string): string | undefined {
    let best: { type: string; distance: number } | undefined;
    const lower = type.toLowerCase();
    for (const known of knownTypes()) {
        if (known === type) {
            return undefined;
        }
        const d = known.toLowerCase() === lower ? 0 : Math.abs(known.length - type.length) > 3 ? 4 : distance(lower, known.toLowerCase());
        if (d <= 3 && (!best || d < best.distance)) {
            best = { type: known, distance: d };
        }
    }
    return best?.type;
}

export interface Coverage {
    /** Checked types, with the rules that judge them. */
    readonly checked: Record<string, string[]>;
    /** Types no rule judges, with a likely intended token where the type looks misspelt. */
    readonly unchecked: Record<string, { readonly didYouMean?: string }>;
}

export function coverageOf(types: Iterable<string>): Coverage {
    const checked: Record<string, string[]> = {};
    const unchecked: Record<string, { didYouMean?: string }> = {};
    for (const type of new Set(types)) {
        const rules = rulesFor(type);
        if (rules.length > 0) {
            checked[type] = rules;
        } else {
            const didYouMean = closestKnownType(type);
            unchecked[type] = didYouMean ? { didYouMean } : {};
        }
    }
    return { checked, unchecked };
}
