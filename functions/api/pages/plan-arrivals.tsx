import type { PlanStep } from "../../../shared/domain/aftercare-plan";
import { addDays, instantAt, type LocalDate, weekdayOf } from "../../../shared/domain/calendar";
import { triggeredBy } from "../../../shared/domain/follow-ups";
import { type StepTimingPolicy, stepArrivals } from "../../../shared/domain/step-timing";
import { clockTime, longDate, shortWhen } from "./format";

const HOUR = 3_600_000;

/** The sample session the editor times the plan for: next Tuesday, 10:00 to 11:00 clinic time. */
export function sampleSession(today: LocalDate, zone: string) {
  const date = addDays(today, ((2 - weekdayOf(today) + 7) % 7) + 7);
  return {
    date,
    start: instantAt(date, "10:00", zone),
    end: instantAt(date, "11:00", zone),
  };
}

/**
 * When each step of the plan as edited would arrive for the sample session, marked
 * completed (or a no-show) as it ends: the same timing the follow-ups get.
 */
export function PlanArrivals({
  steps,
  today,
  policy,
}: {
  steps: readonly PlanStep[];
  today: LocalDate;
  policy: StepTimingPolicy;
}) {
  const zone = policy.timezone;
  const session = sampleSession(today, zone);
  const at = new Map<PlanStep, Date>();
  for (const trigger of ["completed", "no-show"] as const) {
    const group = steps.filter((s) => triggeredBy(s) === trigger);
    stepArrivals(group, session, session.end, policy).forEach((d, i) => {
      at.set(group[i] as PlanStep, d);
    });
  }
  const hour = (hhmm: string) => clockTime(instantAt(session.date, hhmm, zone), zone);
  const { start, end } = policy.sendingHours;
  return (
    <section aria-labelledby="arrivals-title">
      <h2 id="arrivals-title">When each email arrives</h2>
      <p class="muted">
        For a sample session on {longDate(session.date)}, {clockTime(session.start, zone)} to{" "}
        {clockTime(session.end, zone)}, marked as it ends. Emails go between {hour(start)} and{" "}
        {hour(end)} clinic time, at least an hour apart.
      </p>
      <div class="table-wrap">
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Subject</th>
              <th scope="col">Arrives</th>
            </tr>
          </thead>
          <tbody>
            {steps.map((s) => {
              const d = at.get(s) as Date;
              const hours = Math.round((d.getTime() - session.end.getTime()) / HOUR);
              return (
                <tr>
                  <td>{s.id}</td>
                  <td>{s.subject}</td>
                  <td>
                    {shortWhen(d, zone)}
                    {s.kind === "no-show"
                      ? " (if marked a no-show)"
                      : hours > 0
                        ? ` (${hours} h after the session)`
                        : " (as the session is marked)"}
                    {s.offsetHours !== undefined
                      ? `; its window opens at hour ${s.offsetHours}`
                      : ""}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
