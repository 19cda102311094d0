import type {
  AttributeDefinition,
  CreateTableCommandInput,
  KeySchemaElement,
} from "@aws-sdk/client-dynamodb";
import {
  type Attribute,
  AttributeType,
  BillingMode,
  type GlobalSecondaryIndexProps,
  ProjectionType,
} from "aws-cdk-lib/aws-dynamodb";
import { createTableInput, TABLE_KEYS } from "../shared/adapters/dynamodb/table-definition";

/**
 * The CDK table derived from the one table definition (shared/adapters/dynamodb):
 * keys, attribute types, GSIs with their projections, billing mode and TTL are read
 * from `createTableInput`, never retyped here.
 */
export interface TableShape {
  partitionKey: Attribute;
  sortKey: Attribute;
  billingMode: BillingMode;
  globalSecondaryIndexes: GlobalSecondaryIndexProps[];
  timeToLiveAttribute: string;
}

const TYPES: Record<string, AttributeType> = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
};

const PROJECTIONS: Record<string, ProjectionType> = {
  ALL: ProjectionType.ALL,
  KEYS_ONLY: ProjectionType.KEYS_ONLY,
  INCLUDE: ProjectionType.INCLUDE,
};

export function tableShape(
  input: CreateTableCommandInput = createTableInput("unused"),
): TableShape {
  const attributes = input.AttributeDefinitions ?? [];
  const attribute = (keys: KeySchemaElement[] | undefined, keyType: "HASH" | "RANGE") => {
    const name = keys?.find((k) => k.KeyType === keyType)?.AttributeName;
    const def = attributes.find((a: AttributeDefinition) => a.AttributeName === name);
    const type = def?.AttributeType && TYPES[def.AttributeType];
    if (!name || !type) throw new Error(`Table definition: no ${keyType} key with a known type`);
    return { name, type };
  };
  const sortKey = (keys: KeySchemaElement[] | undefined) =>
    keys?.some((k) => k.KeyType === "RANGE") ? { sortKey: attribute(keys, "RANGE") } : {};
  const billingMode =
    input.BillingMode === "PAY_PER_REQUEST" ? BillingMode.PAY_PER_REQUEST : BillingMode.PROVISIONED;
  if (billingMode !== BillingMode.PAY_PER_REQUEST) {
    throw new Error("Table definition: the deployed table is on-demand (PAY_PER_REQUEST)");
  }
  return {
    partitionKey: attribute(input.KeySchema, "HASH"),
    sortKey: attribute(input.KeySchema, "RANGE"),
    billingMode,
    timeToLiveAttribute: TABLE_KEYS.ttlAttribute,
    globalSecondaryIndexes: (input.GlobalSecondaryIndexes ?? []).map((gsi) => {
      const projectionType = PROJECTIONS[gsi.Projection?.ProjectionType ?? "ALL"];
      if (!gsi.IndexName || !projectionType) throw new Error("Table definition: bad index");
      return {
        indexName: gsi.IndexName,
        partitionKey: attribute(gsi.KeySchema, "HASH"),
        ...sortKey(gsi.KeySchema),
        projectionType,
        ...(projectionType === ProjectionType.INCLUDE
          ? { nonKeyAttributes: gsi.Projection?.NonKeyAttributes ?? [] }
          : {}),
      };
    }),
  };
}
