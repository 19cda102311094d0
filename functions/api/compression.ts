import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { MiddlewareHandler } from "hono";

/**
 * Compresses text answers for clients that accept it: an HTTP API does not
 * compress for us, and a week of availability is 20 KB of JSON. Brotli when the
 * client takes it, else gzip; at a quality that costs well under a millisecond for
 * our answers. Small answers (under 1 KiB), already encoded ones and `no-transform`
 * stay as they are. In Lambda the adapter sends an encoded body as base64.
 */

const THRESHOLD = 1024;
const TEXT = /^(?:text\/|application\/(?:json|javascript|problem\+json)|image\/svg\+xml)/i;

type Encoding = "br" | "gzip";

/** The encoding to use for an `Accept-Encoding` header: br first, then gzip; q=0 refuses. */
export function chooseEncoding(accept: string | undefined): Encoding | null {
  if (!accept) return null;
  const q = new Map<string, number>();
  for (const part of accept.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name.trim(), Number.isFinite(value) ? value : 0);
  }
  const accepted = (e: string) => (q.get(e) ?? q.get("*") ?? 0) > 0;
  if (accepted("br")) return "br";
  if (accepted("gzip")) return "gzip";
  return null;
}

function encode(body: Uint8Array, encoding: Encoding): Uint8Array {
  return encoding === "br"
    ? brotliCompressSync(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 4,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
        },
      })
    : gzipSync(body, { level: 6 });
}

export const compression: MiddlewareHandler = async (c, next) => {
  await next();
  const res = c.res;
  // Whatever the answer, a cache must key it by the encoding asked for.
  const vary = res.headers.get("Vary");
  if (!vary?.toLowerCase().includes("accept-encoding")) {
    res.headers.set("Vary", vary ? `${vary}, Accept-Encoding` : "Accept-Encoding");
  }
  const encoding = chooseEncoding(c.req.header("Accept-Encoding"));
  if (
    !encoding ||
    c.req.method === "HEAD" ||
    !res.body ||
    res.headers.has("Content-Encoding") ||
    !TEXT.test(res.headers.get("Content-Type") ?? "") ||
    /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(res.headers.get("Cache-Control") ?? "")
  ) {
    return;
  }
  const body = new Uint8Array(await res.arrayBuffer());
  const headers = new Headers(res.headers);
  if (body.byteLength < THRESHOLD) {
    c.res = new Response(body, { status: res.status, headers });
    return;
  }
  const encoded = encode(body, encoding);
  headers.set("Content-Encoding", encoding);
  headers.set("Content-Length", String(encoded.byteLength));
  // A strong validator names the bytes, which are no longer the same.
  const etag = headers.get("ETag");
  if (etag && !etag.startsWith("W/")) headers.set("ETag", `W/${etag}`);
  // Setting `c.res` over a response copies the old one's headers onto the new one
  // (its Content-Length among them); cleared first, the new response is taken as is.
  c.res = undefined as unknown as Response;
  c.res = new Response(encoded, { status: res.status, headers });
};
