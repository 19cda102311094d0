import type { FollowUp } from "../../../shared/domain/follow-ups";
import { longDate, shortWhen } from "./format";

/** What staff call a follow-up: the subject it was sent with, else what it is for. */
export function followUpLabel(f: FollowUp, clinicName: string): string {
  if (f.rendered) return f.rendered.subject;
  if (f.planStep) return f.planStep.subject.replace(/\{\{clinicName\}\}/g, clinicName);
  const byKind: Partial<Record<FollowUp["kind"], string>> = {
    confirmation: "Confirmation",
    reminder: "Reminder before the session",
    cancellation: "Cancellation notice",
    "auto-complete": "Marked completed automatically (no email)",
  };
  return byKind[f.kind] ?? f.step;
}

/** A booking's follow-ups in due order: status, and a link to each email that was sent. */
export function FollowUpsTable(props: {
  bookingId: string;
  followUps: FollowUp[];
  clinicName: string;
  zone: string;
  label: string;
}) {
  const { bookingId, clinicName, zone } = props;
  if (props.followUps.length === 0) return <p class="muted">No follow-ups.</p>;
  const followUps = [...props.followUps].sort((x, y) =>
    x.dueAt < y.dueAt ? -1 : x.dueAt > y.dueAt ? 1 : x.step < y.step ? -1 : 1,
  );
  return (
    <section class="table-wrap" tabindex={0} aria-label={props.label}>
      <table class="list">
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Due</th>
            <th scope="col">Status</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {followUps.map((f) => (
            <tr>
              <td>{followUpLabel(f, clinicName)}</td>
              <td>{shortWhen(f.dueAt, zone)}</td>
              <td>
                <span class={`badge s-${f.status}`}>{f.status}</span>
              </td>
              <td>
                {f.messageId && f.rendered ? (
                  <a href={`/staff/bookings/${bookingId}/emails/${encodeURIComponent(f.step)}`}>
                    View sent email
                  </a>
                ) : null}
                {f.sentAt ? <span class="muted"> sent {shortWhen(f.sentAt, zone)}</span> : null}
                {f.error ? <span class="error"> {f.error}</span> : null}
                {f.supersededBy ? (
                  <span>
                    {" "}
                    Superseded by{" "}
                    <a href={`/staff/bookings/${f.supersededBy.bookingId}`}>
                      the session of {longDate(f.supersededBy.date)}
                    </a>
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
