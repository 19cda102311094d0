import { BatchWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { CATALOG_SCHEMA_VERSION, parseCatalog } from "../../catalog/catalog-schema";
import type { Catalog } from "../../domain/catalog";
import { type Item, queryAll, strip } from "./items";
import { keys } from "./keys";

/** The catalog's items (its own partition), as stored. */
export function catalogItems(c: Catalog): Item[] {
  const l = c.clinic.locationId;
  return [
    { ...keys.clinic(l), type: "clinic", schemaVersion: CATALOG_SCHEMA_VERSION, ...c.clinic },
    ...c.treatments.map((t) => ({ ...keys.treatment(l, t.id), type: "treatment", ...t })),
    ...c.practitioners.map((p) => ({ ...keys.practitioner(l, p.id), type: "practitioner", ...p })),
    ...c.closures.map((x) => ({
      ...keys.closure(l, x.date, x.practitionerId),
      type: "closure",
      ...x,
    })),
  ];
}

/**
 * A catalog from its stored items, through the catalog schema: defaults fill what
 * older items lack, and a damaged item fails loudly instead of being guessed at.
 */
export function catalogFromItems(locationId: string, items: Item[]): Catalog {
  const fields = (item: Item) => {
    const { schemaVersion: _, ...rest } = strip<Item>(item);
    return rest;
  };
  const clinic = items.find((i) => i.SK === "CLINIC");
  if (!clinic) throw new Error(`No clinic configured for location ${locationId}`);
  const version = clinic.schemaVersion ?? 1;
  if (typeof version !== "number" || version > CATALOG_SCHEMA_VERSION) {
    throw new Error(
      `The catalog of ${locationId} has schema version ${version}, newer than this code`,
    );
  }
  const of = (prefix: string) => items.filter((i) => String(i.SK).startsWith(prefix)).map(fields);
  return parseCatalog({
    clinic: fields(clinic),
    treatments: of("TREATMENT#"),
    practitioners: of("PRACTITIONER#"),
    closures: of("CLOSURE#"),
  });
}

export interface CatalogWriteResult {
  written: number;
  /** Items of treatments, practitioners or closures no longer in the catalog. */
  removed: string[];
}

/**
 * Writes a clinic's catalog (seeding a location) after validating it: items are
 * replaced whole, and items no longer in the catalog are removed, so a reseed
 * leaves exactly the catalog given.
 */
export async function writeCatalog(
  doc: DynamoDBDocumentClient,
  tableName: string,
  input: Catalog,
): Promise<CatalogWriteResult> {
  const catalog = parseCatalog(input);
  const items = catalogItems(catalog);
  const wanted = new Set(items.map((i) => String(i.SK)));
  const stale = (await storedKeys(doc, tableName, catalog.clinic.locationId)).filter(
    (k) => !wanted.has(k.SK),
  );
  await batchWrite(doc, tableName, [
    ...items.map((Item) => ({ PutRequest: { Item } })),
    ...stale.map((Key) => ({ DeleteRequest: { Key } })),
  ]);
  return { written: items.length, removed: stale.map((k) => k.SK) };
}

async function storedKeys(doc: DynamoDBDocumentClient, tableName: string, locationId: string) {
  const items = await queryAll(doc, {
    TableName: tableName,
    KeyConditionExpression: "PK = :pk",
    ExpressionAttributeValues: { ":pk": keys.catalogPartition(locationId) },
    ProjectionExpression: "PK, SK",
    ConsistentRead: true,
  });
  return items.map((i) => ({ PK: String(i.PK), SK: String(i.SK) }));
}

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

async function batchWrite(doc: DynamoDBDocumentClient, tableName: string, all: WriteRequest[]) {
  for (let i = 0; i < all.length; i += 25) {
    let pending = all.slice(i, i + 25);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error("Catalog write kept being throttled");
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (out.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      if (pending.length) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}
