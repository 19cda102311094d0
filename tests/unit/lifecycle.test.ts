import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import type { BookingStatus } from "../../shared/domain/booking";
import { DomainError } from "../../shared/domain/errors";
import {
  type Action,
  type Actor,
  allowedActions,
  changeCutoff,
  holdsSlot,
  transition,
} from "../../shared/domain/lifecycle";

const HOUR_MS = 3_600_000;
/** Monday 2026-11-02 10:00 PST; its 24-hour cut-off falls on the November change day. */
const START = "2026-11-02T18:00:00.000Z";
const startMs = Date.parse(START);

const TIMES = {
  "2 days before": startMs - 48 * HOUR_MS,
  "exactly at the 24 h cut-off": startMs - 24 * HOUR_MS,
  "1 ms inside the cut-off": startMs - 24 * HOUR_MS + 1,
  "1 h before": startMs - HOUR_MS,
  "at the start": startMs,
  "1 h after the start": startMs + HOUR_MS,
} as const;
type When = keyof typeof TIMES;
const WHEN = Object.keys(TIMES) as When[];

const ACTORS = {
  patient: { kind: "patient" } as Actor,
  staff: { kind: "staff", id: "staff-7" } as Actor,
};
type ActorName = keyof typeof ACTORS;

type Outcome = BookingStatus | "INVALID_STATE" | "TOO_LATE_TO_CHANGE" | "FORBIDDEN";

function outcome(
  status: BookingStatus,
  action: Action,
  actor: ActorName,
  when: When,
  changeCutoffHours = 24,
): Outcome {
  try {
    return transition({ status, start: START }, action, {
      actor: ACTORS[actor],
      now: new Date(TIMES[when]),
      changeCutoffHours,
    });
  } catch (error) {
    if (error instanceof DomainError) return error.code as Outcome;
    throw error;
  }
}

const IS = "INVALID_STATE";
const TL = "TOO_LATE_TO_CHANGE";

/**
 * A confirmed booking: outcome per action and actor, in the order of WHEN:
 * 2 days before, at the cut-off, 1 ms inside it, 1 h before, at the start, 1 h after.
 */
const CONFIRMED: Record<Action, Record<ActorName, Outcome[]>> = {
  complete: {
    staff: [IS, IS, IS, IS, "completed", "completed"],
    // The lifecycle says completing is staff-only; a patient must never complete a
    // session. Before the start the session "has not started"; after it, refused.
    patient: [IS, IS, IS, IS, "FORBIDDEN", "FORBIDDEN"],
  },
  "no-show": {
    staff: [IS, IS, IS, IS, "no-show", "no-show"],
    patient: [IS, IS, IS, IS, "FORBIDDEN", "FORBIDDEN"],
  },
  cancel: {
    staff: ["cancelled", "cancelled", "cancelled", "cancelled", "cancelled", "cancelled"],
    patient: ["cancelled", "cancelled", TL, TL, TL, TL],
  },
  reschedule: {
    staff: ["confirmed", "confirmed", "confirmed", "confirmed", "confirmed", "confirmed"],
    patient: ["confirmed", "confirmed", TL, TL, TL, TL],
  },
};

const confirmedRows = (Object.keys(CONFIRMED) as Action[]).flatMap((action) =>
  (Object.keys(ACTORS) as ActorName[]).flatMap((actor) =>
    WHEN.map((when, i) => ({ action, actor, when, expected: CONFIRMED[action][actor][i] })),
  ),
);

const FINAL: BookingStatus[] = ["completed", "no-show", "cancelled"];
const finalRows = FINAL.flatMap((status) =>
  (Object.keys(CONFIRMED) as Action[]).flatMap((action) =>
    (Object.keys(ACTORS) as ActorName[]).flatMap((actor) =>
      WHEN.map((when) => ({ status, action, actor, when })),
    ),
  ),
);

