import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Catalog } from "../../domain/catalog";
import type { CatalogSource } from "../../ports";
import { catalogFromItems } from "./catalog-writer";
import { queryAll } from "./items";
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
    return catalogFromItems(locationId, items);
  }
}
