import { PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { AftercarePlan } from "../../domain/aftercare-plan";
import { type PlanStore, StaleReadError } from "../../ports";
import { conditionFailed } from "./errors";
import { strip } from "./items";
import { keys } from "./keys";
import { DynamoTable } from "./table";

/** Aftercare plan versions, one item each: the latest is the last in its partition. */
export class DynamoPlanStore extends DynamoTable implements PlanStore {
  async currentPlan(locationId: string): Promise<AftercarePlan | null> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": keys.planPartition(locationId) },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    return item ? strip<AftercarePlan>(item) : null;
  }

  async savePlan(locationId: string, plan: AftercarePlan): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.plan(locationId, plan.version), type: "plan", ...plan },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    } catch (error) {
      if (conditionFailed(error)) {
        throw new StaleReadError(`Plan version ${plan.version} exists already`);
      }
      throw error;
    }
  }
}
