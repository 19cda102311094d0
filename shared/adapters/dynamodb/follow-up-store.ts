import { QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { FollowUp } from "../../domain/follow-ups";
import { FOLLOW_UP_CLAIM_LEASE_MS, type FollowUpStore } from "../../ports";
import { conditionFailed } from "./errors";
import { strip } from "./items";
import { keys } from "./keys";
import { DynamoTable } from "./table";
import { TABLE_KEYS } from "./table-definition";

/** A schedule may fire a little early (clock skew); never more than this. */
const EARLY_FIRE_MS = 5 * 60_000;

/**
 * The sender's side of the follow-ups, each one conditional update: claim, release,
 * finish; and the due index the local runner and the repair sweep read.
 */
export class DynamoFollowUpStore extends DynamoTable implements FollowUpStore {
  /**
   * A claimed follow-up stays in the due index, due again at the end of its lease: if
   * the claim is never finished or released (the process died), the local runner and
   * the repair sweep find it there and settle it (`runFollowUp`).
   */
  async claim(
    locationId: string,
    bookingId: string,
    step: string,
    now: Date,
  ): Promise<FollowUp | null> {
    const g3 = TABLE_KEYS.indexes.dueFollowUps;
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.followUp(locationId, bookingId, step),
          UpdateExpression:
            "SET #status = :sending, claimedAt = :now, updatedAt = :now, #g3sk = :lease ADD attempts :one",
          ConditionExpression: "#status = :scheduled AND dueAt <= :latest",
          ExpressionAttributeNames: { "#status": "status", "#g3sk": g3.sortKey },
          ExpressionAttributeValues: {
            ":sending": "sending",
            ":scheduled": "scheduled",
            ":now": now.toISOString(),
            ":latest": new Date(now.getTime() + EARLY_FIRE_MS).toISOString(),
            ":one": 1,
            // An index's sort key need not be unique; the suffix only orders ties.
            ":lease": `${new Date(now.getTime() + FOLLOW_UP_CLAIM_LEASE_MS).toISOString()}#${bookingId}/${step}`,
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return out.Attributes ? strip<FollowUp>(out.Attributes) : null;
    } catch (error) {
      if (conditionFailed(error)) return null;
      throw error;
    }
  }

  get(locationId: string, bookingId: string, step: string): Promise<FollowUp | null> {
    return this.getItem<FollowUp>(keys.followUp(locationId, bookingId, step));
  }

  async release(claimed: FollowUp): Promise<void> {
    const g3 = TABLE_KEYS.indexes.dueFollowUps;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.followUp(claimed.locationId, claimed.bookingId, claimed.step),
          UpdateExpression:
            "SET #status = :scheduled, #g3pk = :g3pk, #g3sk = :g3sk REMOVE claimedAt",
          ConditionExpression: "#status = :sending AND claimedAt = :claimedAt",
          ExpressionAttributeNames: {
            "#status": "status",
            "#g3pk": g3.partitionKey,
            "#g3sk": g3.sortKey,
          },
          ExpressionAttributeValues: {
            ":scheduled": "scheduled",
            ":sending": "sending",
            ":claimedAt": claimed.claimedAt,
            ":g3pk": keys.dueFollowUps(claimed.locationId),
            ":g3sk": `${claimed.dueAt}#${claimed.id}`,
          },
        }),
      );
    } catch (error) {
      // Replaced meanwhile by a change to the booking: nothing to give back.
      if (!conditionFailed(error)) throw error;
    }
  }

  async finish(
    claimed: FollowUp,
    outcome: Parameters<FollowUpStore["finish"]>[1],
  ): Promise<boolean> {
    const g3 = TABLE_KEYS.indexes.dueFollowUps;
    const values: Record<string, unknown> = {
      ":status": outcome.status,
      ":at": outcome.at.toISOString(),
      ":sending": "sending",
      ":claimedAt": claimed.claimedAt,
    };
    const sets = ["#status = :status", "updatedAt = :at"];
    if (outcome.status === "sent") sets.push("sentAt = :at");
    const names: Record<string, string> = { "#status": "status" };
    // Named through placeholders: ERROR is a reserved word in DynamoDB expressions.
    for (const field of ["messageId", "error", "rendered"] as const) {
      if (outcome[field] !== undefined) {
        sets.push(`#${field} = :${field}`);
        names[`#${field}`] = field;
        values[`:${field}`] = outcome[field];
      }
    }
    // A final follow-up leaves the due index.
    names["#g3pk"] = g3.partitionKey;
    names["#g3sk"] = g3.sortKey;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.followUp(claimed.locationId, claimed.bookingId, claimed.step),
          UpdateExpression: `SET ${sets.join(", ")} REMOVE #g3pk, #g3sk`,
          ConditionExpression: "#status = :sending AND claimedAt = :claimedAt",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async due(locationId: string, asOf: Date, limit: number) {
    const g3 = TABLE_KEYS.indexes.dueFollowUps;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: g3.name,
        KeyConditionExpression: "#pk = :pk AND #sk <= :asOf",
        ExpressionAttributeNames: { "#pk": g3.partitionKey, "#sk": g3.sortKey },
        ExpressionAttributeValues: {
          ":pk": keys.dueFollowUps(locationId),
          // "~" sorts after every id, so items due exactly at asOf are included.
          ":asOf": `${asOf.toISOString()}~`,
        },
        Limit: limit,
      }),
    );
    // The instant the index holds: the due time, or for a claim the end of its lease.
    return (out.Items ?? []).map((i) => ({
      bookingId: String(i.bookingId),
      step: String(i.step),
      dueAt: String(i[g3.sortKey]).split("#")[0] as string,
    }));
  }
}
