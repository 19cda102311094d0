import type { FollowUp } from "../../../shared/domain/follow-ups";

/** What staff call a follow-up: the subject it was sent with, else what it is for. */
export function followUpLabel(f: FollowUp, clinicName: string): string {
  if (f.rendered) return f.rendered.subject;
  if (f.planStep) return f.planStep.subject.replace(/\{\{clinicName\}\}/g, clinicName);
  const byKind: Partial<Record<FollowUp["kind"], string>> = {
    confirmation: "Confirmation",
    reminder: "Reminder before the session",
    "auto-complete": "Marked completed automatically (no email)",
  };
  return byKind[f.kind] ?? f.step;
}
