import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Catalog } from "../../domain/catalog";
import { keys } from "./keys";

/** Writes a clinic's catalog (seeding a location); items are replaced whole. */
export async function writeCatalog(doc: DynamoDBDocumentClient, tableName: string, c: Catalog) {
  const l = c.clinic.locationId;
  const items = [
    { ...keys.clinic(l), type: "clinic", ...c.clinic },
    ...c.treatments.map((t) => ({ ...keys.treatment(l, t.id), type: "treatment", ...t })),
    ...c.practitioners.map((p) => ({ ...keys.practitioner(l, p.id), type: "practitioner", ...p })),
    ...c.closures.map((x) => ({
      ...keys.closure(l, x.date, x.practitionerId),
      type: "closure",
      ...x,
    })),
  ];
  for (let i = 0; i < items.length; i += 25) {
    let pending = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error("Catalog write kept being throttled");
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (out.UnprocessedItems?.[tableName] ?? []) as typeof pending;
      if (pending.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}
