import { OpenAPIHono } from "@hono/zod-openapi";
import { DomainError } from "../../shared/domain/errors";
import type { AppEnv } from "./context";

/** A router whose validation failures are 422 VALIDATION with field-level issues. */
export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      throw new DomainError("VALIDATION", "Some fields are missing or invalid.", {
        issues: result.error.issues.map((i) => ({
          path: i.path.map(String).join(".") || "(body)",
          message: i.message,
        })),
      });
    },
  });
}
