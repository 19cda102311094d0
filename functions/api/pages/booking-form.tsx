import type { Catalog } from "../../../shared/domain/catalog";
import type { TimeChoice } from "./slots";

/** The pieces of the booking forms shared by the patient pages and the console. */

export type Errors = Record<string, string>;
export type Values = Record<string, string>;

function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <p class="error" id={`${id}-error`}>
      {error}
    </p>
  ) : null;
}

const describedBy = (id: string, error?: string, hint?: boolean) =>
  [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

function partOfDay(label: string): string {
  const [h, rest] = label.split(":");
  const hour = (Number(h) % 12) + (rest?.endsWith("PM") ? 12 : 0);
  return hour < 12 ? "Morning" : hour < 17 ? "Afternoon" : "Evening";
}

/** The day's times as radio buttons (grouped by part of day) and a practitioner choice. */
export function TimesFieldset(props: {
  times: TimeChoice[];
  catalog: Catalog;
  zone: string;
  values: Values;
  errors: Errors;
}) {
  const { times, values, errors } = props;
  const groups = new Map<string, TimeChoice[]>();
  for (const t of times)
    groups.set(partOfDay(t.label), [...(groups.get(partOfDay(t.label)) ?? []), t]);
  const practitioners = props.catalog.practitioners.filter((p) =>
    times.some((t) => t.practitionerIds.includes(p.id)),
  );
  return (
    <>
      <fieldset aria-describedby={describedBy("start", errors.start, true)}>
        <legend>Time</legend>
        <p class="hint" id="start-hint">
          Times are {props.zone}.
        </p>
        <FieldError id="start" error={errors.start} />
        {[...groups].map(([name, group]) => (
          <div>
            <p class="muted" id={`part-${name}`}>
              {name}
            </p>
            <div class="times">
              {group.map((t) => (
                <label>
                  <input
                    type="radio"
                    name="start"
                    value={t.value}
                    required
                    checked={values.start === t.value}
                  />
                  {t.label}
                </label>
              ))}
            </div>
          </div>
        ))}
      </fieldset>
      {practitioners.length > 1 ? (
        <>
          <label for="practitionerId">Practitioner</label>
          <select id="practitionerId" name="practitionerId">
            <option value="">Anyone available</option>
            {practitioners.map((p) => (
              <option value={p.id} selected={values.practitionerId === p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </>
      ) : null}
    </>
  );
}

/** Name, email, phone and the aftercare-email consent. */
export function PatientFields({
  values,
  errors,
  forStaff = false,
}: {
  values: Values;
  errors: Errors;
  /** Worded for a receptionist booking on the patient's behalf. */
  forStaff?: boolean;
}) {
  return (
    <fieldset>
      <legend>{forStaff ? "The patient" : "Your details"}</legend>
      <label for="name">Full name</label>
      <input
        id="name"
        name="name"
        type="text"
        autocomplete="name"
        required
        maxlength={100}
        value={values.name ?? ""}
        aria-invalid={errors["patient.name"] ? "true" : undefined}
        aria-describedby={describedBy("name", errors["patient.name"])}
      />
      <FieldError id="name" error={errors["patient.name"]} />
      <label for="email">Email</label>
      <input
        id="email"
        name="email"
        type="email"
        autocomplete="email"
        required
        maxlength={254}
        value={values.email ?? ""}
        aria-invalid={errors["patient.email"] ? "true" : undefined}
        aria-describedby={describedBy("email", errors["patient.email"], true)}
      />
      <p class="hint" id="email-hint">
        {forStaff
          ? "The patient's confirmation and link to change the booking go here."
          : "The confirmation and the link to change your booking go here."}
      </p>
      <FieldError id="email" error={errors["patient.email"]} />
      <label for="phone">Phone (optional)</label>
      <input
        id="phone"
        name="phone"
        type="tel"
        autocomplete="tel"
        maxlength={32}
        value={values.phone ?? ""}
        aria-invalid={errors["patient.phone"] ? "true" : undefined}
        aria-describedby={describedBy("phone", errors["patient.phone"])}
      />
      <FieldError id="phone" error={errors["patient.phone"]} />
      <label class="inline" for="consent">
        <input
          id="consent"
          name="consent"
          type="checkbox"
          value="yes"
          checked={values.consent === "yes"}
        />
        <span>
          {forStaff
            ? "The patient agrees to receive the aftercare emails and the reminder to book the next session."
            : "Email me the clinic's aftercare advice after my session, and a reminder when I can book the next one. You can stop these emails at any time."}
        </span>
      </label>
    </fieldset>
  );
}

/** The form's values as a booking request body, for the same validation as the API. */
export function bookingBody(treatmentId: string, form: Values) {
  return {
    treatmentId,
    start: form.start ?? "",
    ...(form.practitionerId ? { practitionerId: form.practitionerId } : {}),
    patient: {
      name: form.name ?? "",
      email: form.email ?? "",
      ...(form.phone?.trim() ? { phone: form.phone.trim() } : {}),
    },
    consent: { aftercareEmails: form.consent === "yes" },
  };
}
