import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppDeps } from "../context";
import { errorForLog, knownError, STATUS } from "../errors";
import { Layout, sendPage } from "./layout";

const TITLES: Record<number, string> = {
  400: "Something is wrong with that request",
  403: "Not allowed",
  404: "Page not found",
  405: "Not possible here",
  409: "That didn't work",
  413: "Too much to send",
  415: "Please use the form",
  422: "Please check the form",
  429: "Too many tries",
  503: "We are busy",
};

/** Errors on a page become a page: the message for known errors, nothing internal otherwise. */
export function pageErrors(deps: AppDeps, home: string) {
  return async (err: Error, c: Context) => {
    let clinicName = "the clinic";
    try {
      clinicName = (await deps.bookings.catalogs.catalog(deps.bookings.locationId)).clinic.name;
    } catch {
      // The page still says something useful without the clinic's name.
    }
    let status = 500;
    let message = "Something went wrong on our side. Please try again in a minute.";
    const known = err instanceof HTTPException ? null : knownError(err);
    if (known) {
      status = STATUS[known.code];
      message = known.message;
    } else if (err instanceof HTTPException && err.status < 500) {
      status = err.status;
      message = "That request could not be read.";
    } else {
      deps.logger.error("unhandled page error", {
        requestId: c.get("requestId") as string | undefined,
        ...errorForLog(err),
      });
    }
    const title = TITLES[status] ?? "Something went wrong";
    return sendPage(
      c,
      <Layout title={title} clinicName={clinicName} home={home}>
        <h1>{title}</h1>
        <p>{message}</p>
        {status === 500 ? <p class="muted">Reference: {String(c.get("requestId") ?? "")}</p> : null}
        <p>
          <a href={home}>Back to the start</a>
        </p>
      </Layout>,
      { status },
    );
  };
}
