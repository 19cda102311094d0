import { Agent, request } from "node:http";

/** A tiny JSON client for the app under test; every call reports its wall-clock time. */
export interface Timed<T> {
  status: number;
  body: T;
  ms: number;
}

/**
 * node:http with one kept-alive connection: the client shares the event loop with
 * the server under test, and this costs ~0.2–0.3 ms less per request than fetch.
 */
export class BenchClient {
  private readonly url: URL;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(baseUrl: string) {
    this.url = new URL(baseUrl);
  }

  post<T = unknown>(
    path: string,
    json: unknown,
    headers: Record<string, string> = {},
  ): Promise<Timed<T>> {
    const body = JSON.stringify(json);
    return this.send("POST", path, body, {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      ...headers,
    });
  }

  get<T = unknown>(path: string): Promise<Timed<T>> {
    return this.send("GET", path, undefined, {});
  }

  close(): void {
    this.agent.destroy();
  }

  private send<T>(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<Timed<T>> {
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path,
          method,
          agent: this.agent,
          headers: { accept: "application/json", ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            try {
              const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as T;
              resolve({ status: res.statusCode ?? 0, body: parsed, ms: performance.now() - t0 });
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }
}

export interface AvailabilityBody {
  timezone: string;
  slots: { start: string; end: string; practitionerId: string }[];
}

export interface BookingBody {
  booking: { id: string; start: string; practitionerId: string; status: string };
  manageUrl: string;
}

/** Raised when the app answers something the bench did not expect. */
export class UnexpectedResponse extends Error {
  override readonly name = "UnexpectedResponse";
  constructor(what: string, status: number, body: unknown) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
  }
}
