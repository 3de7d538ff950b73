import { describe, expect, it } from 'vitest';
import { parseStackSetArguments } from '../../scripts/deploy/stack-set-arguments.js';
import { runDeploy } from '../../scripts/deploy.js';

const unit = 'ou-ab12-cdef3456';

async function run(argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exitCode = await runDeploy(argv, {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    stackSetClients: () => {
      throw new Error('a usage error must stop before any client is created');
    },
  });
  return { exitCode, stdout, stderr };
}

describe('npm run deploy -- --stack-set: command line', () => {
  it('parses units, regions, central resources and member parameters', () => {
    // act
    const options = parseStackSetArguments([
      '--stack-set',
      'org-audit',
      '--org-units',
      `${unit}, r-a1b2`,
      '--regions',
      'eu-west-1,us-east-1',
      '--central-bucket',
      'org-audit-reports',
      '--central-topic',
      'arn:aws:sns:eu-west-1:999999999999:org-audit',
      '--schedule',
      'rate(12 hours)',
      '--parameter',
      'MinSeverity=high',
      '--delegated-admin',
    ]);

    // assess
    expect(options).toMatchObject({
      kind: 'stack-set',
      stackSetName: 'org-audit',
      organizationalUnits: [unit, 'r-a1b2'],
      regions: ['eu-west-1', 'us-east-1'],
      central: {
        bucket: 'org-audit-reports',
        topicArn: 'arn:aws:sns:eu-west-1:999999999999:org-audit',
        topicKeyArn: '',
      },
      delegatedAdmin: true,
      parameters: { Schedule: 'rate(12 hours)', MinSeverity: 'high' },
      timeoutMinutes: 60,
    });
  });

  it.each([
    [
      ['--stack-set', 'org-audit', '--stack-name', 'x', '--org-units', unit],
      '--stack-set and --stack-name cannot be combined: choose one',
    ],
    [['--stack-set', 'org-audit'], '--stack-set needs --org-units ou-…[,ou-…] (or the root, r-…)'],
    [
      ['--stack-set', 'org-audit', '--org-units', '123456789012'],
      '--org-units: "123456789012" is not an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)',
    ],
    [
      ['--stack-set', 'org-audit', '--org-units', unit, '--regions', 'all'],
      `--regions: "all" is not a region name such as eu-west-1 ('all' is not a place to deploy to)`,
    ],
    [
      ['--stack-set', 'org-audit', '--org-units', unit, '--central-bucket', 'b-1'],
      'give --central-bucket and --central-topic together, or neither',
    ],
    [
      ['--stack-set', 'org-audit', '--org-units', unit, '--parameter', 'FunctionName=x'],
      'FunctionName is set by the stack set deploy itself',
    ],
    [
      ['--stack-set', 'org-audit', '--org-units', unit, '--existing-topic-arn', 'arn:aws:sns:eu-west-1:1:x'],
      '--existing-topic-arn does not apply to --stack-set (it sets them itself)',
    ],
    [
      ['--stack-set', '1bad', '--org-units', unit],
      '--stack-set "1bad" must start with a letter, contain only letters, digits and hyphens, and have at most 56 characters',
    ],
    [['--stack-set', 'org-audit', '--org-units', unit, '--bogus'], "Unknown option '--bogus'"],
    [
      [
        '--stack-set',
        'org-audit',
        '--org-units',
        unit,
        '--central-bucket',
        'b-1',
        '--central-topic',
        'arn:aws:sns:eu-west-1:999999999999:t',
        '--email',
        'a@example.com',
      ],
      '--email subscribes to the central topic this deploy creates; subscribe to --central-topic directly',
    ],
  ])('%j: one line naming the problem, see --help, exit 2', async (argv, message) => {
    // act
    const { exitCode, stderr, stdout } = await run(argv);

    // assess
    expect(exitCode).toBe(2);
    expect(stderr).toEqual([`deploy: ${message}; see --help`]);
    expect(stdout).toEqual([]);
  });

  it('--help shows the organization-wide options and exits 0', async () => {
    // act
    const { exitCode, stdout } = await run(['--stack-set', 'x', '--help']);

    // assess
    expect(exitCode).toBe(0);
    expect(stdout.join('\n')).toContain('--org-units LIST');
  });
});
