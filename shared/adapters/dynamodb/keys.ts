/** Key builders: the only place that knows how items are addressed. */
const loc = (locationId: string) => `LOC#${locationId}`;

export const keys = {
  catalogPartition: (l: string) => loc(l),
  clinic: (l: string) => ({ PK: loc(l), SK: "CLINIC" }),
  treatment: (l: string, id: string) => ({ PK: loc(l), SK: `TREATMENT#${id}` }),
  practitioner: (l: string, id: string) => ({ PK: loc(l), SK: `PRACTITIONER#${id}` }),
  closure: (l: string, date: string, practitionerId?: string) => ({
    PK: loc(l),
    SK: `CLOSURE#${date}#${practitionerId ?? "*"}`,
  }),
  booking: (l: string, id: string) => ({ PK: `${loc(l)}#BOOKING#${id}`, SK: "BOOKING" }),
  patient: (l: string, id: string) => ({ PK: `${loc(l)}#PATIENT#${id}`, SK: "PATIENT" }),
  lock: (l: string, practitionerId: string, instant: string) => ({
    PK: `${loc(l)}#LOCK#${practitionerId}#${instant}`,
    SK: "LOCK",
  }),
  auditPartition: (l: string) => `${loc(l)}#AUDIT`,
  audit: (l: string, at: string, id: string) => ({ PK: `${loc(l)}#AUDIT`, SK: `${at}#${id}` }),
  idempotency: (l: string, key: string) => ({ PK: `${loc(l)}#IDEM#${key}`, SK: "IDEM" }),
  once: (l: string, key: string) => ({ PK: `${loc(l)}#ONCE#${key}`, SK: "ONCE" }),
  followUp: (l: string, bookingId: string, step: string) => ({
    PK: `${loc(l)}#BOOKING#${bookingId}`,
    SK: `FOLLOWUP#${step}`,
  }),
  dueFollowUps: (l: string) => `${loc(l)}#DUE`,
  planPartition: (l: string) => `${loc(l)}#PLAN`,
  plan: (l: string, version: number) => ({
    PK: `${loc(l)}#PLAN`,
    SK: `V#${String(version).padStart(10, "0")}`,
  }),
  practitionerCalendar: (l: string, practitionerId: string) => `${loc(l)}#PRAC#${practitionerId}`,
  daySchedule: (l: string, date: string) => `${loc(l)}#DAY#${date}`,
};
