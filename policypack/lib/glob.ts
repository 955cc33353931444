/**
 * Name patterns of the pack's config (exemption resource names, admin roles): `*` matches any run of characters,
 * everything else itself. Compiled once per pattern: they are tested on every resource.
 */
const compiled = new Map<string, RegExp>();

export function starPattern(pattern: string): RegExp {
    let regexp = compiled.get(pattern);
    if (regexp === undefined) {
        regexp = new RegExp(
            `^${pattern
                .split("*")
                .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
                .join(".*")}$`,
        );
        compiled.set(pattern, regexp);
    }
    return regexp;
}
