import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { type DocSender, throttlingAsBusy } from "./errors";
import { strip } from "./items";

/** What every store of the one table holds: its client and table name; it builds nothing. */
export abstract class DynamoTable {
  /** The client, with throttling that outlasted the SDK's retries turned into SERVICE_BUSY. */
  protected readonly doc: DocSender;

  constructor(
    doc: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {
    this.doc = throttlingAsBusy(doc);
  }

  /** One item by its key, strongly consistent, without its key attributes; null if absent. */
  protected async getItem<T>(key: { PK: string; SK: string }): Promise<T | null> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item ? strip<T>(out.Item) : null;
  }
}
