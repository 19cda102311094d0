// The handle every local stand-in returns, plus the child-process plumbing they share.
import type { ChildProcess } from "node:child_process";
import { waitFor } from "./ports";

export type RunningService = {
  name: string;
  /** Base URL to hand to SDK clients, always http://127.0.0.1:<port>. */
  endpoint: string;
  /** Kills the process (SIGTERM, SIGKILL after 3 s) and resolves once it has exited. */
  stop(): Promise<void>;
};

const KILL_GRACE_MS = 3_000;

/** Keeps the last `maxChars` of stdout+stderr so startup errors can show what the child said. */
function captureOutputTail(child: ChildProcess, maxChars = 4_000): () => string {
  let tail = "";
  const append = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-maxChars);
  };
  // Reading the pipes also matters on its own: an undrained pipe eventually blocks the child.
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => tail.trim();
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (hasExited(child) || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => {
    if (!hasExited(child)) child.kill("SIGKILL");
  }, KILL_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

export type StartChildOptions = {
  name: string;
  endpoint: string;
  child: ChildProcess;
  /** Resolves true once the service answers a real request. */
  ready: () => Promise<boolean>;
  timeoutMs: number;
};

/**
 * Waits for a freshly spawned child to become ready. Rejects (with the child's output tail) if it
 * exits first or does not get ready in time; in the timeout case the child is killed.
 */
export async function superviseChild(options: StartChildOptions): Promise<RunningService> {
  const { name, endpoint, child, ready, timeoutMs } = options;
  const outputTail = captureOutputTail(child);

  // If the test runner or CLI exits without calling stop(), do not leave an orphan behind.
  const killOnParentExit = () => child.kill("SIGKILL");
  process.once("exit", killOnParentExit);

  const died = new AbortController();
  const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
    died.abort(
      new Error(
        `${name} exited during startup (code ${code}, signal ${signal}). Output:\n${outputTail()}`,
      ),
    );
  const onError = (error: Error) =>
    died.abort(new Error(`${name} could not be started: ${error.message}`));
  child.once("exit", onExit);
  child.once("error", onError);

  let failure: unknown;
  try {
    await waitFor(ready, { timeoutMs, what: `${name} on ${endpoint}`, signal: died.signal });
  } catch (error) {
    failure = died.signal.aborted
      ? died.signal.reason
      : new Error(`${(error as Error).message}. Output:\n${outputTail()}`);
  }
  // Detach before stopping, so a kill after a timeout is not reported as "exited during startup".
  child.removeListener("exit", onExit);
  child.removeListener("error", onError);
  if (failure !== undefined) {
    await stopChild(child);
    process.removeListener("exit", killOnParentExit);
    throw failure;
  }

  return {
    name,
    endpoint,
    async stop() {
      await stopChild(child);
      process.removeListener("exit", killOnParentExit);
    },
  };
}
