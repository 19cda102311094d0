import type { OpenAPIHono } from "@hono/zod-openapi";
import { html } from "hono/html";
import { type AppEnv, STAFF_COOKIE } from "../context";
import { ASSETS } from "../pages/assets";

const INFO = {
  title: "Clinic booking and aftercare API",
  version: "1.0.0",
  description:
    "Bookings, availability and staff tools of the clinic. Errors are `{error: {code, message}}`; validation failures are 422 `VALIDATION` with `issues`. Answers carrying a patient's data or a token are `Cache-Control: no-store`; a known path asked with another method is 405 with `Allow`, and `OPTIONS` answers 204 with `Allow`.",
  // The clinic's own software, published under no public licence.
  license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
};

type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
};

const METHODS = ["get", "post", "put", "delete", "patch"] as const;

/**
 * `/openapi.json` from the routes' zod schemas, and `/docs`: a plain reference page
 * rendered from the same document (no external scripts, so it works offline).
 */
export function docsRoutes(app: OpenAPIHono<AppEnv>, publicBaseUrl: string) {
  app.openAPIRegistry.registerComponent("securitySchemes", "staffBearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "Staff access token from POST /api/staff/session.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "staffCookie", {
    type: "apiKey",
    in: "cookie",
    name: STAFF_COOKIE,
    description:
      "The HttpOnly session cookie POST /api/staff/session sets (changes with it must come from this origin).",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "manageToken", {
    type: "apiKey",
    in: "query",
    name: "token",
    description: "The signed token of the booking's manage link (or `Authorization: Bearer`).",
  });
  // The API is served beside the pages, at the clinic's public address.
  const config = {
    openapi: "3.1.0",
    info: INFO,
    servers: [{ url: publicBaseUrl, description: "This clinic" }],
  };
  app.doc31("/openapi.json", config);

  app.get("/docs", (c) => {
    const doc = app.getOpenAPI31Document(config);
    const ops = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      METHODS.flatMap((m) => {
        const op = (item as Record<string, Operation | undefined>)[m];
        return op ? [{ method: m.toUpperCase(), path, op }] : [];
      }),
    );
    const schemas = doc.components?.schemas ?? {};
    c.header(
      "Content-Security-Policy",
      "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
    );
    return c.html(html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${INFO.title}</title><link rel="icon" href="${ASSETS.icon.path}" type="image/svg+xml">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}
h2{margin-top:2.5rem;border-bottom:1px solid #ddd}.op{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
.m{font-weight:700;display:inline-block;min-width:4.5rem}.GET{color:#0a6}.POST{color:#06c}.PUT{color:#a60}.DELETE{color:#c22}
code,pre{background:#f6f6f6;border-radius:4px}pre{padding:.5rem;overflow:auto;font-size:13px}summary{cursor:pointer}
</style></head>
<body>
<h1>${INFO.title}</h1>
<p>${INFO.description} The machine-readable document is at <a href="/openapi.json">/openapi.json</a>.</p>
${["Public", "Staff"].map(
  (tag) => html`<h2>${tag}</h2>
${ops
  .filter((o) => o.op.tags?.includes(tag))
  .map(
    ({ method, path, op }) => html`<section class="op">
<h3><span class="m ${method}">${method}</span> <code>${path}</code></h3>
<p>${op.summary ?? ""}${op.security?.length ? " (authenticated)" : ""}</p>
${op.description ? html`<p>${op.description}</p>` : ""}
${
  op.parameters?.length
    ? html`<p>Parameters: ${op.parameters.map(
        (p, i) =>
          html`${i ? ", " : ""}<code>${p.name}</code> (${p.in}${p.required ? ", required" : ""})`,
      )}</p>`
    : ""
}
${
  op.requestBody?.content
    ? html`<details><summary>Request body</summary><pre>${JSON.stringify(
        Object.values(op.requestBody.content)[0]?.schema,
        null,
        2,
      )}</pre></details>`
    : ""
}
<p>Responses: ${Object.entries(op.responses ?? {}).map(
      ([status, r], i) => html`${i ? "; " : ""}<strong>${status}</strong> ${r.description ?? ""}`,
    )}</p>
</section>`,
  )}`,
)}
<h2>Schemas</h2>
${Object.entries(schemas).map(
  ([name, schema]) =>
    html`<details><summary><code>${name}</code></summary><pre>${JSON.stringify(schema, null, 2)}</pre></details>`,
)}
</body></html>`);
  });
}
