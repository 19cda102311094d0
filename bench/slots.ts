import { addDays, localDateOf } from "../shared/domain/calendar";
import type { Catalog, Treatment } from "../shared/domain/catalog";
import { type AvailabilityBody, type BenchClient, UnexpectedResponse } from "./http";

export interface PlannedSlot {
  /** As the availability list gives it: ISO with the clinic's offset. */
  start: string;
  practitionerId: string;
  date: string;
}

const MINUTE = 60_000;
const WINDOW_DAYS = 31;

/**
 * Walks the app's own availability (GET /api/availability) over the whole booking
 * horizon, keeps per practitioner a set of slots that do not overlap one another
 * (session + buffer), and hands them out round-robin over the days, so successive
 * bookings spread over every practitioner and the whole horizon.
 */
export class SlotPlanner {
  private queue: PlannedSlot[] = [];
  private next = 0;

  private constructor() {}

  static async walk(o: {
    client: BenchClient;
    catalog: Catalog;
    treatment: Treatment;
    now: Date;
  }): Promise<SlotPlanner> {
    const planner = new SlotPlanner();
    const { policy } = o.catalog.clinic;
    const first = localDateOf(o.now, policy.timezone);
    const last = addDays(first, policy.horizonDays);
    const blockMs = (o.treatment.durationMinutes + o.treatment.bufferMinutes) * MINUTE;

    const byDay = new Map<string, Map<string, PlannedSlot[]>>();
    const busyUntil = new Map<string, number>();
    for (let from = first; from <= last; from = addDays(from, WINDOW_DAYS)) {
      const to = addDays(from, WINDOW_DAYS - 1) < last ? addDays(from, WINDOW_DAYS - 1) : last;
      const res = await o.client.get<AvailabilityBody>(
        `/api/availability?treatmentId=${o.treatment.id}&from=${from}&to=${to}`,
      );
      if (res.status !== 200) throw new UnexpectedResponse("availability", res.status, res.body);
      for (const s of res.body.slots) {
        const t = Date.parse(s.start);
        if (t < (busyUntil.get(s.practitionerId) ?? 0)) continue;
        busyUntil.set(s.practitionerId, t + blockMs);
        const date = localDateOf(new Date(t), policy.timezone);
        const day = byDay.get(date) ?? new Map<string, PlannedSlot[]>();
        byDay.set(date, day);
        const list = day.get(s.practitionerId) ?? [];
        day.set(s.practitionerId, list);
        list.push({ start: s.start, practitionerId: s.practitionerId, date });
      }
    }

    // Within a day, alternate practitioners (starting with a different one each day);
    // across days, one slot per day per round.
    const days = [...byDay.keys()]
      .sort()
      .map((date, i) => interleave([...(byDay.get(date) ?? [])], i));
    for (let round = 0; days.some((d) => d.length > round); round++) {
      for (const d of days) {
        const slot = d[round];
        if (slot) planner.queue.push(slot);
      }
    }
    return planner;
  }

  get remaining(): number {
    return this.queue.length - this.next;
  }

  get total(): number {
    return this.queue.length;
  }

  /** Distinct days and practitioners among the slots handed out so far. */
  spread(): { days: number; practitioners: number } {
    const used = this.queue.slice(0, this.next);
    return {
      days: new Set(used.map((s) => s.date)).size,
      practitioners: new Set(used.map((s) => s.practitionerId)).size,
    };
  }

  take(): PlannedSlot {
    const slot = this.queue[this.next++];
    if (!slot) throw new Error(`The bench ran out of free slots after ${this.queue.length}`);
    return slot;
  }
}

function interleave(groups: [string, PlannedSlot[]][], rotate: number): PlannedSlot[] {
  const byId = groups.sort(([a], [b]) => (a < b ? -1 : 1)).map(([, list]) => list);
  const k = byId.length ? rotate % byId.length : 0;
  const sorted = [...byId.slice(k), ...byId.slice(0, k)];
  const out: PlannedSlot[] = [];
  for (let i = 0; sorted.some((l) => l.length > i); i++) {
    for (const l of sorted) {
      const s = l[i];
      if (s) out.push(s);
    }
  }
  return out;
}