describe("transition: a confirmed booking", () => {
  it("the table covers every action × actor × time", () => {
    expect(confirmedRows).toHaveLength(4 * 2 * 6);
    for (const row of confirmedRows) expect(row.expected).toBeDefined();
  });

  it.each(confirmedRows)(
    "$action by $actor, $when → $expected",
    ({ action, actor, when, expected }) => {
      expect(outcome("confirmed", action, actor, when)).toBe(expected);
    },
  );
});

describe("transition: completed, no-show and cancelled are final", () => {
  it.each(finalRows)(
    "$status: $action by $actor, $when → INVALID_STATE",
    ({ status, action, actor, when }) => {
      expect(outcome(status, action, actor, when)).toBe("INVALID_STATE");
    },
  );
});

describe("transition: errors and the clinic's cut-off", () => {
  it("INVALID_STATE on a final booking names its status", () => {
    try {
      transition({ status: "cancelled", start: START }, "reschedule", {
        actor: ACTORS.staff,
        now: new Date(TIMES["2 days before"]),
        changeCutoffHours: 24,
      });
      expect.unreachable("a cancelled booking was changed");
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      const e = error as DomainError;
      expect(e.code).toBe("INVALID_STATE");
      expect(e.name).toBe("DomainError");
      expect(e.details).toEqual({ status: "cancelled" });
      expect(e.message).toContain("cancelled");
    }
  });

  it("INVALID_STATE before the start says the session has not started", () => {
    expect(() =>
      transition({ status: "confirmed", start: START }, "complete", {
        actor: ACTORS.staff,
        now: new Date(startMs - 1),
        changeCutoffHours: 24,
      }),
    ).toThrow(/not started/);
  });

  it("TOO_LATE_TO_CHANGE carries the cut-off hours", () => {
    try {
      transition({ status: "confirmed", start: START }, "cancel", {
        actor: ACTORS.patient,
        now: new Date(TIMES["1 h before"]),
        changeCutoffHours: 24,
      });
      expect.unreachable("a late cancellation went through");
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      const e = error as DomainError;
      expect(e.code).toBe("TOO_LATE_TO_CHANGE");
      expect(e.details).toEqual({ cutoffHours: 24 });
      expect(e.message).toContain("24 hours");
    }
  });

  it.each([
    // cut-off hours, when, expected for a patient's cancel
    [0, "1 h before", "cancelled"],
    [0, "at the start", "cancelled"],
    [0, "1 h after the start", TL],
    [48, "2 days before", "cancelled"],
    [48, "exactly at the 24 h cut-off", TL],
    [12, "exactly at the 24 h cut-off", "cancelled"],
    [12, "1 h before", TL],
  ] as [number, When, Outcome][])(
    "with a %i h cut-off, a patient's cancel %s → %s",
    (hours, when, expected) => {
      expect(outcome("confirmed", "cancel", "patient", when, hours)).toBe(expected);
      expect(outcome("confirmed", "reschedule", "patient", when, hours)).toBe(
        expected === "cancelled" ? "confirmed" : expected,
      );
    },
  );

  it("the cut-off counts elapsed hours, also across the fall-back night", () => {
    // A session at 10:00 PST on the change day 2026-11-01 (18:00Z). 24 elapsed hours
    // earlier is 18:00Z on 10-31, i.e. 11:00 PDT, not 10:00.
    const start = "2026-11-01T18:00:00.000Z";
    const cancelAt = (now: string) => {
      try {
        return transition({ status: "confirmed", start }, "cancel", {
          actor: ACTORS.patient,
          now: new Date(now),
          changeCutoffHours: 24,
        });
      } catch (error) {
        return error instanceof DomainError ? error.code : "other";
      }
    };
    expect(cancelAt("2026-10-31T17:30:00Z")).toBe("cancelled"); // 10:30 PDT, 24.5 h before
    expect(cancelAt("2026-10-31T18:00:00Z")).toBe("cancelled"); // 11:00 PDT, exactly 24 h
    expect(cancelAt("2026-10-31T18:30:00Z")).toBe(TL); // 11:30 PDT, 23.5 h before
  });
});

