// The project runs on Node 24, the Lambda functions' runtime (nodejs24.x). `npm ci` installs
// it into node_modules/.bin (the optional node-linux-* packages), which npm scripts put
// first on PATH, so `npm start` and `npm test` use it whatever Node ran npm itself.

/** The Node major version the code is built, tested and deployed on. */
export const NODE_MAJOR = 24;

/** Resolves the running Node's version, or throws saying how to get Node 24. */
export function assertNodeVersion(version: string = process.versions.node): string {
  const major = Number(version.split(".")[0]);
  if (!Number.isInteger(major) || major < NODE_MAJOR) {
    throw new Error(
      `This project runs on Node ${NODE_MAJOR} or newer, found ${version}. Run it through npm (npm start, npm test, npm run …): after npm ci, npm scripts find Node ${NODE_MAJOR} in node_modules/.bin on Linux x64 and arm64; elsewhere install Node ${NODE_MAJOR}.`,
    );
  }
  return version;
}
