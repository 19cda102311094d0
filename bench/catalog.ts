import { DEMO_LOCATION_ID, demoClinic } from "../local/demo-clinic";
import type { Catalog, Practitioner, WeeklyHours } from "../shared/domain/catalog";

/** The instant every benchmark runs at: a Monday, 10:00 in Los Angeles. */
export const BENCH_NOW = new Date("2026-11-30T18:00:00Z");
export const BENCH_LOCATION_ID = DEMO_LOCATION_ID;
export const BENCH_TREATMENT_ID = "microneedling-face";

/** 08:00–20:00 on every day of the week. */
export function everyDay(start = "08:00", end = "20:00"): WeeklyHours {
  const range = [{ start, end }];
  return { "1": range, "2": range, "3": range, "4": range, "5": range, "6": range, "7": range };
}

const allTreatments = demoClinic.treatments.map((t) => t.id);

/** Practitioners the bench adds to the demo clinic, so there are enough free slots. */
export const EXTRA_PRACTITIONERS: Practitioner[] = ["ines", "omar", "rosa"].map((id) => ({
  id,
  name: id[0]?.toUpperCase() + id.slice(1),
  weeklyHours: everyDay(),
  treatmentIds: allTreatments,
}));

/**
 * The bench's own copy of the demo clinic: Jules and Maya as in the demo, plus
 * three practitioners working every day 08:00–20:00 (five in all).
 */
export const benchCatalog: Catalog = {
  ...demoClinic,
  practitioners: [...demoClinic.practitioners, ...EXTRA_PRACTITIONERS],
};
