import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  functionNameFromArn,
  iamPathFromArn,
  parseArn,
  policyNameFromArn,
  roleNameFromArn,
  splitFunctionArn,
  withoutLatestQualifier,
} from '../../src/policy/arn.js';

const FUNCTION = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-api';

describe('ARN module', () => {
  it.each([
    ['a role', 'arn:aws:iam::123456789012:role/app', { service: 'iam', region: '', resource: 'role/app' }],
    ['a function version', `${FUNCTION}:3`, { region: 'eu-west-1', resource: 'function:orders-api:3' }],
    ['a China partition bucket', 'arn:aws-cn:s3:::logs', { partition: 'aws-cn', resource: 'logs' }],
  ])('parses %s', (_kind, arn, expected) => {
    // Act
    const parts = parseArn(arn);

    // Assess
    expect(parts).toMatchObject(expected);
  });

  it.each(['not-an-arn', 'arn:aws:iam', 'ARN:aws:iam::1:role/x'])('does not parse %s', (text) => {
    expect(parseArn(text)).toBeUndefined();
  });

  it.each([
    ['arn:aws:iam::123456789012:role/app', 'app', '/'],
    ['arn:aws:iam::123456789012:role/service-role/team/app', 'app', '/service-role/team/'],
    [
      'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      'AWSLambdaBasicExecutionRole',
      '/service-role/',
    ],
  ])('names %s %s with path %s', (arn, name, path) => {
    expect(roleNameFromArn(arn)).toBe(name);
    expect(policyNameFromArn(arn)).toBe(name);
    expect(iamPathFromArn(arn)).toBe(path);
  });

  it.each([
    [FUNCTION, FUNCTION, undefined, 'orders-api'],
    [`${FUNCTION}:7`, FUNCTION, '7', 'orders-api'],
    [`${FUNCTION}:live`, FUNCTION, 'live', 'orders-api'],
    [`${FUNCTION}:$LATEST`, FUNCTION, '$LATEST', 'orders-api'],
    [
      'arn:aws:iam::123456789012:role/app',
      'arn:aws:iam::123456789012:role/app',
      undefined,
      'arn:aws:iam::123456789012:role/app',
    ],
  ])(
    'splits %s into its unqualified ARN, qualifier and function name',
    (arn, unqualified, qualifier, name) => {
      expect(splitFunctionArn(arn)).toEqual({ unqualified, ...(qualifier ? { qualifier } : {}) });
      expect(functionNameFromArn(arn)).toBe(name);
    },
  );

  it.each([
    [`${FUNCTION}:$LATEST`, FUNCTION],
    [`${FUNCTION}:3`, `${FUNCTION}:3`],
    [FUNCTION, FUNCTION],
  ])('strips only a $LATEST qualifier from %s', (arn, expected) => {
    expect(withoutLatestQualifier(arn)).toBe(expected);
  });
});

/** The code that must take ARNs apart through src/policy/arn.ts, and what taking one apart by hand looks like. */
const CODE_FOLDERS = ['src', 'scripts', 'bench', 'tools'];
const HAND_SPLITS = [
  /\.split\(':'\)/,
  /lastIndexOf\('\/'\)/,
  /indexOf\(':function:'\)/,
  /split\(':function:'\)/,
  /indexOf\(':role\/'\)/,
];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('One ARN parser', () => {
  it('is the only code that splits ARNs by hand', () => {
    // Prepare
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const files = CODE_FOLDERS.flatMap((folder) => sourceFiles(join(root, folder)));

    // Act
    const offenders = files
      .map((file) => relative(root, file))
      .filter((file) => file !== join('src', 'policy', 'arn.ts'))
      // The HTML page's own script runs in the browser, where the project's modules cannot be imported.
      .filter((file) => file !== join('src', 'report', 'html-assets.ts'))
      .flatMap((file) =>
        readFileSync(join(root, file), 'utf8')
          .split('\n')
          .flatMap((line, index) =>
            HAND_SPLITS.some((pattern) => pattern.test(line)) ? [`${file}:${index + 1}: ${line.trim()}`] : [],
          ),
      );

    // Assess
    expect(files.length).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });
});
