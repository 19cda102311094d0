import { type BusyInterval, computeSlots } from "../shared/domain/availability";
import { addDays, datesInRange, instantAt, localDateOf } from "../shared/domain/calendar";
import type { Catalog, Practitioner } from "../shared/domain/catalog";
import { BENCH_TREATMENT_ID, everyDay } from "./catalog";
import { type Summary, summarize } from "./stats";

export interface ComputeResult {
  runs: number;
  days: number;
  practitioners: number;
  busyIntervals: number;
  slotsPerRun: number;
  latency: Summary;
}

/** A small deterministic PRNG (mulberry32), so every run computes the same problem. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The pure slot computation alone: 31 days, five practitioners working every day
 * 08:00–20:00, ~300 busy intervals (bookings with their buffer) spread over them.
 */
export function measureCompute(
  catalog: Catalog,
  now: Date,
  o: { runs: number; warmup: number; busy: number },
): ComputeResult {
  const treatment = catalog.treatments.find((t) => t.id === BENCH_TREATMENT_ID);
  if (!treatment) throw new Error(`No ${BENCH_TREATMENT_ID}`);
  const { policy } = catalog.clinic;
  const practitioners: Practitioner[] = [1, 2, 3, 4, 5].map((i) => ({
    id: `p${i}`,
    name: `Practitioner ${i}`,
    weeklyHours: everyDay(),
    treatmentIds: [treatment.id],
  }));
  const from = addDays(localDateOf(now, policy.timezone), 1);
  const to = addDays(from, 30);
  const dates = datesInRange(from, to);
  const blockMs = (treatment.durationMinutes + treatment.bufferMinutes) * 60_000;
  const random = prng(20261130);
  const busy: BusyInterval[] = [];
  for (let i = 0; i < o.busy; i++) {
    const p = practitioners[i % practitioners.length] as Practitioner;
    const date = dates[Math.floor(random() * dates.length)] as string;
    const open = instantAt(date, "08:00", policy.timezone).getTime();
    const start = open + Math.floor(random() * 44) * 15 * 60_000; // on the grid, before 19:00
    busy.push({ practitionerId: p.id, start, end: start + blockMs });
  }
  const query = {
    treatment,
    practitioners,
    closures: catalog.closures,
    busy,
    from,
    to,
    now,
    policy,
  };

  let slotsPerRun = 0;
  for (let i = 0; i < o.warmup; i++) slotsPerRun = computeSlots(query).length;
  const samples: number[] = [];
  for (let i = 0; i < o.runs; i++) {
    const t0 = performance.now();
    slotsPerRun = computeSlots(query).length;
    samples.push(performance.now() - t0);
  }
  return {
    runs: o.runs,
    days: dates.length,
    practitioners: practitioners.length,
    busyIntervals: busy.length,
    slotsPerRun,
    latency: summarize(samples),
  };
}
