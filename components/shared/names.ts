/**
 * The platform's name prefix (`namePrefix`): every resource name starts `<prefix>-<environment>`, so
 * IAM can scope by name. Its maximum length is what the IAM documents are sized for: the deploy
 * permissions, the workload boundary (one managed policy of at most 6,144 characters) and the trust
 * policies repeat it, and tests measure them with a prefix of this length
 * (IAM quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export const NAME_PREFIX_MAX_LENGTH = 16;

/** Lower-case letters, digits and hyphens, 3 to NAME_PREFIX_MAX_LENGTH long, from a letter, not ending in a hyphen. */
export const NAME_PREFIX_PATTERN = new RegExp(`^[a-z][a-z0-9-]{1,${NAME_PREFIX_MAX_LENGTH - 2}}[a-z0-9]$`);

/** What NAME_PREFIX_PATTERN allows, for messages. */
export const NAME_PREFIX_RULE = `must be 3-${NAME_PREFIX_MAX_LENGTH} lower-case letters, digits or hyphens, starting with a letter`;
