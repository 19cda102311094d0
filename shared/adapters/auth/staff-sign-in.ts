import {
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
} from "@aws-sdk/client-cognito-identity-provider";
import { decodeJwt } from "jose";
import { DomainError } from "../../domain/errors";

export interface StaffSession {
  token: string;
  expiresAt: Date;
}

export interface StaffSignIn {
  signIn(email: string, password: string): Promise<StaffSession>;
}

/** Password sign-in for the console through the user pool (USER_PASSWORD_AUTH). */
export class CognitoSignIn implements StaffSignIn {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly clientId: string,
  ) {}

  async signIn(email: string, password: string): Promise<StaffSession> {
    let out: InitiateAuthCommandOutput;
    try {
      out = await this.client.send(
        new InitiateAuthCommand({
          AuthFlow: "USER_PASSWORD_AUTH",
          ClientId: this.clientId,
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      );
    } catch (cause) {
      if (cause instanceof Error && AUTH_FAILURES.has(cause.name)) {
        throw new DomainError("UNAUTHENTICATED", "Email or password is incorrect.", {}, { cause });
      }
      throw cause;
    }
    const token = out.AuthenticationResult?.AccessToken;
    if (!token) {
      // e.g. a new password is required: that is done with an administrator, not here.
      throw new DomainError("UNAUTHENTICATED", "This account cannot sign in here yet.");
    }
    return { token, expiresAt: tokenExpiry(token) };
  }
}

/**
 * When the session ends: the token's own `exp`, on the pool's clock. Not the app's
 * clock plus `ExpiresIn`: the cookie built from it is judged by the browser's clock,
 * and the app's may be pinned or skewed.
 */
export function tokenExpiry(token: string): Date {
  let exp: unknown;
  try {
    ({ exp } = decodeJwt(token));
  } catch (cause) {
    throw new DomainError(
      "UNAUTHENTICATED",
      "The sign-in answer could not be read.",
      {},
      { cause },
    );
  }
  if (typeof exp !== "number" || !Number.isFinite(exp)) {
    throw new DomainError("UNAUTHENTICATED", "The sign-in answer has no expiry.");
  }
  return new Date(exp * 1000);
}

const AUTH_FAILURES = new Set([
  "NotAuthorizedException",
  "UserNotFoundException",
  "UserNotConfirmedException",
  "PasswordResetRequiredException",
  // cognito-local answers a wrong password this way.
  "InvalidPasswordException",
]);
