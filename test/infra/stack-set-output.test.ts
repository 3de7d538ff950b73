import { describe, expect, it } from 'vitest';
import { formatInstancesTable } from '../../scripts/deploy.js';

describe('formatInstancesTable', () => {
  it('lines up every account and region with its status, detail and reason', () => {
    // act
    const table = formatInstancesTable([
      {
        account: '111122223333',
        region: 'eu-west-1',
        status: 'CURRENT',
        detailedStatus: 'SUCCEEDED',
        reason: '',
      },
      {
        account: '444455556666',
        region: 'us-east-1',
        status: 'OUTDATED',
        detailedStatus: 'FAILED',
        reason: 'Resource handler returned message: "Access Denied"',
      },
      {
        account: '777788889999',
        region: 'eu-west-1',
        status: 'MISSING',
        detailedStatus: '',
        reason: 'no stack instance',
      },
    ]);

    // assess
    expect(table.split('\n')).toEqual([
      'Account       Region     Status    Detail     Reason',
      '111122223333  eu-west-1  CURRENT   SUCCEEDED',
      '444455556666  us-east-1  OUTDATED  FAILED     Resource handler returned message: "Access Denied"',
      '777788889999  eu-west-1  MISSING              no stack instance',
    ]);
  });
});
