import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { OnceMarkers } from "../../ports";
import { conditionFailed } from "./errors";
import { keys } from "./keys";
import { DynamoTable } from "./table";

/** Once-only markers: one conditional Put each, gone through TTL when they expire. */
export class DynamoOnceMarkers extends DynamoTable implements OnceMarkers {
  async claimOnce(locationId: string, key: string, ttlSeconds: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keys.once(locationId, key),
            type: "once",
            expiresAt: Math.floor(Date.now() / 1000) + ttlSeconds,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }
}
