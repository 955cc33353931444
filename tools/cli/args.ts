/**
 * One description of a CLI's options, from which both its parser and its `--help` come, so the help
 * lists every option the parser accepts (with its default) and the examples.
 */
import { parseArgs } from "node:util";

export interface OptionSpec {
    readonly type: "string" | "boolean";
    readonly short?: string;
    /** How the help names the value, e.g. `<file>`. */
    readonly arg?: string;
    readonly description: string;
    /** Handed to the parser: the value the option has when it is not given. */
    readonly default?: string | boolean;
    /** Shown in the help as the default when it depends on other options; never handed to the parser. */
    readonly defaultText?: string;
    /** May be given more than once. */
    readonly multiple?: boolean;
}

export interface CliSpec {
    /** `npm run <name> --`. */
    readonly command: string;
    readonly summary: string;
    /** Positional arguments, e.g. `<file>`, for the usage line. */
    readonly positionals?: string;
    readonly options: Readonly<Record<string, OptionSpec>>;
    readonly examples: readonly string[];
    /** Exit codes and what they mean. */
    readonly exitCodes: readonly string[];
}

/** Raised for bad usage: the CLI prints it with the usage line and exits 2. */
export class UsageError extends Error {}

const HELP: OptionSpec = { type: "boolean", short: "h", description: "show this help and exit" };

export function usageLine(spec: CliSpec): string {
    const options = Object.entries(spec.options)
        .map(([name, o]) => `[--${name}${o.arg ? ` ${o.arg}` : ""}]`)
        .join(" ");
    return `usage: ${spec.command}${spec.positionals ? ` ${spec.positionals}` : ""} ${options}`.trimEnd();
}

export function renderHelp(spec: CliSpec): string {
    const all: Array<[string, OptionSpec]> = [...Object.entries(spec.options), ["help", HELP]];
    const flag = ([name, o]: [string, OptionSpec]): string => `${o.short ? `-${o.short}, ` : "    "}--${name}${o.arg ? ` ${o.arg}` : ""}`;
    const pad = Math.max(...all.map((e) => flag(e).length));
    return [
        spec.summary,
        "",
        usageLine(spec),
        "",
        "Options:",
        ...all.map(([name, o]) => {
            const shown = o.defaultText ?? o.default;
            const def = shown !== undefined && shown !== false ? ` (default: ${String(shown)})` : "";
            const many = o.multiple ? " (repeatable)" : "";
            return `  ${flag([name, o]).padEnd(pad)}  ${o.description}${def}${many}`;
        }),
        "",
        "Examples:",
        ...spec.examples.map((e) => `  ${e}`),
        "",
        "Exit codes:",
        ...spec.exitCodes.map((e) => `  ${e}`),
    ].join("\n");
}

export interface ParsedCli<V> {
    readonly values: V & { help?: boolean };
    readonly positionals: string[];
}

/** Parses argv by the spec; throws `UsageError` for an unknown option, a missing value or a stray argument. */
export function parseCli<V>(spec: CliSpec, argv: readonly string[]): ParsedCli<V> {
    const options = Object.fromEntries(
        [...Object.entries(spec.options), ["help", HELP] as const].map(([name, o]) => [
            name,
            {
                type: o.type,
                ...(o.short ? { short: o.short } : {}),
                ...(o.multiple ? { multiple: true } : {}),
                ...(o.default !== undefined ? { default: o.default } : {}),
            },
        ]),
    );
    try {
        const { values, positionals } = parseArgs({
            args: [...argv],
            options,
            strict: true,
            allowPositionals: spec.positionals !== undefined,
        });
        return { values: values as V & { help?: boolean }, positionals };
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
}
