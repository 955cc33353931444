/** Exempted findings are never silent: this advisory policy reports each one with its reason. */
import { StackValidationPolicy } from "@pulumi/policy";
import { CONFIG_SCHEMA, exemptionFor, PackConfig, resolveConfig } from "./config";
import { applies, ResourceRule } from "./lib/rule";

export function exemptionsReport(rules: () => readonly ResourceRule[]): StackValidationPolicy {
    return {
        name: "pack-report-exemptions",
        description: "Reports every finding an exemption suppressed, with the exemption's reason.",
        enforcementLevel: "advisory",
        configSchema: CONFIG_SCHEMA,
        validateStack: (args, reportViolation) => {
            const config: PackConfig = resolveConfig(args.getConfig<Partial<PackConfig>>());
            if (config.exemptions.length === 0) {
                return;
            }
            for (const r of args.resources) {
                const exemption = exemptionFor(config, r.name, r.props.tags);
                if (!exemption) {
                    continue;
                }
                for (const rule of rules().filter((candidate) => applies(candidate, r.type))) {
                    const view = { type: r.type, name: r.name, urn: r.urn, props: r.props, providerProps: r.provider?.props, stackTags: args.stackTags };
                    for (const finding of rule.check(view, config)) {
                        reportViolation(`exempted from ${rule.name} (${exemption.reason}): ${finding}`, r.urn);
                    }
                }
            }
        },
    };
}
