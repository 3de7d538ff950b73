import type { Evidence } from '../model/report.js';
import type { Grant } from '../policy/effective.js';
import { mergeGrants } from '../policy/effective.js';
import type { RoleRule } from './rule.js';
import { statementEvidence } from './shared.js';

/** Actions that on their own let the holder gain more privileges when allowed on any resource. */
const SINGLE_ACTIONS = [
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:AttachRolePolicy',
  'iam:AttachUserPolicy',
  'iam:AttachGroupPolicy',
  'iam:PutRolePolicy',
  'iam:PutUserPolicy',
  'iam:PutGroupPolicy',
  'iam:UpdateAssumeRolePolicy',
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
  'iam:AddUserToGroup',
  'lambda:UpdateFunctionCode',
  'lambda:UpdateFunctionConfiguration',
  'sts:AssumeRole',
];

/** Service actions that run code as a role handed over with `iam:PassRole`. */
const PASS_ROLE_COMPANIONS = [
  'lambda:CreateFunction',
  'ec2:RunInstances',
  'cloudformation:CreateStack',
  'cloudformation:UpdateStack',
  'glue:CreateDevEndpoint',
  'glue:CreateJob',
  'datapipeline:CreatePipeline',
  'ecs:RunTask',
  'ecs:CreateService',
  'codebuild:CreateProject',
  'sagemaker:CreateNotebookInstance',
  'sagemaker:CreateTrainingJob',
  'states:CreateStateMachine',
  'apprunner:CreateService',
];

interface Method {
  actions: string[];
  grants: Grant[];
}

/** Known ways to turn the role into more privileges (Rhino Security Labs' list, narrowed to Lambda roles). */
export const privilegeEscalation: RoleRule = {
  scope: 'role',
  meta: {
    id: 'privilege-escalation',
    severity: 'critical',
    title: 'Execution role can escalate its privileges',
    risk: 'Code running as the function can grant itself or another identity more permissions, up to full control of the account.',
    remediation:
      'Remove the escalation actions, or scope them to the exact resources needed (specific role, policy or function ARNs) and add conditions.',
  },
  check(context) {
    if (context.facts.admin) return [];
    const { permissions } = context;
    const methods: Method[] = [];
    for (const action of SINGLE_ACTIONS) {
      const grant = permissions.grantOnUnrestricted(action);
      if (grant) methods.push({ actions: [action], grants: [grant] });
    }
    const passRole = permissions.grantOnUnrestricted('iam:PassRole');
    if (passRole) {
      for (const companion of PASS_ROLE_COMPANIONS) {
        const grant = permissions.grantOnAnyResource(companion);
        if (grant) methods.push({ actions: ['iam:PassRole', companion], grants: [passRole, grant] });
      }
    }
    if (methods.length === 0) return [];
    const evidence: Evidence[] = [];
    let conditional = true;
    for (const method of methods) {
      const combined = method.grants.reduce(mergeGrants);
      if (!combined.conditional) conditional = false;
      for (const action of method.actions) context.facts.escalationActions.add(action.toLowerCase());
      for (const statement of combined.statements) {
        evidence.push(
          statementEvidence(statement, { actions: method.actions, detail: method.actions.join(' + ') }),
        );
      }
    }
    const names = methods.map((method) => method.actions.join(' + '));
    return [
      {
        message: `The role can escalate privileges through ${names.join('; ')}.`,
        evidence,
        conditional,
      },
    ];
  },
};
