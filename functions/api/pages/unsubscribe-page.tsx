import type { Context } from "hono";
import { Layout, sendPage } from "./layout";

/** The unsubscribe link's page: the question, the answer, or an expired link. */
export function unsubscribePage(
  c: Context,
  clinicName: string,
  state: "ask" | "done" | "expired",
  action = "",
) {
  const frame = (title: string, body: unknown, status = 200) =>
    sendPage(
      c,
      <Layout title={title} clinicName={clinicName} home="/book">
        {body as never}
      </Layout>,
      { status },
    );
  if (state === "expired") {
    return frame(
      "Link expired",
      <>
        <h1>This link has expired</h1>
        <p>Reply to any of our emails and we will stop them for you.</p>
      </>,
      404,
    );
  }
  if (state === "done") {
    return frame(
      "Unsubscribed",
      <>
        <h1>You are unsubscribed</h1>
        <p>You will not receive any more aftercare emails.</p>
      </>,
    );
  }
  return frame(
    "Stop aftercare emails",
    <>
      <h1>Stop aftercare emails?</h1>
      <p>
        You will no longer receive aftercare advice or reminders to book your next session. Emails
        about appointments you book still arrive.
      </p>
      <form method="post" action={action}>
        <button type="submit">Stop aftercare emails</button>
      </form>
    </>,
  );
}
