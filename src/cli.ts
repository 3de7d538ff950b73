import { runCli } from './cli/main.js';
import { ignoreClosedPipes } from './cli/pipes.js';
import { silenceSdkNodeVersionWarning } from './sdk-warnings.js';

silenceSdkNodeVersionWarning();
ignoreClosedPipes(process.stdout, process.stderr);

// The live runner pulls in the AWS SDK; offline audits never load it.
process.exitCode = await runCli(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env },
  async (command) => (await import('./cli/live.js')).liveRunner(command),
);
