import { type Context, Hono } from "hono";
import { PLAN_LIMITS, PlanStepsInput } from "../../../shared/aftercare/plan-schema";
import { sectionsToText, textToSections } from "../../../shared/aftercare/plan-text";
import type { PlanStep } from "../../../shared/domain/aftercare-plan";
import { addDays, localDateOf } from "../../../shared/domain/calendar";
import { DomainError } from "../../../shared/domain/errors";
import { renderAftercareEmail } from "../../../shared/messages/aftercare-email";
import { publishPlan } from "../../../shared/services/aftercare-plans";
import type { AppDeps, AppEnv } from "../context";
import { canChangePlan, requirePlanAdmin } from "../staff-auth";
import type { Form } from "./forms";
import { readForm, zodErrors } from "./forms";
import { sendPage } from "./layout";
import { PlanArrivals } from "./plan-arrivals";
import { EmailView } from "./staff-booking";
import { staffFrame } from "./staff-session";

/** One step as the editor's fields hold it (strings, as typed). */
interface StepFields {
  id: string;
  kind: string;
  offsetDays: string;
  sendAt: string;
  offsetHours: string;
  subject: string;
  content: string;
  remove: boolean;
  /** Added in this editing session: its id is still editable. */
  isNew: boolean;
}

const KINDS = [
  ["aftercare", "Care advice"],
  ["rebook", "You may book your next session"],
  ["last-reminder", "Last reminder to book"],
  ["no-show", "We missed you (after a no-show)"],
] as const;

function toFields(step: PlanStep): StepFields {
  return {
    id: step.id,
    kind: step.kind,
    offsetDays: step.offsetHours === undefined ? String(step.offsetDays) : "",
    sendAt: step.sendAt ?? "",
    offsetHours: step.offsetHours === undefined ? "" : String(step.offsetHours),
    subject: step.subject,
    content: sectionsToText(step.sections),
    remove: false,
    isNew: false,
  };
}

function fromForm(form: Form): StepFields[] {
  const count = Math.min(Number(form.count) || 0, PLAN_LIMITS.steps + 1);
  const steps: StepFields[] = [];
  for (let i = 0; i < count; i++) {
    const f = (name: string) => form[`s${i}.${name}`] ?? "";
    const isNew = f("new") === "1";
    // An untouched "add a step" row is not a step; one with any content is, id or not.
    if (isNew && !f("id").trim() && !f("subject").trim() && !f("content").trim()) continue;
    steps.push({
      isNew,
      id: f("id").trim(),
      kind: f("kind"),
      offsetDays: f("offsetDays").trim(),
      sendAt: f("sendAt").trim(),
      offsetHours: f("offsetHours").trim(),
      subject: f("subject"),
      content: f("content"),
      remove: f("remove") === "yes",
    });
  }
  return steps;
}

const whole = (text: string) => (/^\d{1,5}$/.test(text) ? Number(text) : Number.NaN);

function toStep(s: StepFields) {
  // Hours after the session replace the day and time (left empty in the form).
  const hours = s.offsetHours === "" ? undefined : whole(s.offsetHours);
  return {
    id: s.id,
    kind: s.kind,
    offsetDays: hours !== undefined && s.offsetDays === "" ? 0 : whole(s.offsetDays),
    sendAt: s.sendAt === "" ? null : s.sendAt,
    ...(hours !== undefined ? { offsetHours: hours } : {}),
    subject: s.subject,
    sections: textToSections(s.content),
  };
}

const blank: StepFields = {
  id: "",
  kind: "aftercare",
  offsetDays: "",
  sendAt: "09:00",
  offsetHours: "",
  subject: "",
  content: "",
  remove: false,
  isNew: true,
};

