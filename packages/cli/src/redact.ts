/**
 * Removes secrets from text before it is printed. The access token given with
 * `--access-token`, and every token a credential hands out, is registered here,
 * so even a log line that quotes one verbatim prints `[REDACTED]`.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Register a secret; strings shorter than 8 characters are ignored (they would mangle ordinary text). */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 8) this.secrets.add(secret);
  }

  /** `text` with every registered secret, and any bearer token, replaced by `[REDACTED]`. */
  redact = (text: string): string => {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join("[REDACTED]");
    return out.replace(/\b(Bearer\s+)(?!\[REDACTED\])[A-Za-z0-9\-._~+/]{16,}=*/g, "$1[REDACTED]");
  };
}
