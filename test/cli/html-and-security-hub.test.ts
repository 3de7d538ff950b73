import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../../src/cli/main.js';
import { helpText, parseCommand } from '../../src/cli/options.js';
import { ConfigurationError, readLambdaConfig } from '../../src/lambda/config.js';

const demo = (file: string) => new URL(`../../examples/demo-account/${file}`, import.meta.url).pathname;
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:audit';

function fakeIo(): CliIo & { err: () => string } {
  let err = '';
  return {
    stdout: { write: () => true, isTTY: false },
    stderr: { write: (text: string) => (err += text) },
    env: {},
    err: () => err,
  };
}

let scratch: string | undefined;

afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('CLI: --format html', () => {
  it('writes the offline audit as one self-contained page', async () => {
    // Prepare
    scratch = await mkdtemp(join(tmpdir(), 'lambda-role-auditor-html-'));
    const output = join(scratch, 'report.html');
    const io = fakeIo();

    // Act
    const code = await runCli(
      [
        'audit',
        '--auth-details',
        demo('auth-details.json'),
        '--functions',
        demo('functions.json'),
        '--format',
        'html',
        '--output',
        output,
      ],
      io,
    );

    // Assess
    const page = await readFile(output, 'utf8');
    expect(code).toBe(0);
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<h2>Fix first</h2>');
    expect(page).not.toMatch(/<(?:link|script|img)[^>]+(?:src|href)="(?!data:)/);
    expect(io.err()).toContain(`report written to ${output}`);
  });
});

describe('CLI: --security-hub', () => {
  it('is a flag of the audit command, listed in its help', () => {
    // Act
    const command = parseCommand(['audit', '--region', 'us-east-1', '--security-hub']);
    const without = parseCommand(['audit', '--region', 'us-east-1']);

    // Assess
    expect(command).toMatchObject({ command: 'audit', securityHub: true });
    expect(without).not.toHaveProperty('securityHub');
    expect(helpText('audit')).toContain('--security-hub');
    expect(() => parseCommand(['audit', '--security-hub=yes'])).toThrow('--security-hub takes no value');
  });
});

describe('Lambda configuration: SECURITY_HUB', () => {
  it.each([
    [undefined, undefined],
    ['off', undefined],
    ['on', true],
    [' on ', true],
  ])('reads SECURITY_HUB=%j as %j', (value, expected) => {
    // Act
    const config = readLambdaConfig({ TOPIC_ARN: TOPIC, AWS_REGION: 'us-east-1', SECURITY_HUB: value });

    // Assess
    expect(config.securityHub).toBe(expected);
  });

  it('refuses another value, naming the variable', () => {
    // Act
    const reading = () =>
      readLambdaConfig({ TOPIC_ARN: TOPIC, AWS_REGION: 'us-east-1', SECURITY_HUB: 'yes' });

    // Assess
    expect(reading).toThrow(ConfigurationError);
    expect(reading).toThrow('SECURITY_HUB: must be one of on, off, got "yes"');
  });
});
