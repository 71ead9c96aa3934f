/**
 * The AWS SDK for JavaScript v3 warns, on the first client a process builds, that its releases
 * after January 2027 need Node.js 22 (`NodeVersionSupportWarning`, ten lines on stderr). On
 * Node.js 20 every `tributary kcl` start printed it into the daemon's log. The SDK's documented
 * switch (aws/aws-sdk-js-v3#7983) is the environment variable below set to `true`, read when a
 * client is built. The daemon sets it for itself only: the record processors it starts get the
 * environment the daemon was started with, so a processor that uses the SDK warns as it would
 * anywhere else. A value the user set is kept.
 */
export const sdkNodeVersionWarningVariable = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

/** Silences the warning in this process; returns the environment as it was, for child processes. */
export function silenceSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const original = { ...env };
  if (env[sdkNodeVersionWarningVariable] === undefined) env[sdkNodeVersionWarningVariable] = "true";
  return original;
}
