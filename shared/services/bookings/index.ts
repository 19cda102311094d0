/** The booking use cases; callers import them from here. */
export { changeStatus } from "./change-status";
export { createBooking, type NewBooking } from "./create";
export {
  type BookingDeps,
  type IdempotencyIntent,
  normaliseEmail,
  patientIdFor,
} from "./deps";
export { getBooking } from "./records";
export { type Reschedule, rescheduleBooking } from "./reschedule";
