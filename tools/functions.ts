import { CreateFunctionCommand, type LambdaClient, type Runtime } from '@aws-sdk/client-lambda';
import yazl from 'yazl';

let zipBytes: Promise<Uint8Array> | undefined;

/** The smallest deployment package CreateFunction accepts: one `index.mjs` with a handler. Built once. */
export function tinyZip(): Promise<Uint8Array> {
  zipBytes ??= (async () => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('export const handler = async () => ({ ok: true });\n'), 'index.mjs');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  })();
  return zipBytes;
}

/** Creates a function with the {@link tinyZip} package, running as `role`, with optional environment variables. */
export async function createTinyFunction(
  lambda: LambdaClient,
  fn: { name: string; role: string | undefined; variables?: Record<string, string>; runtime?: Runtime },
) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: fn.name,
      Role: fn.role,
      Runtime: fn.runtime ?? 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: await tinyZip() },
      ...(fn.variables ? { Environment: { Variables: fn.variables } } : {}),
    }),
  );
}
