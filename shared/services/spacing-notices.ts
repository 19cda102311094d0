import { localDateOf } from "../domain/calendar";
import { spacingRefusalEmail } from "../messages/spacing-refusal";
import type {
  CatalogSource,
  Clock,
  LinkSigner,
  Mailer,
  OnceMarkers,
  SpacingNotices,
} from "../ports";
import { rebookUrl } from "./links";

const DAY_S = 86_400;

interface Log {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Emails the patient why an online booking was refused, at most once a day per
 * patient and earliest date, so repeated attempts (or someone else typing their
 * address) do not flood their inbox. A failure to send is logged, never thrown:
 * the refusal itself stands either way.
 */
export class EmailSpacingNotices implements SpacingNotices {
  constructor(
    private readonly deps: {
      catalogs: CatalogSource;
      once: OnceMarkers;
      mailer: Mailer;
      tokens: LinkSigner;
      clock: Clock;
      publicBaseUrl: string;
      logger: Log;
    },
  ) {}

  async refused(input: Parameters<SpacingNotices["refused"]>[0]): Promise<void> {
    const { catalogs, once, mailer, tokens, clock } = this.deps;
    try {
      const catalog = await catalogs.catalog(input.locationId);
      const now = clock.now();
      const today = localDateOf(now, catalog.clinic.policy.timezone);
      const key = `spacing-notice:${input.patientId}:${input.earliestAllowedDate}:${today}`;
      if (!(await once.claimOnce(input.locationId, key, DAY_S))) return;
      await mailer.send(
        spacingRefusalEmail({
          to: input.patient.email,
          patientName: input.patient.name,
          clinicName: catalog.clinic.name,
          ...(catalog.clinic.contact ? { clinicContact: catalog.clinic.contact } : {}),
          treatmentName: input.treatmentName,
          requestedDate: input.requestedDate,
          earliestAllowedDate: input.earliestAllowedDate,
          ...(input.latestAllowedDate ? { latestAllowedDate: input.latestAllowedDate } : {}),
          bookingUrl: rebookUrl(
            { tokens, publicBaseUrl: this.deps.publicBaseUrl },
            input.patientId,
            now,
          ),
        }),
      );
    } catch (error) {
      this.deps.logger.warn("spacing notice not sent", {
        patientId: input.patientId,
        errorName: error instanceof Error ? error.name : "unknown",
      });
    }
  }
}
