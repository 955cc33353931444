/**
 * CIDR facts shared by the pack's rules and the platform's config validation (one implementation:
 * the config refuses what the pack would flag).
 */

/**
 * A CIDR that opens to (a large share of) the internet: any IPv4 prefix shorter than /8 or IPv6 prefix
 * shorter than /16. Comparing with "0.0.0.0/0" alone lets ["0.0.0.0/1", "128.0.0.0/1"] (the whole
 * internet in two halves) or "10.0.0.0/0" through.
 */
export function isInternetWide(cidr: string): boolean {
    const match = /^(.+)\/(\d{1,3})$/.exec(cidr.trim());
    if (!match) {
        return false;
    }
    const prefix = Number(match[2]);
    return match[1].includes(":") ? prefix < 16 : prefix < 8;
}
