import { randomUUID } from "node:crypto";
import { DynamoBookingStore } from "../../shared/adapters/dynamodb/booking-store";
import { createDocumentClient } from "../../shared/adapters/dynamodb/clients";
import { createLogger } from "../../shared/adapters/log/powertools-logger";
import { readSesEventsConfig } from "../../shared/config";
import { suppressAddress } from "../../shared/services/consent";
import { suppressionsIn } from "./ses-notification";

/** SES bounces and complaints (through SNS) → suppressed addresses. */
async function build() {
  const config = readSesEventsConfig(process.env);
  const { doc } = createDocumentClient({});
  return {
    bookings: {
      store: new DynamoBookingStore(doc, config.TABLE_NAME),
      clock: { now: () => new Date() },
      newId: () => randomUUID().replaceAll("-", ""),
      locationId: "unused",
    },
    locationIds: config.LOCATION_IDS.split(","),
    logger: createLogger("clinic-ses-events", config.LOG_LEVEL),
  };
}

let ready: ReturnType<typeof build> | undefined;

export const handler = async (event: { Records?: { Sns?: { Message?: string } }[] }) => {
  ready ??= build();
  const deps = await ready;
  let suppressed = 0;
  for (const record of event.Records ?? []) {
    for (const s of suppressionsIn(record.Sns?.Message)) {
      await suppressAddress(deps.bookings, {
        email: s.email,
        reason: s.reason,
        locationIds: s.locationId ? [s.locationId] : deps.locationIds,
      });
      suppressed++;
    }
  }
  deps.logger.info("ses events handled", { records: event.Records?.length ?? 0, suppressed });
  return { suppressed };
};
