import type { Template } from "aws-cdk-lib/assertions";

export interface FoundStatement {
  /** Logical id of the resource the document is in, and the property path to it. */
  where: string;
  effect: string;
  actions: string[];
  /** Each resource as a string: literal, or the intrinsic function as JSON. */
  resources: string[];
  hasPrincipal: boolean;
  statement: Record<string, any>;
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/**
 * Every policy statement in a template, wherever it sits: IAM policies, roles' inline
 * and trust policies, managed policies, KMS key policies, topic and queue policies.
 */
export function allStatements(template: Template): FoundStatement[] {
  const found: FoundStatement[] = [];
  const visit = (node: unknown, where: string) => {
    if (Array.isArray(node)) {
      for (const [i, child] of node.entries()) visit(child, `${where}[${i}]`);
      return;
    }
    if (!node || typeof node !== "object") return;
    const record = node as Record<string, unknown>;
    if (Array.isArray(record.Statement) && "Version" in record) {
      for (const s of record.Statement as Record<string, any>[]) {
        found.push({
          where,
          effect: String(s.Effect),
          actions: list(s.Action ?? s.NotAction).map(text),
          resources: list(s.Resource ?? s.NotResource).map(text),
          hasPrincipal: s.Principal !== undefined,
          statement: s,
        });
      }
      return;
    }
    for (const [key, child] of Object.entries(record)) visit(child, `${where}.${key}`);
  };
  const resources = template.toJSON().Resources as Record<string, unknown>;
  for (const [id, resource] of Object.entries(resources)) visit(resource, id);
  return found;
}

/** Statements that allow any action of `services` (or `*`) on a `*` resource. */
export function starResourceGrants(statements: FoundStatement[], services: string[]) {
  return statements.filter(
    (s) =>
      s.effect === "Allow" &&
      s.actions.some((a) => a === "*" || services.some((svc) => a.startsWith(`${svc}:`))) &&
      s.resources.some((r) => r === "*"),
  );
}
