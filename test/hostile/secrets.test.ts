import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../src/cli/main.js';
import type { AuditReport } from '../../src/model/report.js';
import { buildMessage } from '../../src/publish/sns.js';
import { testFolder } from '../support/temp.js';
import { cliOutputs, functionArnOf, functionEntry, functionFindings } from './account.js';
import { CANARY_VARIABLES, leakedCanaries, SECRET_VARIABLE_NAMES } from './canaries.js';

function fakeIo(tty = false): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text), isTTY: tty, columns: 120 },
    stderr: { write: (text: string) => (err += text), isTTY: tty },
    env: {},
    out: () => out,
    err: () => err,
  };
}

/** The offline input files of an account whose functions carry the canary values. */
function writeInputs(): { directory: string; args: string[] } {
  const directory = testFolder('lra-secrets-');
  const { authDetails, functions } = cliOutputs({
    functions: [
      functionEntry('canary-carrier', 'steady-role', { Environment: { Variables: CANARY_VARIABLES } }),
      functionEntry('canary-version', 'reference-admin', {
        Version: '1',
        FunctionArn: `${functionEntry('canary-version', 'x').FunctionArn}:1`,
        Environment: { Variables: { ...CANARY_VARIABLES, EXTRA_SECRET: CANARY_VARIABLES.DB_PASSWORD } },
      }),
    ],
  });
  writeFileSync(join(directory, 'auth-details.json'), JSON.stringify(authDetails));
  writeFileSync(join(directory, 'functions.json'), JSON.stringify(functions, null, 2));
  return {
    directory,
    args: [
      'audit',
      '--auth-details',
      join(directory, 'auth-details.json'),
      '--functions',
      join(directory, 'functions.json'),
    ],
  };
}

describe('Secrets: the CLI never prints environment variable values', () => {
  it.each(['table', 'text', 'json', 'markdown'])(
    'keeps values out of stdout and stderr (--format %s)',
    async (format) => {
      // prepare
      const { args } = writeInputs();
      const io = fakeIo(format === 'table');

      // act
      const code = await runCli([...args, '--format', format, '--fail-on', 'high'], io);

      // assess
      expect(code).toBe(1);
      expect(io.out()).toContain('DB_PASSWORD');
      expect(leakedCanaries(io.out())).toEqual([]);
      expect(leakedCanaries(io.err())).toEqual([]);
    },
  );

  it('keeps values out of an --output file and names the secret variables only', async () => {
    // prepare
    const { directory, args } = writeInputs();
    const output = join(directory, 'report.json');
    const io = fakeIo();

    // act
    const code = await runCli([...args, '--format', 'json', '--output', output], io);

    // assess
    expect(code).toBe(0);
    const written = readFileSync(output, 'utf8');
    expect(leakedCanaries(written)).toEqual([]);
    expect(leakedCanaries(io.out() + io.err())).toEqual([]);
    const report = JSON.parse(written) as AuditReport;
    const secrets = functionFindings(report, 'secrets-in-environment');
    // A function finding names its function; the published version is audited on its own.
    expect(secrets.map((finding) => finding.functionArn).sort()).toEqual([
      functionArnOf('canary-carrier'),
      `${functionArnOf('canary-version')}:1`,
    ]);
    const carrier = secrets.find((finding) => finding.functionName === 'canary-carrier')!;
    expect(carrier.evidence.flatMap((evidence) => evidence.variables).sort()).toEqual(
      [...SECRET_VARIABLE_NAMES].sort(),
    );
    // The SNS message built from the same report carries no value either.
    expect(leakedCanaries(buildMessage(report).message)).toEqual([]);
  });

  it('keeps values out of the error message of a functions file that is not valid JSON', async () => {
    // A value pasted without its quotes: JSON.parse's message quotes ten characters either side of the
    // error position (`Unexpected token 's', ..."\"API_KEY\":sk9f2c}}}]}" is not valid JSON`), and the
    // loader (src/load/offline.ts, readJsonFile) prints that message whole on stderr (exit code 2).
    const { directory, args } = writeInputs();
    writeFileSync(
      join(directory, 'functions.json'),
      '{"Functions":[{"FunctionName":"f","Environment":{"Variables":{"API_KEY":sk9f2c}}}]}',
    );
    const io = fakeIo();
    const code = await runCli([...args, '--format', 'json'], io);
    expect(code).toBe(2);
    expect(io.err()).toContain('is not valid JSON');
    expect(io.err()).not.toContain('sk9f2c');
  });
});
