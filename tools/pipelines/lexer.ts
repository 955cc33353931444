/**
 * The lexer both pipeline-expression evaluators use (GitHub `${{ }}` expressions, GitLab `rules:if`):
 * white space skipped, then the first rule whose pattern matches at the current position makes the token.
 * Each system keeps its own token rules; only the scanning is shared.
 */
export type LexRule<T> = readonly [pattern: RegExp, token: (match: RegExpExecArray) => T];

export function lex<T>(expression: string, rules: readonly LexRule<T>[], unreadable: (rest: string) => Error): T[] {
    const tokens: T[] = [];
    let i = 0;
    scan: while (i < expression.length) {
        const rest = expression.slice(i);
        const space = /^\s+/.exec(rest);
        if (space) {
            i += space[0].length;
            continue;
        }
        for (const [pattern, token] of rules) {
            const match = pattern.exec(rest);
            if (match) {
                tokens.push(token(match));
                i += match[0].length;
                continue scan;
            }
        }
        throw unreadable(rest);
    }
    return tokens;
}
