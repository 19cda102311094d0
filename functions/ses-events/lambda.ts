import { createDocumentClient } from "../../shared/adapters/dynamodb/clients";
import { createLogger } from "../../shared/adapters/log/powertools-logger";
import { readSesEventsConfig } from "../../shared/config";
import { suppressAddress } from "../../shared/services/consent";
import { wireBookings } from "../wiring";
import { suppressionsIn } from "./ses-notification";

/** SES bounces and complaints (through SNS) → suppressed addresses. */
async function build() {
  const config = readSesEventsConfig(process.env);
  const logger = createLogger("clinic-ses-events", config.LOG_LEVEL);
  const { bookings } = wireBookings({
    doc: createDocumentClient({}).doc,
    tableName: config.TABLE_NAME,
    locationId: "unused: every suppression names its locations",
    clock: { now: () => new Date() },
    log: logger,
  });
  return { bookings, locationIds: config.LOCATION_IDS.split(","), logger };
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
