/** Staff accounts the test pool holds; `group: null` is a pool user with no staff group. */
export const TEST_STAFF = [
  {
    key: "receptionist",
    email: "desk@clinic.test",
    password: "Desk-pass-2026!",
    group: "receptionist",
  },
  { key: "admin", email: "boss@clinic.test", password: "Boss-pass-2026!", group: "admin" },
  { key: "nogroup", email: "visitor@clinic.test", password: "Visitor-pass-2026!", group: null },
] as const;

export type StaffKey = (typeof TEST_STAFF)[number]["key"];
