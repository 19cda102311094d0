// DynamoDB Local is a Java program; check the JVM up front so the failure is readable.
import { execFile } from "node:child_process";

const INSTALL_HINT =
  "DynamoDB Local needs Java 17 or newer. Install it with: apt-get install -y openjdk-17-jre-headless";

/** Parses `java -version` output. Handles both `"17.0.15"` and the legacy `"1.8.0_392"` format. */
export function parseJavaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (!match?.[1]) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

function runJavaVersion(): Promise<string> {
  return new Promise((resolve, reject) => {
    // `java -version` writes to stderr, not stdout.
    execFile("java", ["-version"], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(error);
      else resolve(`${stderr}${stdout}`);
    });
  });
}

/** Resolves with the Java major version, or throws with an install hint and what was found. */
export async function assertJava17(): Promise<number> {
  let output: string;
  try {
    output = await runJavaVersion();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const found = code === "ENOENT" ? "no `java` on PATH" : String(error);
    throw new Error(`${INSTALL_HINT} (found: ${found})`);
  }
  const major = parseJavaMajorVersion(output);
  if (major === undefined || major < 17) {
    const firstLine = output.split("\n")[0]?.trim() ?? "";
    throw new Error(
      `${INSTALL_HINT} (found: ${firstLine || "unparseable `java -version` output"})`,
    );
  }
  return major;
}
