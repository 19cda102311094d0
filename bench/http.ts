/** A tiny JSON client for the app under test; every call reports its wall-clock time. */
export interface Timed<T> {
  status: number;
  body: T;
  ms: number;
}

export class BenchClient {
  constructor(private readonly baseUrl: string) {}

  async post<T = unknown>(
    path: string,
    json: unknown,
    headers: Record<string, string> = {},
  ): Promise<Timed<T>> {
    const t0 = performance.now();
    const res = await fetch(`${this.baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(json),
    });
    const body = (await res.json()) as T;
    return { status: res.status, body, ms: performance.now() - t0 };
  }

  async get<T = unknown>(path: string): Promise<Timed<T>> {
    const t0 = performance.now();
    const res = await fetch(`${this.baseUrl}${path}`);
    const body = (await res.json()) as T;
    return { status: res.status, body, ms: performance.now() - t0 };
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
