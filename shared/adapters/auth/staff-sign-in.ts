import {
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
  type InitiateAuthCommandOutput,
} from "@aws-sdk/client-cognito-identity-provider";
import { DomainError } from "../../domain/errors";

export interface StaffSession {
  token: string;
  expiresAt: Date;
}

export interface StaffSignIn {
  signIn(email: string, password: string, now: Date): Promise<StaffSession>;
}

/** Password sign-in for the console through the user pool (USER_PASSWORD_AUTH). */
export class CognitoSignIn implements StaffSignIn {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly clientId: string,
  ) {}

  async signIn(email: string, password: string, now: Date): Promise<StaffSession> {
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
    const seconds = out.AuthenticationResult?.ExpiresIn ?? 3600;
    return { token, expiresAt: new Date(now.getTime() + seconds * 1000) };
  }
}

const AUTH_FAILURES = new Set([
  "NotAuthorizedException",
  "UserNotFoundException",
  "UserNotConfirmedException",
  "PasswordResetRequiredException",
  // cognito-local answers a wrong password this way.
  "InvalidPasswordException",
]);
