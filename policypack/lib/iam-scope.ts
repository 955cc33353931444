/**
 * How far an IAM statement reaches: resources written as ARN wildcards that mean "every resource of
 * the type" are judged like "*", and a condition on a public statement counts as a guard only when
 * its operator and values really narrow who may use it (judged the way IAM evaluates them, see
 * "IAM JSON policy elements: Condition operators",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 */
import { conditionEntries, NormalizedStatement } from "./iam-document";

/**
 * True for `"*"` and for ARNs whose resource part names no resource: `arn:aws:secretsmanager:…:secret:*`,
 * `arn:aws:kms:…:key/*`, `arn:aws:iam::…:role/*`, `arn:aws:s3:::*`, `arn:*:*:*:*:*`. A name prefix
 * (`secret:app/*`, `role/ci-*`) or a bucket's objects (`arn:aws:s3:::bucket/*`) is narrower.
 */
/** A resource part naming a type and nothing more, matched from its start (sticky) to the end of the ARN. */
const TYPE_WIDE = /[A-Za-z][A-Za-z0-9-]*([/:]\*)+$/y;

export function coversEveryResource(resource: string): boolean {
    if (resource === "*") {
        return true;
    }
    // Every form below holds a `*`: most resources (named ARNs) are answered at once.
    if (!resource.includes("*")) {
        return false;
    }
    // The ARN's fields found by position, not split and joined (a list and its strings per resource per rule were
    // garbage): `arn:<partition>:<service>:<region>:<account>:<resource part>`, the resource part being the rest.
    const partition = resource.indexOf(":");
    if (partition !== 3 || !resource.startsWith("arn")) {
        return false;
    }
    const service = resource.indexOf(":", partition + 1);
    const region = service < 0 ? -1 : resource.indexOf(":", service + 1);
    const account = region < 0 ? -1 : resource.indexOf(":", region + 1);
    const part = account < 0 ? -1 : resource.indexOf(":", account + 1);
    if (part < 0) {
        return false;
    }
    const rest = part + 1;
    if (region - service - 1 === 2 && resource.startsWith("s3", service + 1)) {
        // S3 ARNs carry no resource-type word: `bucket` or `bucket/key`.
        return tailIs(resource, rest, "*") || tailIs(resource, rest, "*/*");
    }
    // `<resource-type>/*`, `<resource-type>:*` or `*` (a type word from the service's ARN formats), also with
    // more wildcard segments (`role/*/*`: every role on every path), which name no more than one `*` does.
    TYPE_WIDE.lastIndex = rest;
    return tailIs(resource, rest, "*") || TYPE_WIDE.test(resource) || (region - service - 1 === 1 && resource[service + 1] === "*");
}

/** Whether `text` is all of `value` from `start` on. */
function tailIs(value: string, start: number, text: string): boolean {
    return value.length - start === text.length && value.endsWith(text);
}

/**
 * True for a resource that names every IAM role: `"*"`, `arn:aws:iam::<account>:role/*`, `role/*\/*` or any
 * role path and name made of wildcards only (`role/?*`), also without the slash (`role*`, `r*`), in any account.
 * For iam:PassRole and sts:AssumeRole such a resource is as broad as `"*"`; a path or name prefix (`role/ci/*`,
 * `role/app-*`) is narrower.
 */
export function coversEveryRole(resource: string): boolean {
    // Both forms hold a `*` (the tail below must include one): a named role is answered without splitting it.
    if (!resource.includes("*")) {
        return false;
    }
    if (coversEveryResource(resource)) {
        return true;
    }
    const parts = resource.split(":");
    if (parts.length < 6 || parts[0] !== "arn" || !/^(iam|\*)$/.test(parts[2])) {
        return false;
    }
    // IAM's `*` and `?` match `/` too: `role*`, `rol*`, `role?*` name every `role/…` ARN as `role/*` does.
    const rest = parts.slice(5).join(":");
    const literal = /^[^*?]*/.exec(rest)?.[0] ?? "";
    const tail = rest.slice(literal.length);
    return "role/".startsWith(literal) && tail.includes("*") && /^[*?/]*$/.test(tail);
}

export function anyResourceIsEverything(resources: readonly string[]): boolean {
    return resources.some(coversEveryResource);
}

/** Condition keys that can pin the caller to an account, organisation, principal, network or source resource. */
const GUARD_KEYS = new Set([
    "sts:externalid",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:userid",
    "kms:calleraccount",
]);

/**
 * Operators that restrict to the listed values (negations, `IfExists` and `Null` let an absent or other value through,
 * and so does `ForAllValues:`, which is true when the request has no value for the key: IAM User Guide,
 * "Single-valued vs. multivalued context keys").
 */
const POSITIVE_OPERATOR = /^(foranyvalue:)?(stringequals|stringequalsignorecase|stringlike|arnequals|arnlike|ipaddress)$/;

/** A value pins something when it is not a wildcard over the part that identifies the caller. */
function pinningValue(key: string, value: string): boolean {
    if (/^[*?]*$/.test(value)) {
        return false;
    }
    switch (key) {
        case "aws:principalarn":
        case "aws:sourcearn": {
            // An ARN pins an account (or a service's resource) only with a literal account field, or a literal service for service ARNs.
            const parts = value.split(":");
            if (parts.length < 6) {
                return false;
            }
            const account = parts[4];
            return account !== "" ? !/[*?]/.test(account) : !/[*?]/.test(parts[2]) && !/^[*?]+$/.test(parts.slice(5).join(":"));
        }
        case "aws:sourceip": {
            // A network pins callers only when it is narrower than a large share of the internet: 0.0.0.0/0, ::/0
            // and any IPv4 prefix shorter than /8 (IPv6 /16) are no guard (0.0.0.0/1 + 128.0.0.0/1 is the whole internet).
            const match = /^(.+)\/(\d{1,3})$/.exec(value.trim());
            return match === null || Number(match[2]) >= (match[1].includes(":") ? 16 : 8);
        }
        case "aws:principalorgpaths":
        case "aws:sourceorgpaths":
            // `o-xxxx/*` pins an organisation; `*/…` or `o-*/…` does not.
            return /^o-[a-z0-9]+\//.test(value);
        default:
            return !/[*?]/.test(value);
    }
}

/** True when one condition of the statement limits callers to named accounts, organisations, principals, networks or sources. */
export function hasLimitingCondition(s: NormalizedStatement): boolean {
    return conditionEntries(s).some(
        (e) =>
            GUARD_KEYS.has(e.key) &&
            POSITIVE_OPERATOR.test(e.operator.toLowerCase()) &&
            e.values.length > 0 &&
            e.values.every((v) => pinningValue(e.key, v)),
    );
}

/** Principals of a statement that mean "anyone": `"*"`, or `{ AWS: "*" }`. */
export function isPublicPrincipal(s: NormalizedStatement): boolean {
    return s.principals["*"] !== undefined || (s.principals.AWS ?? []).includes("*");
}

/** An Allow that anyone may use: a public principal without a limiting condition. */
export function isPublicAllow(s: NormalizedStatement): boolean {
    return s.effect === "Allow" && isPublicPrincipal(s) && !hasLimitingCondition(s);
}
