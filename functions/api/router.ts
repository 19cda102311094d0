import { OpenAPIHono } from "@hono/zod-openapi";
import { DomainError } from "../../shared/domain/errors";
import type { AppEnv } from "./context";

/** A router whose validation failures are 422 VALIDATION with field-level issues. */
export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      throw new DomainError("VALIDATION", "Some fields are missing or invalid.", {
        issues: result.error.issues.flatMap((i) => {
          const path = i.path.map(String).join(".");
          // Name each unknown field, so a caller sees exactly what to remove.
          if (i.code === "unrecognized_keys") {
            return i.keys.map((k) => ({
              path: path ? `${path}.${k}` : k,
              message: "Unknown field",
            }));
          }
          return [{ path: path || "(body)", message: i.message }];
        }),
      });
    },
  });
}
