import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Catalog, Clinic, Closure, Practitioner, Treatment } from "../../domain/catalog";
import type { CatalogSource } from "../../ports";
import { queryAll, strip } from "./items";
import { keys } from "./keys";
import { DynamoTable } from "./table";

export interface DynamoCatalogOptions {
  /** How long a clinic's catalog is reused before it is read again (0: never cached). */
  catalogTtlMs?: number;
}

/** The catalog partition of each location, read in one Query and reused for a while. */
export class DynamoCatalogSource extends DynamoTable implements CatalogSource {
  private readonly catalogCache = new Map<string, { at: number; value: Promise<Catalog> }>();
  private readonly catalogTtlMs: number;

  constructor(doc: DynamoDBDocumentClient, tableName: string, options: DynamoCatalogOptions = {}) {
    super(doc, tableName);
    this.catalogTtlMs = options.catalogTtlMs ?? 30_000;
  }

  async catalog(locationId: string): Promise<Catalog> {
    const cached = this.catalogCache.get(locationId);
    if (cached && Date.now() - cached.at < this.catalogTtlMs) return cached.value;
    const value = this.readCatalog(locationId);
    this.catalogCache.set(locationId, { at: Date.now(), value });
    value.catch(() => this.catalogCache.delete(locationId));
    return value;
  }

  private async readCatalog(locationId: string): Promise<Catalog> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": keys.catalogPartition(locationId) },
    });
    let clinic: Clinic | undefined;
    const treatments: Treatment[] = [];
    const practitioners: Practitioner[] = [];
    const closures: Closure[] = [];
    for (const item of items) {
      const sk = String(item.SK);
      if (sk === "CLINIC") clinic = strip<Clinic>(item);
      else if (sk.startsWith("TREATMENT#")) treatments.push(strip<Treatment>(item));
      else if (sk.startsWith("PRACTITIONER#")) practitioners.push(strip<Practitioner>(item));
      else if (sk.startsWith("CLOSURE#")) closures.push(strip<Closure>(item));
    }
    if (!clinic) throw new Error(`No clinic configured for location ${locationId}`);
    return { clinic, treatments, practitioners, closures };
  }
}
