// Port helpers for the local stack. Everything binds and connects on 127.0.0.1 only.
import { createServer } from "node:net";

const HOST = "127.0.0.1";

/** Asks the OS for a currently free TCP port on 127.0.0.1 (bind to port 0, read it back, release it). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close(() => reject(new Error("Could not read the port the OS assigned")));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * True when we can bind the port on 127.0.0.1. On Linux this also fails when another process
 * listens on 0.0.0.0 or [::] (DynamoDB Local does, it has no host option), which is what we want.
 */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE" || error.code === "EACCES") resolve(false);
      else reject(error);
    });
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/**
 * Throws a message a developer can act on, e.g.
 * "Port 8000 (DynamoDB Local) is already in use. Set DYNAMODB_PORT to another port or stop the process using it."
 */
export async function assertPortFree(port: number, what: string, envVar?: string): Promise<void> {
  if (await isPortFree(port)) return;
  const fix = envVar ? `Set ${envVar} to another port` : "Choose another port";
  throw new Error(`Port ${port} (${what}) is already in use. ${fix} or stop the process using it.`);
}

export type WaitForOptions = {
  timeoutMs: number;
  /** Used in the timeout message: "Timed out after 30000 ms waiting for <what>". */
  what: string;
  intervalMs?: number;
  /** Stops polling early (e.g. the child process already died); waitFor then rejects with the reason. */
  signal?: AbortSignal;
};

/** Polls `check` until it resolves true. A throwing check counts as "not yet" (e.g. ECONNREFUSED). */
export async function waitFor(
  check: () => Promise<boolean>,
  options: WaitForOptions,
): Promise<void> {
  const { timeoutMs, what, intervalMs = 100, signal } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const ok = await check().catch(() => false);
    if (ok) return;
    signal?.throwIfAborted();
    if (Date.now() >= deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
