/** A page's address with its query: empty values are left out, the others encoded. */
export function link(path: string, query: Record<string, string | undefined> = {}): string {
  const parts = Object.entries(query)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${encodeURIComponent(v ?? "")}`);
  return parts.length ? `${path}?${parts.join("&")}` : path;
}
