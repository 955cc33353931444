/** Exempted findings are never silent: this advisory policy reports each one with its reason. */
import { StackValidationPolicy } from "@pulumi/policy";
import { CONFIG_SCHEMA, exemptionFor, PackConfig, resolveConfig } from "./config";
import { applies, ResourceRule, StackRule } from "./lib/rule";

/** The policy's name: the ASFF export reports its findings as accepted exceptions (tools/policy/asff.ts). */
export const EXEMPTIONS_REPORT_POLICY = "pack-report-exemptions";

export function exemptionsReport(rules: () => readonly ResourceRule[], stackRules: () => readonly StackRule[]): StackValidationPolicy {
    return {
        name: EXEMPTIONS_REPORT_POLICY,
        description: "Reports every finding an exemption suppressed, with the exemption's reason.",
        enforcementLevel: "advisory",
        configSchema: CONFIG_SCHEMA,
        validateStack: (args, reportViolation) => {
            const config: PackConfig = resolveConfig(args.getConfig<Partial<PackConfig>>(), EXEMPTIONS_REPORT_POLICY);
            if (config.exemptions.length === 0) {
                return;
            }
            const byTag = config.exemptions.some((e) => e.tag !== undefined);
            // Only resources some rule checks: the others can report nothing, and their inputs are never read (so a
            // resource no rule checks, tags unknown during preview, cannot stop the report; and what the report reads is
            // what policies.ts stackReadsOf declares, the resources lib/dispatch.ts hands the host).
            const checked = new Map<string, boolean>();
            const anyRuleApplies = (type: string): boolean => {
                let known = checked.get(type);
                if (known === undefined) {
                    known = rules().some((rule) => applies(rule, type));
                    checked.set(type, known);
                }
                return known;
            };
            for (const r of args.resources) {
                if (!anyRuleApplies(r.type)) {
                    continue;
                }
                // Cheap pre-check (any policy; tags read only when an exemption names one), then the exemption of each applicable rule.
                const tags: unknown = byTag ? r.props.tags : undefined;
                if (!exemptionFor(config, r.name, tags)) {
                    continue;
                }
                for (const rule of rules()) {
                    const exemption = applies(rule, r.type) ? exemptionFor(config, r.name, tags, rule.name) : undefined;
                    if (!exemption) {
                        continue;
                    }
                    const view = {
                        type: r.type,
                        name: r.name,
                        urn: r.urn,
                        props: r.props,
                        providerProps: r.provider?.props,
                        stackTags: args.stackTags,
                    };
                    for (const finding of rule.check(view, config)) {
                        reportViolation(`exempted from ${rule.name} (${exemption.reason}): ${finding}`, r.urn);
                    }
                }
            }
            for (const rule of stackRules()) {
                const covered = config.exemptions.some((e) => e.policies === undefined || e.policies.includes(rule.name));
                if (!covered || (rule.requiresType && !args.resources.some((r) => r.type === rule.requiresType))) {
                    continue;
                }
                for (const finding of rule.check(args.resources, config, args.stackTags)) {
                    const exemption = exemptionFor(config, finding.name, finding.tags, rule.name);
                    if (exemption) {
                        reportViolation(`exempted from ${rule.name} (${exemption.reason}): ${finding.message}`, finding.urn);
                    }
                }
            }
        },
    };
}