describe("allowedActions: what the views offer", () => {
  const policy = { changeCutoffHours: 24 };
  const STATUSES: BookingStatus[] = ["confirmed", ...FINAL];
  const rows = STATUSES.flatMap((status) =>
    (Object.keys(ACTORS) as ActorName[]).flatMap((actor) =>
      WHEN.map((when) => ({ status, actor, when })),
    ),
  );

  it.each(rows)(
    "$status, $actor, $when: exactly the actions transition accepts",
    ({ status, actor, when }) => {
      const accepted = (["complete", "no-show", "reschedule", "cancel"] as Action[]).filter(
        (action) => !/^[A-Z_]+$/.test(outcome(status, action, actor, when)),
      );
      expect(
        allowedActions({ status, start: START }, ACTORS[actor], new Date(TIMES[when]), policy),
      ).toEqual(accepted);
    },
  );

  it("staff: reschedule and cancel before the start, the outcome buttons too once it has started", () => {
    const at = (ms: number) =>
      allowedActions({ status: "confirmed", start: START }, ACTORS.staff, new Date(ms), policy);
    expect(at(startMs - 1)).toEqual(["reschedule", "cancel"]);
    expect(at(startMs)).toEqual(["complete", "no-show", "reschedule", "cancel"]);
  });

  it("a patient at the exact cut-off instant may still change; 1 ms later, nothing", () => {
    const cutoff = changeCutoff({ start: START }, policy);
    expect(cutoff.toISOString()).toBe("2026-11-01T18:00:00.000Z");
    const at = (ms: number) =>
      allowedActions({ status: "confirmed", start: START }, ACTORS.patient, new Date(ms), policy);
    expect(at(cutoff.getTime())).toEqual(["reschedule", "cancel"]);
    expect(at(cutoff.getTime() + 1)).toEqual([]);
  });

  it.each([
    // The cut-off is 24 elapsed hours, so its wall-clock time moves by the changed hour.
    // Sunday 2026-03-08 10:00 PDT (17:00Z): Saturday 09:00 PST; at Saturday 10:00 PST
    // (the same wall-clock time the day before) it is already closed.
    [
      "2026-03-08T17:00:00.000Z",
      "2026-03-07T09:00:00.000-08:00",
      { at: "2026-03-07T18:00:00Z", allowed: [] },
    ],
    // Sunday 2026-11-01 10:00 PST (18:00Z): Saturday 11:00 PDT; at Saturday 10:00 PDT
    // it is still open.
    [
      "2026-11-01T18:00:00.000Z",
      "2026-10-31T11:00:00.000-07:00",
      { at: "2026-10-31T17:00:00Z", allowed: ["reschedule", "cancel"] },
    ],
  ] as [string, string, { at: string; allowed: Action[] }][])(
    "across the DST change, a session at %s closes to patients at %s",
    (start, local, sameWallClock) => {
      const cutoff = changeCutoff({ start }, policy);
      expect(DateTime.fromJSDate(cutoff, { zone: "America/Los_Angeles" }).toISO()).toBe(local);
      expect(Date.parse(start) - cutoff.getTime()).toBe(24 * HOUR_MS);
      const at = (ms: number) =>
        allowedActions({ status: "confirmed", start }, ACTORS.patient, new Date(ms), policy);
      expect(at(Date.parse(sameWallClock.at))).toEqual(sameWallClock.allowed);
      expect(at(cutoff.getTime())).toEqual(["reschedule", "cancel"]);
      expect(at(cutoff.getTime() + 1)).toEqual([]);
    },
  );
});

describe("holdsSlot", () => {
  it.each([
    ["confirmed", true],
    ["completed", true],
    ["no-show", false],
    ["cancelled", false],
  ] as [BookingStatus, boolean][])("%s → %s", (status, expected) => {
    expect(holdsSlot(status)).toBe(expected);
  });
});