/** The aftercare plan editor: edit the steps, preview an email with sample data, save a version. */
export function staffPlanPages(deps: AppDeps) {
  const { catalogs, plans, locationId, clock } = deps.bookings;
  const router = new Hono<AppEnv>();

  const editor = async (
    c: Context<AppEnv>,
    state: {
      steps: StepFields[];
      version: number | null;
      /** The version the form was opened on; a save from an older one is refused. */
      baseVersion?: number;
      errors?: Record<string, string>;
      notice?: { kind: "ok" | "bad"; text: string };
      preview?: { index: number; subject: string; html: string; text: string };
      status?: number;
    },
  ) => {
    const catalog = await catalogs.catalog(locationId);
    const { Page, csrf } = staffFrame(c, deps, catalog.clinic.name);
    // Staff read the plan and preview its emails; only an admin edits and saves it.
    const readOnly = !canChangePlan(c.get("staff"));
    const rows = readOnly ? state.steps : [...state.steps, { ...blank }];
    const errorsFor = (i: number) =>
      Object.entries(state.errors ?? {})
        .filter(([path]) => path === `steps.${i}` || path.startsWith(`steps.${i}.`))
        .map(([path, message]) => `${path.split(".").slice(2).join(".") || "step"}: ${message}`);
    // The timing of the plan as shown, once it is a valid plan.
    const timed = PlanStepsInput.safeParse({
      steps: state.steps.filter((s) => !s.remove).map(toStep),
    });
    const today = localDateOf(clock.now(), catalog.clinic.policy.timezone);
    const planErrors = Object.entries(state.errors ?? {})
      .filter(([path]) => !/^steps\.\d+/.test(path))
      .map(([, m]) => m);
    return sendPage(
      c,
      <Page title="Aftercare plan">
        <h1>Aftercare plan</h1>
        <p>
          {state.version ? `Version ${state.version} is in use. ` : ""}Saving creates a new version
          for sessions completed from then on; sessions already completed keep theirs. Every word
          should come from the clinic's aftercare guide. Placeholders: {"{{patientName}}"},{" "}
          {"{{clinicName}}"}, {"{{sessionDate}}"}, and in booking reminders{" "}
          {"{{earliestAllowedDate}}"} and {"{{bookingUrl}}"}.
        </p>
        {readOnly ? (
          <p class="notice" role="note">
            Only an admin can change the aftercare plan. You can read it and preview its emails.
          </p>
        ) : null}
        {state.notice ? (
          <p
            class={`notice ${state.notice.kind}`}
            role={state.notice.kind === "bad" ? "alert" : "status"}
          >
            {state.notice.text}
          </p>
        ) : null}
        {planErrors.map((m) => (
          <p class="error">{m}</p>
        ))}
        {state.preview ? (
          <section aria-labelledby="preview-title">
            <h2 id="preview-title">Preview: {state.preview.subject}</h2>
            <p class="muted">With sample data; nothing is saved or sent.</p>
            <EmailView html={state.preview.html} text={state.preview.text} />
          </section>
        ) : null}
        {timed.success ? (
          <PlanArrivals steps={timed.data.steps} today={today} policy={catalog.clinic.policy} />
        ) : null}
        <form method="post" action="/staff/plan">
          <input type="hidden" name="_csrf" value={csrf} />
          <input type="hidden" name="count" value={String(rows.length)} />
          <input
            type="hidden"
            name="baseVersion"
            value={String(state.baseVersion ?? state.version ?? 0)}
          />
          {rows.map((s, i) => {
            const isNew = s.isNew;
            const isBlank = !readOnly && i === rows.length - 1;
            const errs = errorsFor(i);
            const id = (name: string) => `s${i}-${name}`;
            return (
              <fieldset>
                <legend>{isBlank ? "Add a step" : `Step ${i + 1}: ${s.id || "new"}`}</legend>
                {isNew ? <input type="hidden" name={`s${i}.new`} value="1" /> : null}
                {errs.map((m) => (
                  <p class="error">{m}</p>
                ))}
                {isNew ? (
                  <>
                    <label for={id("id")}>Id (a-z, 0-9, -)</label>
                    <input id={id("id")} name={`s${i}.id`} type="text" value={s.id} />
                  </>
                ) : (
                  <input type="hidden" name={`s${i}.id`} value={s.id} />
                )}
                <div class="cols">
                  <div>
                    <label for={id("kind")}>Kind</label>
                    {readOnly ? <input type="hidden" name={`s${i}.kind`} value={s.kind} /> : null}
                    <select id={id("kind")} name={`s${i}.kind`} disabled={readOnly}>
                      {KINDS.map(([value, label]) => (
                        <option value={value} selected={s.kind === value}>
                          {label}
                        </option>
                      ))}
                    </select>
                  </div>
                  <div>
                    <label for={id("offsetDays")}>Days after the session</label>
                    <input
                      id={id("offsetDays")}
                      name={`s${i}.offsetDays`}
                      type="number"
                      min="0"
                      max={String(PLAN_LIMITS.maxOffsetDays)}
                      value={s.offsetDays}
                      readonly={readOnly}
                    />
                  </div>
                  <div>
                    <label for={id("sendAt")}>
                      Send at (clinic time; empty: as soon as the session is marked)
                    </label>
                    <input
                      id={id("sendAt")}
                      name={`s${i}.sendAt`}
                      type="time"
                      value={s.sendAt}
                      readonly={readOnly}
                    />
                  </div>
                  <div>
                    <label for={id("offsetHours")}>
                      Or hours after the session ends (arrives at or before then; leave days and
                      time empty)
                    </label>
                    <input
                      id={id("offsetHours")}
                      name={`s${i}.offsetHours`}
                      type="number"
                      min="0"
                      max={String(PLAN_LIMITS.maxOffsetDays * 24)}
                      value={s.offsetHours}
                      readonly={readOnly}
                    />
                  </div>
                </div>
                <label for={id("subject")}>Subject</label>
                <input
                  id={id("subject")}
                  name={`s${i}.subject`}
                  type="text"
                  maxlength={PLAN_LIMITS.subject}
                  value={s.subject}
                  readonly={readOnly}
                />
                <label for={id("content")}>Content</label>
                <textarea
                  id={id("content")}
                  name={`s${i}.content`}
                  class="plan"
                  aria-describedby="content-help"
                  readonly={readOnly}
                >
                  {s.content}
                </textarea>
                <p class="actions">
                  <button type="submit" name="preview" value={String(i)} class="small secondary">
                    Preview this email
                  </button>
                  {isBlank || readOnly ? null : (
                    <label class="inline">
                      <input type="checkbox" name={`s${i}.remove`} value="yes" checked={s.remove} />
                      Remove this step
                    </label>
                  )}
                </p>
              </fieldset>
            );
          })}
          <p class="hint" id="content-help">
            Content: “## Heading” starts a section; other lines are paragraphs; “- ” starts a
            bullet; “| a | b |” lines make a table, the first naming the columns.
          </p>
          {readOnly ? null : (
            <button type="submit" name="save" value="1">
              Save as a new version
            </button>
          )}
        </form>
      </Page>,
      { status: state.status ?? 200, showsEmail: Boolean(state.preview) },
    );
  };

  router.get("/staff/plan", async (c) => {
    const plan = await plans.currentPlan(locationId);
    const saved = c.req.query("saved");
    return editor(c, {
      steps: (plan?.steps ?? []).map(toFields),
      version: plan?.version ?? null,
      ...(saved ? { notice: { kind: "ok" as const, text: `Saved as version ${saved}.` } } : {}),
    });
  });

  router.post("/staff/plan", async (c) => {
    const form = await readForm(c, deps);
    if (form.preview === undefined) requirePlanAdmin(c.get("staff"));
    const current = await plans.currentPlan(locationId);
    const fields = fromForm(form);
    const kept = fields.filter((s) => !s.remove);
    const parsed = PlanStepsInput.safeParse({ steps: kept.map(toStep) });
    // Errors name positions among the kept steps; map them back to the rows shown.
    const rowOf = kept.map((s) => fields.indexOf(s));
    const errors = parsed.success
      ? {}
      : Object.fromEntries(
          Object.entries(zodErrors(parsed.error.issues)).map(([path, message]) => {
            const m = /^steps\.(\d+)(.*)$/.exec(path);
            return [m ? `steps.${rowOf[Number(m[1])] ?? m[1]}${m[2]}` : path, message];
          }),
        );
    const state = {
      steps: fields,
      version: current?.version ?? null,
      baseVersion: Number(form.baseVersion) || 0,
      errors,
    };

    if (form.preview !== undefined) {
      const index = Number(form.preview);
      const step = fields[index] ? toStep(fields[index]) : null;
      const one = step ? PlanStepsInput.safeParse({ steps: [step] }) : null;
      if (!one?.success || !one.data.steps[0]) {
        return editor(c, {
          ...state,
          notice: { kind: "bad", text: "Fix this step's errors to preview it." },
          status: 422,
        });
      }
      const catalog = await catalogs.catalog(locationId);
      const today = localDateOf(clock.now(), catalog.clinic.policy.timezone);
      const base = deps.publicBaseUrl;
      const email = renderAftercareEmail(one.data.steps[0], {
        patientName: "Alex Sample",
        clinicName: catalog.clinic.name,
        ...(catalog.clinic.contact ? { clinicContact: catalog.clinic.contact } : {}),
        sessionDate: today,
        earliestAllowedDate: addDays(today, 28),
        bookingUrl: `${base}/book`,
        manageUrl: `${base}/book`,
        unsubscribeUrl: `${base}/unsubscribe`,
      });
      return editor(c, { ...state, preview: { index, ...email } });
    }

    if (!parsed.success) {
      return editor(c, {
        ...state,
        notice: { kind: "bad", text: "Nothing was saved: please fix the errors shown." },
        status: 422,
      });
    }
    // Saved from an older version than the current one: someone else saved meanwhile.
    if ((current?.version ?? 0) !== Number(form.baseVersion)) {
      return editor(c, {
        ...state,
        notice: {
          kind: "bad",
          text: `Nothing was saved: version ${current?.version} was saved by someone else while you were editing. Your changes are below; open the plan again to see theirs.`,
        },
        status: 409,
      });
    }
    const staff = c.get("staff");
    try {
      const plan = await publishPlan(deps.bookings, parsed.data.steps, staff.id);
      deps.logger.info("aftercare plan published", { version: plan.version, actor: staff.id });
      return c.redirect(`/staff/plan?saved=${plan.version}`, 303);
    } catch (error) {
      if (error instanceof DomainError && error.code === "CONFLICT_RETRY") {
        return editor(c, { ...state, notice: { kind: "bad", text: error.message }, status: 409 });
      }
      throw error;
    }
  });

  return router;
}
