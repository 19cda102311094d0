import { describe, expect, it } from "vitest";
import { demoClinic } from "../../local/demo-clinic";
import { catalogFromItems, catalogItems } from "../../shared/adapters/dynamodb/catalog-writer";
import { CatalogError, type CatalogInput, parseCatalog } from "../../shared/catalog/catalog-schema";
import { DEFAULT_POLICY, telHref } from "../../shared/domain/catalog";

const clone = (): CatalogInput => structuredClone(demoClinic);

function problemsOf(input: unknown): string[] {
  try {
    parseCatalog(input);
  } catch (error) {
    if (error instanceof CatalogError) return error.problems;
    throw error;
  }
  return [];
}

describe("the catalog schema", () => {
  it("takes the demo clinic as it is", () => {
    expect(parseCatalog(demoClinic)).toEqual(demoClinic);
  });

  it("fills the policy's defaults, including the cap of upcoming sessions, in one place", () => {
    const input = clone();
    input.clinic.policy = { timezone: "America/Los_Angeles" };
    const parsed = parseCatalog(input);
    expect(parsed.clinic.policy).toEqual({ ...DEFAULT_POLICY, timezone: "America/Los_Angeles" });
    expect(parsed.clinic.policy.maxFutureBookingsPerPatient).toBe(4);
  });

  it("keeps an explicit null (no cap, no auto-completion) instead of the default", () => {
    const input = clone();
    input.clinic.policy = {
      timezone: "America/Los_Angeles",
      maxFutureBookingsPerPatient: null,
      autoCompleteGraceMinutes: null,
    };
    const { policy } = parseCatalog(input).clinic;
    expect(policy.maxFutureBookingsPerPatient).toBeNull();
    expect(policy.autoCompleteGraceMinutes).toBeNull();
  });

  it.each([
    [
      "an unknown timezone",
      (c: CatalogInput) => void Object.assign(c.clinic.policy, { timezone: "Mars/Olympus" }),
      "clinic.policy.timezone",
    ],
    [
      "a misspelt key",
      (c: CatalogInput) => void Object.assign(c.treatments[0] ?? {}, { minIntervalDay: 28 }),
      "treatments.0",
    ],
    [
      "a practitioner doing an unknown treatment",
      (c: CatalogInput) => void c.practitioners[0]?.treatmentIds.push("peel"),
      "practitioners.0.treatmentIds",
    ],
    [
      "a closure for an unknown practitioner",
      (c: CatalogInput) => void c.closures?.push({ date: "2027-02-01", practitionerId: "nobody" }),
      "closures.2.practitionerId",
    ],
    [
      "an impossible date",
      (c: CatalogInput) => void c.closures?.push({ date: "2027-02-30" }),
      "closures.2.date",
    ],
    [
      "a range that ends before it starts",
      (c: CatalogInput) =>
        void c.practitioners[0]?.weeklyHours["1"]?.splice(0, 1, { start: "17:00", end: "09:00" }),
      "practitioners.0.weeklyHours.1.0",
    ],
    [
      "overlapping ranges in a day",
      (c: CatalogInput) =>
        void c.practitioners[0]?.weeklyHours["1"]?.push({ start: "16:00", end: "18:00" }),
      "practitioners.0.weeklyHours.1",
    ],
    [
      "a recommended maximum below the minimum",
      (c: CatalogInput) => void Object.assign(c.treatments[0] ?? {}, { recommendedMaxDays: 14 }),
      "treatments.0.recommendedMaxDays",
    ],
    [
      "a slot grid that does not divide a day",
      (c: CatalogInput) => void Object.assign(c.clinic.policy, { slotStepMinutes: 7 }),
      "clinic.policy.slotStepMinutes",
    ],
    [
      "a cap of zero",
      (c: CatalogInput) => void Object.assign(c.clinic.policy, { maxFutureBookingsPerPatient: 0 }),
      "clinic.policy.maxFutureBookingsPerPatient",
    ],
    [
      "a fractional duration",
      (c: CatalogInput) => void Object.assign(c.treatments[0] ?? {}, { durationMinutes: 60.5 }),
      "treatments.0.durationMinutes",
    ],
    [
      "an id with spaces",
      (c: CatalogInput) => void Object.assign(c.treatments[2] ?? {}, { id: "LED facial" }),
      "treatments.2.id",
    ],
  ])("refuses %s, naming where", (_, spoil, path) => {
    const input = clone();
    spoil(input);
    const problems = problemsOf(input);
    expect(
      problems.some((p) => p.startsWith(`${path}:`)),
      problems.join("\n"),
    ).toBe(true);
  });

  it("checks the clinic's contact, and reads a clinic stored before it had one", () => {
    const withContact = (contact: unknown) => {
      const input = clone() as { clinic: Record<string, unknown> };
      input.clinic.contact = contact;
      return problemsOf(input);
    };
    const good = demoClinic.clinic.contact;
    expect(withContact(good)).toEqual([]);
    expect(withContact({ ...good, phone: "call us" })).toEqual([
      "clinic.contact.phone: A phone number, e.g. +1 323 555 0100",
    ]);
    expect(withContact({ ...good, email: "not-an-email" })).toEqual([
      "clinic.contact.email: An email address",
    ]);
    expect(withContact({ ...good, mapUrl: "javascript:alert(1)" })).toEqual([
      "clinic.contact.mapUrl: An https URL",
    ]);
    expect(withContact({ ...good, address: "1 Main St ".repeat(30) }).join()).toMatch(
      /^clinic\.contact\.address:/,
    );
    const old = clone();
    delete old.clinic.contact;
    expect(parseCatalog(old).clinic.contact).toBeUndefined();
  });

  it("reaches the phone through tel: with its digits", () => {
    expect(telHref("+1 323 555 0100")).toBe("tel:+13235550100");
    expect(telHref("(323) 555-0100")).toBe("tel:3235550100");
  });

  it("names a repeated id", () => {
    const input = clone();
    input.treatments.push({ ...(input.treatments[0] as CatalogInput["treatments"][number]) });
    expect(problemsOf(input)).toContain(
      'treatments: Treatment id "microneedling-face" is used twice',
    );
  });

  it("is what every read returns: stored items come back as the catalog, older items get defaults", () => {
    const items = catalogItems(demoClinic);
    expect(catalogFromItems(demoClinic.clinic.locationId, items)).toEqual(demoClinic);
    const clinic = items.find((i) => i.SK === "CLINIC") as Record<string, unknown>;
    // An item stored before the cap existed, and before the schema version was written.
    const { maxFutureBookingsPerPatient: _, ...oldPolicy } = demoClinic.clinic.policy;
    clinic.policy = oldPolicy;
    delete clinic.schemaVersion;
    const read = catalogFromItems(demoClinic.clinic.locationId, items);
    expect(read.clinic.policy.maxFutureBookingsPerPatient).toBe(4);
  });

  it("refuses a catalog stored by a newer schema than this code knows", () => {
    const items = catalogItems(demoClinic);
    (items.find((i) => i.SK === "CLINIC") as Record<string, unknown>).schemaVersion = 99;
    expect(() => catalogFromItems(demoClinic.clinic.locationId, items)).toThrow(
      /schema version 99/,
    );
  });
});
