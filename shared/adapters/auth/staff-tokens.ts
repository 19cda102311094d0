import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { DomainError } from "../../domain/errors";

/**
 * Verifies staff access tokens from the Cognito user pool (cognito-local on the
 * local stack) against the pool's issuer and JWKS: the same code in both places.
 */
export type StaffGroup = "receptionist" | "admin";

export interface StaffPrincipal {
  /** Cognito `sub`: what audit entries name, never an email. */
  id: string;
  username: string;
  groups: StaffGroup[];
}

export interface StaffTokenVerifier {
  verify(token: string): Promise<StaffPrincipal>;
}

const STAFF_GROUPS: readonly StaffGroup[] = ["receptionist", "admin"];

export class CognitoTokenVerifier implements StaffTokenVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: { issuer: string; jwksUri: string; clientId: string }) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUri), { cooldownDuration: 30_000 });
  }

  async verify(token: string): Promise<StaffPrincipal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.options.issuer,
        algorithms: ["RS256"],
        // Cognito always sets these; a token without an expiry would never expire.
        requiredClaims: ["exp", "iat", "sub"],
      }));
    } catch (cause) {
      throw new DomainError("UNAUTHENTICATED", "Please sign in again.", {}, { cause });
    }
    // Access tokens name their client in `client_id` (id tokens in `aud`).
    const client = payload.client_id ?? payload.aud;
    if (payload.token_use !== "access" || client !== this.options.clientId || !payload.sub) {
      throw new DomainError("UNAUTHENTICATED", "Please sign in again.");
    }
    const claimed = payload["cognito:groups"];
    const groups = (Array.isArray(claimed) ? claimed : []).filter((g): g is StaffGroup =>
      STAFF_GROUPS.includes(g as StaffGroup),
    );
    return {
      id: payload.sub,
      username: String(payload.username ?? payload["cognito:username"] ?? payload.sub),
      groups,
    };
  }
}
