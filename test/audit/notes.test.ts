import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/report/render.js';
import { auditRole, roleArnOf } from '../support/role-audit.js';

describe('Actions the IAM catalog cannot place', () => {
  // prepare: a typo of a known service, and a service newer than the catalog
  const report = auditRole({
    roleName: 'mixed-role',
    statements: [
      { Sid: 'Typo', Effect: 'Allow', Action: 's3:GetObjct', Resource: 'arn:aws:s3:::bucket/*' },
      {
        Sid: 'NewService',
        Effect: 'Allow',
        Action: ['zzfuture:StartThing', 'zzfuture:Describe*'],
        Resource: '*',
      },
    ],
  });

  it('reports a typo of a known service as an error and a service the catalog does not know as a note', () => {
    // assess
    expect(report.errors).toEqual([
      {
        scope: 'role',
        arn: roleArnOf('mixed-role'),
        code: 'UnknownAction',
        message: 'mixed-role/inline names action not in the IAM catalog: s3:getobjct',
      },
    ]);
    expect(report.notes).toEqual([
      {
        scope: 'role',
        arn: roleArnOf('mixed-role'),
        code: 'UncataloguedService',
        message: expect.stringMatching(
          /^mixed-role\/inline names actions of a service the IAM catalog \(.+\) does not know, evaluated by pattern: zzfuture:startthing, zzfuture:describe\*$/,
        ),
      },
    ]);
    expect(report.summary.errors).toBe(1);
    expect(report.status).toBe('complete');
  });

  it('shows the notes in the digest, the table, markdown and HTML', () => {
    // act
    const outputs = (['text', 'table', 'markdown', 'html'] as const).map((format) =>
      renderReport(report, format, { color: false }),
    );

    // assess
    for (const output of outputs) {
      expect(output).toMatch(/Notes \(1\)/);
      expect(output).toContain('zzfuture:startthing');
    }
  });

  it('leaves the notes out of a report that has none', () => {
    const clean = auditRole({
      roleName: 'clean-role',
      statements: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' }],
    });
    expect(clean.notes).toBeUndefined();
    expect(renderReport(clean, 'text', { color: false })).not.toContain('Notes');
  });
});
