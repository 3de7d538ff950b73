/**
 * Silences the AWS SDK's `NodeVersionSupportWarning`, and only that warning. The SDK prints it (nine
 * lines on stderr, through `process.emitWarning`) when its first client is created on Node < 22,
 * although this tool supports Node 20 (`engines`): noise in every CLI run and Lambda log. This sets the
 * SDK's own switch, `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED`, read when that first client is
 * created; a value the user set is kept. Other warnings are untouched.
 *
 * @example
 * silenceSdkNodeVersionWarning(); // in an entry point, before any AWS client is created
 */
export function silenceSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
