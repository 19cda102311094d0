import type { Catalog, WeeklyHours } from "../shared/domain/catalog";
import { DEFAULT_POLICY } from "../shared/domain/catalog";

/**
 * The demo clinic, Face of Jules in Los Angeles. Treatments follow its aftercare
 * guide: microneedling sessions 4 to 6 weeks apart (28 to 42 days), and LED facials,
 * which the guide suggests between microneedling sessions, with no spacing rule.
 */
const weekdays = (start: string, end: string): WeeklyHours => ({
  "1": [{ start, end }],
  "2": [{ start, end }],
  "3": [{ start, end }],
  "4": [{ start, end }],
  "5": [{ start, end }],
});

export const DEMO_LOCATION_ID = "face-of-jules";

export const demoClinic: Catalog = {
  clinic: {
    locationId: DEMO_LOCATION_ID,
    name: "Face of Jules",
    // A made-up address and a number from the range kept for fiction (555-01xx).
    contact: {
      address: "1234 Sunset Blvd, Los Angeles, CA 90026",
      phone: "+1 323 555 0100",
      email: "hello@faceofjules.test",
      mapUrl: "https://www.openstreetmap.org/search?query=1234%20Sunset%20Blvd%2C%20Los%20Angeles",
    },
    policy: { ...DEFAULT_POLICY, timezone: "America/Los_Angeles" },
  },
  treatments: [
    {
      id: "microneedling-face",
      name: "Microneedling, face",
      family: "microneedling",
      durationMinutes: 60,
      bufferMinutes: 15,
      minIntervalDays: 28,
      recommendedMaxDays: 42,
      aftercare: true,
    },
    {
      id: "microneedling-face-neck",
      name: "Microneedling, face and neck",
      family: "microneedling",
      durationMinutes: 90,
      bufferMinutes: 15,
      minIntervalDays: 28,
      recommendedMaxDays: 42,
      aftercare: true,
    },
    {
      id: "led-facial",
      name: "LED facial",
      family: "led-facial",
      durationMinutes: 45,
      bufferMinutes: 15,
      minIntervalDays: null,
      aftercare: false,
    },
  ],
  practitioners: [
    {
      id: "jules",
      name: "Jules",
      weeklyHours: { ...weekdays("09:00", "17:00"), "6": [{ start: "10:00", end: "14:00" }] },
      treatmentIds: ["microneedling-face", "microneedling-face-neck", "led-facial"],
    },
    {
      id: "maya",
      name: "Maya",
      weeklyHours: {
        "2": [{ start: "11:00", end: "19:00" }],
        "3": [{ start: "11:00", end: "19:00" }],
        "4": [{ start: "11:00", end: "19:00" }],
        "5": [
          { start: "09:00", end: "13:00" },
          { start: "14:00", end: "18:00" },
        ],
      },
      treatmentIds: ["microneedling-face", "microneedling-face-neck", "led-facial"],
    },
  ],
  closures: [
    { date: "2026-12-25", reason: "Christmas Day" },
    { date: "2027-01-01", reason: "New Year's Day" },
  ],
};

export const DEMO_STAFF = [
  {
    email: "reception@faceofjules.test",
    password: "Reception-2026!",
    group: "receptionist" as const,
  },
  { email: "admin@faceofjules.test", password: "Admin-2026-Jules!", group: "admin" as const },
];
