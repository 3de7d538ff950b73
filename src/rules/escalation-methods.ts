/**
 * The privilege-escalation methods the `privilege-escalation` rule looks for, as data: the union of
 * the published catalogs — Rhino Security Labs' AWS IAM privilege-escalation methods, Prowler's
 * `privilege_escalation_policies_combination`, Datadog's pathfinding.cloud paths and Cloudsplaining's
 * `PRIVILEGE_ESCALATION_METHODS` — minus retired services (CodeStar). One entry per published
 * combination of actions; the rule reports the smallest combinations a role holds.
 *
 * Facts only were taken from those catalogs (which actions, who lists them); the explanations are
 * this project's own.
 */

/** The published catalogs a method can come from. */
export type SourceCatalog = 'rhino' | 'prowler' | 'pathfinding' | 'cloudsplaining';

export interface MethodSource {
  catalog: SourceCatalog;
  /** How the catalog names the method: Rhino's number, Prowler's and Cloudsplaining's key, the path id. */
  ref: string;
}

export interface EscalationMethod {
  /** Stable kebab-case id. */
  id: string;
  /** A short name for messages and tables. */
  name: string;
  /** Actions that must all be allowed, as AWS spells them. */
  actions: readonly string[];
  /**
   * For methods with `iam:PassRole`: the service principals the role is passed to
   * (`iam:PassedToService`); the PassRole grant counts if it allows one of them.
   */
  passedTo?: readonly string[];
  sources: readonly MethodSource[];
  /** One line: how the holder gains privileges. */
  explanation: string;
}

export const CATALOG_NAMES: Readonly<Record<SourceCatalog, string>> = {
  rhino: 'Rhino Security Labs',
  prowler: 'Prowler',
  pathfinding: 'pathfinding.cloud',
  cloudsplaining: 'Cloudsplaining',
};

const rhino = (ref: number): MethodSource => ({ catalog: 'rhino', ref: `#${ref}` });
const prowler = (ref: string): MethodSource => ({ catalog: 'prowler', ref });
const pathfinding = (ref: string): MethodSource => ({ catalog: 'pathfinding', ref });
const cloudsplaining = (ref: string): MethodSource => ({ catalog: 'cloudsplaining', ref });

const PASS = 'iam:PassRole';

export const ESCALATION_METHODS: readonly EscalationMethod[] = [
  // IAM: policies, versions, attachments, credentials, trust policies.
  {
    id: 'iam-create-policy-version',
    name: 'new version of a managed policy',
    actions: ['iam:CreatePolicyVersion'],
    sources: [
      rhino(1),
      prowler('CreatePolicyVersion'),
      pathfinding('iam-001'),
      cloudsplaining('CreateNewPolicyVersion'),
    ],
    explanation:
      'Writes a new default version of a customer managed policy (its own, or any) granting "*" on "*".',
  },
  {
    id: 'iam-set-default-policy-version',
    name: 'older policy version made default',
    actions: ['iam:SetDefaultPolicyVersion'],
    sources: [
      rhino(2),
      prowler('SetDefaultPolicyVersion'),
      cloudsplaining('SetExistingDefaultPolicyVersion'),
    ],
    explanation: 'Makes a more permissive, inactive version of a managed policy the default one.',
  },
  {
    id: 'iam-create-access-key',
    name: 'access key for another user',
    actions: ['iam:CreateAccessKey'],
    sources: [
      rhino(4),
      prowler('iam:CreateAccessKey'),
      pathfinding('iam-002'),
      cloudsplaining('CreateAccessKey'),
    ],
    explanation: 'Creates access keys for any IAM user and acts with that user’s permissions.',
  },
  {
    id: 'iam-create-and-rotate-access-key',
    name: 'access key for another user, deleting one first',
    actions: ['iam:CreateAccessKey', 'iam:DeleteAccessKey'],
    sources: [
      prowler('CreateAccessKey+DeleteAccessKey'),
      pathfinding('iam-003'),
      cloudsplaining('CreateAndRotateAccessKey'),
    ],
    explanation: 'Deletes one of a user’s two keys to make room, then creates a new key for that user.',
  },
  {
    id: 'iam-create-login-profile',
    name: 'console password for another user',
    actions: ['iam:CreateLoginProfile'],
    sources: [
      rhino(5),
      prowler('iam:CreateLoginProfile'),
      pathfinding('iam-004'),
      cloudsplaining('CreateLoginProfile'),
    ],
    explanation: 'Sets a console password on a user that has none and signs in as that user.',
  },
  {
    id: 'iam-update-login-profile',
    name: 'console password of another user changed',
    actions: ['iam:UpdateLoginProfile'],
    sources: [
      rhino(6),
      prowler('iam:UpdateLoginProfile'),
      pathfinding('iam-006'),
      cloudsplaining('UpdateLoginProfile'),
    ],
    explanation: 'Changes a user’s console password and signs in as that user.',
  },
  {
    id: 'iam-attach-user-policy',
    name: 'managed policy attached to a user',
    actions: ['iam:AttachUserPolicy'],
    sources: [
      rhino(7),
      prowler('iam:AttachUserPolicy'),
      pathfinding('iam-008'),
      cloudsplaining('AttachUserPolicy'),
    ],
    explanation: 'Attaches AdministratorAccess to any user.',
  },
  {
    id: 'iam-attach-user-policy-create-access-key',
    name: 'managed policy attached to a user, then a key for it',
    actions: ['iam:AttachUserPolicy', 'iam:CreateAccessKey'],
    sources: [
      prowler('AttachUserPolicy+CreateAccessKey'),
      pathfinding('iam-015'),
      cloudsplaining('AttachUserPolicyThenCreateAccessKey'),
    ],
    explanation: 'Attaches AdministratorAccess to a user, then creates an access key to act as that user.',
  },
  {
    id: 'iam-attach-group-policy',
    name: 'managed policy attached to a group',
    actions: ['iam:AttachGroupPolicy'],
    sources: [
      rhino(8),
      prowler('iam:AttachGroupPolicy'),
      pathfinding('iam-010'),
      cloudsplaining('AttachGroupPolicy'),
    ],
    explanation: 'Attaches AdministratorAccess to any group, and so to its members.',
  },
  {
    id: 'iam-attach-role-policy',
    name: 'managed policy attached to a role (its own included)',
    actions: ['iam:AttachRolePolicy'],
    sources: [
      rhino(9),
      prowler('iam:AttachRolePolicy'),
      pathfinding('iam-009'),
      cloudsplaining('AttachRolePolicy'),
    ],
    explanation: 'Attaches AdministratorAccess to its own execution role or to any other role.',
  },
  {
    id: 'iam-attach-role-policy-assume-role',
    name: 'managed policy attached to a role, then assumed',
    actions: ['iam:AttachRolePolicy', 'sts:AssumeRole'],
    sources: [prowler('AssumeRole+AttachRolePolicy'), pathfinding('iam-014')],
    explanation: 'Attaches AdministratorAccess to a role it may assume, then assumes it.',
  },
  {
    id: 'iam-attach-role-policy-update-assume-role-policy',
    name: 'managed policy attached to a role whose trust policy it rewrites',
    actions: ['iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy'],
    sources: [
      prowler('AttachRolePolicy+UpdateAssumeRolePolicy'),
      pathfinding('iam-019'),
      cloudsplaining('AttachRolePolicyThenUpdateAssumeRolePolicy'),
    ],
    explanation: 'Attaches AdministratorAccess to a role and rewrites its trust policy to trust itself.',
  },
  {
    id: 'iam-put-user-policy',
    name: 'inline policy written on a user',
    actions: ['iam:PutUserPolicy'],
    sources: [
      rhino(10),
      prowler('iam:PutUserPolicy'),
      pathfinding('iam-007'),
      cloudsplaining('PutUserPolicy'),
    ],
    explanation: 'Writes an inline "*" on "*" policy on any user.',
  },
  {
    id: 'iam-put-user-policy-create-access-key',
    name: 'inline policy written on a user, then a key for it',
    actions: ['iam:PutUserPolicy', 'iam:CreateAccessKey'],
    sources: [
      prowler('PutUserPolicy+CreateAccessKey'),
      pathfinding('iam-018'),
      cloudsplaining('PutUserPolicyThenCreateAccessKey'),
    ],
    explanation: 'Writes an administrator inline policy on a user, then creates an access key for it.',
  },
  {
    id: 'iam-put-group-policy',
    name: 'inline policy written on a group',
    actions: ['iam:PutGroupPolicy'],
    sources: [
      rhino(11),
      prowler('iam:PutGroupPolicy'),
      pathfinding('iam-011'),
      cloudsplaining('PutGroupPolicy'),
    ],
    explanation: 'Writes an inline "*" on "*" policy on any group, and so for its members.',
  },
  {
    id: 'iam-put-role-policy',
    name: 'inline policy written on a role (its own included)',
    actions: ['iam:PutRolePolicy'],
    sources: [
      rhino(12),
      prowler('iam:PutRolePolicy'),
      pathfinding('iam-005'),
      cloudsplaining('PutRolePolicy'),
    ],
    explanation: 'Writes an inline "*" on "*" policy on its own execution role or on any other role.',
  },
  {
    id: 'iam-put-role-policy-assume-role',
    name: 'inline policy written on a role, then assumed',
    actions: ['iam:PutRolePolicy', 'sts:AssumeRole'],
    sources: [prowler('AssumeRole+PutRolePolicy'), pathfinding('iam-017')],
    explanation: 'Writes an administrator inline policy on a role it may assume, then assumes it.',
  },
  {
    id: 'iam-put-role-policy-update-assume-role-policy',
    name: 'inline policy written on a role whose trust policy it rewrites',
    actions: ['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'],
    sources: [
      prowler('PutRolePolicy+UpdateAssumeRolePolicy'),
      pathfinding('iam-021'),
      cloudsplaining('PutRolePolicyThenUpdateAssumeRolePolicy'),
    ],
    explanation: 'Writes an administrator inline policy on a role and makes the role trust itself.',
  },
  {
    id: 'iam-create-policy-version-assume-role',
    name: 'new policy version on a role it then assumes',
    actions: ['iam:CreatePolicyVersion', 'sts:AssumeRole'],
    sources: [
      prowler('AssumeRole+CreatePolicyVersion'),
      pathfinding('iam-016'),
      cloudsplaining('CreatePolicyVersionThenAssumeRole'),
    ],
    explanation: 'Rewrites a managed policy attached to a role it may assume, then assumes the role.',
  },
  {
    id: 'iam-create-policy-version-update-assume-role-policy',
    name: 'new policy version on a role whose trust policy it rewrites',
    actions: ['iam:CreatePolicyVersion', 'iam:UpdateAssumeRolePolicy'],
    sources: [
      prowler('CreatePolicyVersion+UpdateAssumeRolePolicy'),
      pathfinding('iam-020'),
      cloudsplaining('CreatePolicyVersionThenUpdateAssumeRolePolicy'),
    ],
    explanation: 'Rewrites a managed policy of a role and makes the role trust itself.',
  },
  {
    id: 'iam-add-user-to-group',
    name: 'user added to a group',
    actions: ['iam:AddUserToGroup'],
    sources: [
      rhino(13),
      prowler('iam:AddUserToGroup'),
      pathfinding('iam-013'),
      cloudsplaining('AddUserToGroup'),
    ],
    explanation: 'Adds a user to an administrators group.',
  },
  {
    id: 'iam-update-assume-role-policy',
    name: 'trust policy of a role rewritten',
    actions: ['iam:UpdateAssumeRolePolicy'],
    sources: [
      prowler('iam:UpdateAssumeRolePolicy'),
      pathfinding('iam-012'),
      cloudsplaining('UpdateRolePolicyToAssumeIt'),
    ],
    explanation:
      'Rewrites the trust policy of a privileged role to name itself; a trust policy naming it needs no sts:AssumeRole grant.',
  },
  {
    id: 'iam-update-assume-role-policy-assume-role',
    name: 'trust policy of a role rewritten, then assumed',
    actions: ['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'],
    sources: [rhino(14), prowler('AssumeRole+UpdateAssumeRolePolicy')],
    explanation: 'Rewrites the trust policy of a privileged role to trust itself, then assumes it.',
  },
  {
    id: 'sts-assume-role',
    name: 'any role assumed',
    actions: ['sts:AssumeRole'],
    sources: [pathfinding('sts-001')],
    explanation: 'Assumes every role whose trust policy trusts the account or this role.',
  },
  {
    id: 'iam-delete-user-permissions-boundary',
    name: 'permissions boundary of a user removed',
    actions: ['iam:DeleteUserPermissionsBoundary'],
    sources: [prowler('iam:DeleteUserPermissionsBoundary')],
    explanation: 'Removes the boundary that holds a user’s policies back.',
  },
  {
    id: 'iam-delete-role-permissions-boundary-assume-role',
    name: 'permissions boundary of a role removed, then assumed',
    actions: ['sts:AssumeRole', 'iam:DeleteRolePermissionsBoundary'],
    sources: [prowler('AssumeRole+DeleteRolePermissionsBoundary')],
    explanation: 'Removes the boundary of a role (its own included) so that its policies apply in full.',
  },
  {
    id: 'sso-permission-set-assignment',
    name: 'new IAM Identity Center permission set assigned',
    actions: [
      'sso:CreatePermissionSet',
      'sso:CreateAccountAssignment',
      'sso:AttachManagedPolicyToPermissionSet',
    ],
    sources: [prowler('SSOCreatePermissionSet+CreateAccountAssignment+AttachManagedPolicy')],
    explanation: 'Creates an administrator permission set and assigns it to an Identity Center user.',
  },
  {
    id: 'sso-attach-managed-policy-to-permission-set',
    name: 'managed policy attached to a permission set',
    actions: ['sso:AttachManagedPolicyToPermissionSet'],
    sources: [prowler('sso:AttachManagedPolicyToPermissionSet')],
    explanation: 'Attaches AdministratorAccess to a permission set, and so to everyone assigned to it.',
  },
  {
    id: 'sso-put-inline-policy-to-permission-set',
    name: 'inline policy written on a permission set',
    actions: ['sso:PutInlinePolicyToPermissionSet'],
    sources: [prowler('sso:PutInlinePolicyToPermissionSet')],
    explanation: 'Writes an administrator inline policy on a permission set.',
  },

  // Lambda.
  {
    id: 'passrole-lambda-create-invoke',
    name: 'role passed to a new Lambda function, then invoked',
    actions: [PASS, 'lambda:CreateFunction', 'lambda:InvokeFunction'],
    passedTo: ['lambda.amazonaws.com'],
    sources: [
      rhino(15),
      prowler('PassRole+CreateLambda+Invoke'),
      pathfinding('lambda-001'),
      cloudsplaining('PassExistingRoleToNewLambdaThenInvoke'),
    ],
    explanation: 'Creates a function that runs as a privileged role and invokes it.',
  },
  {
    id: 'passrole-lambda-create-add-permission',
    name: 'role passed to a new Lambda function, invoked through its policy',
    actions: [PASS, 'lambda:CreateFunction', 'lambda:AddPermission'],
    passedTo: ['lambda.amazonaws.com'],
    sources: [
      rhino(16),
      prowler('PassRole+CreateLambda+AddPermission'),
      pathfinding('lambda-006'),
      cloudsplaining('PassExistingRoleToNewLambdaThenAddPermission'),
    ],
    explanation: 'Creates a function as a privileged role and lets another account invoke it.',
  },
  {
    id: 'passrole-lambda-create-event-source',
    name: 'role passed to a new Lambda function, triggered by an event source',
    actions: [PASS, 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'],
    passedTo: ['lambda.amazonaws.com'],
    sources: [
      rhino(17),
      prowler('PassRole+CreateLambda+ExistingDynamo'),
      pathfinding('lambda-002'),
      cloudsplaining('PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo'),
    ],
    explanation: 'Creates a function as a privileged role and maps a stream or queue to it to run it.',
  },
  {
    id: 'passrole-lambda-create-new-dynamodb-trigger',
    name: 'role passed to a new Lambda function, triggered by a new DynamoDB table',
    actions: [
      PASS,
      'lambda:CreateFunction',
      'lambda:CreateEventSourceMapping',
      'dynamodb:CreateTable',
      'dynamodb:PutItem',
    ],
    passedTo: ['lambda.amazonaws.com'],
    sources: [
      prowler('PassRole+CreateLambda+NewDynamo'),
      cloudsplaining('PassExistingRoleToNewLambdaThenTriggerWithNewDynamo'),
    ],
    explanation:
      'Creates a function as a privileged role, a table with a stream, and writes an item to run it.',
  },
  {
    id: 'lambda-update-function-code',
    name: 'code of an existing Lambda function replaced',
    actions: ['lambda:UpdateFunctionCode'],
    sources: [
      rhino(18),
      prowler('lambda:UpdateFunctionCode'),
      pathfinding('lambda-003'),
      cloudsplaining('EditExistingLambdaFunctionWithRole'),
    ],
    explanation: 'Replaces the code of any function, which then runs as that function’s role.',
  },
  {
    id: 'lambda-update-function-code-invoke',
    name: 'code of an existing Lambda function replaced, then invoked',
    actions: ['lambda:UpdateFunctionCode', 'lambda:InvokeFunction'],
    sources: [
      prowler('UpdateFunctionCode+InvokeFunction'),
      pathfinding('lambda-004'),
      cloudsplaining('UpdateAndInvokeLambdaFunction'),
    ],
    explanation: 'Replaces the code of a privileged function and invokes it.',
  },
  {
    id: 'lambda-update-function-code-add-permission',
    name: 'code of an existing Lambda function replaced, invoked through its policy',
    actions: ['lambda:UpdateFunctionCode', 'lambda:AddPermission'],
    sources: [
      prowler('UpdateFunctionCode+AddPermission'),
      pathfinding('lambda-005'),
      cloudsplaining('UpdateLambdaFunctionAndAddPermission'),
    ],
    explanation: 'Replaces the code of a privileged function and lets another account invoke it.',
  },
  {
    id: 'lambda-update-function-configuration',
    name: 'configuration of an existing Lambda function changed (layers)',
    actions: ['lambda:UpdateFunctionConfiguration'],
    sources: [rhino(26), prowler('lambda:UpdateFunctionConfiguration')],
    explanation:
      'Adds a layer (or handler, environment) to any function so that its own code runs as that function’s role.',
  },

  // EC2 and Auto Scaling.
  {
    id: 'passrole-ec2-run-instances',
    name: 'role passed to a new EC2 instance',
    actions: [PASS, 'ec2:RunInstances'],
    passedTo: ['ec2.amazonaws.com'],
    sources: [
      rhino(3),
      prowler('PassRole+EC2'),
      pathfinding('ec2-001'),
      cloudsplaining('CreateEC2WithExistingIP'),
    ],
    explanation: 'Starts an instance with a privileged instance profile and user data that uses it.',
  },
  {
    id: 'passrole-ec2-request-spot-instances',
    name: 'role passed to a new EC2 spot instance',
    actions: [PASS, 'ec2:RequestSpotInstances'],
    passedTo: ['ec2.amazonaws.com'],
    sources: [
      prowler('PassRole+EC2SpotInstances'),
      pathfinding('ec2-003'),
      cloudsplaining('PassExistingRoleToNewEC2SpotInstance'),
    ],
    explanation: 'Requests a spot instance with a privileged instance profile and user data that uses it.',
  },
  {
    id: 'ec2-modify-instance-user-data',
    name: 'user data of an existing EC2 instance replaced',
    actions: ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances'],
    sources: [
      prowler('EC2ModifyInstanceAttribute'),
      pathfinding('ec2-002'),
      cloudsplaining('ModifyEC2InstanceUserDataThenRestart'),
    ],
    explanation:
      'Stops an instance, replaces its user data and starts it: the script runs as its instance profile.',
  },
  {
    id: 'ec2-launch-template-version',
    name: 'new default version of an existing launch template',
    actions: ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate'],
    sources: [
      prowler('EC2ModifyLaunchTemplate'),
      pathfinding('ec2-004'),
      cloudsplaining('ModifyExistingEC2LaunchTemplate'),
    ],
    explanation: 'Makes a launch template with a privileged instance profile run its own user data.',
  },
  {
    id: 'ec2-instance-connect-send-ssh-public-key',
    name: 'SSH key pushed to an existing instance (Instance Connect)',
    actions: ['ec2-instance-connect:SendSSHPublicKey', 'ec2:DescribeInstances'],
    sources: [
      prowler('EC2InstanceConnect+SendSSHPublicKey'),
      pathfinding('ec2instanceconnect-003'),
      cloudsplaining('EC2InstanceConnectSendSSHPublicKey'),
    ],
    explanation: 'Logs in to a running instance and uses its instance profile credentials.',
  },
  {
    id: 'passrole-autoscaling-create-group',
    name: 'role passed to a new Auto Scaling launch configuration and group',
    actions: [PASS, 'autoscaling:CreateAutoScalingGroup', 'autoscaling:CreateLaunchConfiguration'],
    passedTo: ['ec2.amazonaws.com', 'autoscaling.amazonaws.com'],
    sources: [prowler('PassRole+CreateAutoScaling')],
    explanation: 'Launches instances with a privileged instance profile and its own user data.',
  },
  {
    id: 'passrole-autoscaling-update-group',
    name: 'role passed to a new launch configuration of an existing Auto Scaling group',
    actions: [PASS, 'autoscaling:UpdateAutoScalingGroup', 'autoscaling:CreateLaunchConfiguration'],
    passedTo: ['ec2.amazonaws.com', 'autoscaling.amazonaws.com'],
    sources: [prowler('PassRole+UpdateAutoScaling')],
    explanation: 'Points an existing group at a launch configuration with a privileged instance profile.',
  },

  // ECS.
  {
    id: 'passrole-ecs-new-cluster-service',
    name: 'role passed to a task definition run as a service in a new cluster',
    actions: [PASS, 'ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecs:CreateService'],
    passedTo: ['ecs-tasks.amazonaws.com'],
    sources: [pathfinding('ecs-001'), cloudsplaining('PassExistingRoleToNewECSClusterServiceTask')],
    explanation: 'Registers a task definition with a privileged task role and runs it as a service.',
  },
  {
    id: 'passrole-ecs-new-cluster-run-task',
    name: 'role passed to a task definition run in a new cluster',
    actions: [PASS, 'ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'],
    passedTo: ['ecs-tasks.amazonaws.com'],
    sources: [pathfinding('ecs-002'), cloudsplaining('PassExistingRoleToNewECSClusterRunTask')],
    explanation: 'Registers a task definition with a privileged task role and runs it.',
  },
  {
    id: 'passrole-ecs-register-create-service',
    name: 'role passed to a new task definition run as a service',
    actions: [PASS, 'ecs:RegisterTaskDefinition', 'ecs:CreateService'],
    passedTo: ['ecs-tasks.amazonaws.com'],
    sources: [
      prowler('PassRole+ECS+RegisterTaskDef+CreateService'),
      pathfinding('ecs-003'),
      cloudsplaining('PassExistingRoleToNewECSService'),
    ],
    explanation:
      'Registers a task definition with a privileged task role and its own command, run by a service.',
  },
  {
    id: 'passrole-ecs-register-run-task',
    name: 'role passed to a new task definition, run',
    actions: [PASS, 'ecs:RegisterTaskDefinition', 'ecs:RunTask'],
    passedTo: ['ecs-tasks.amazonaws.com'],
    sources: [
      prowler('PassRole+ECS+RegisterTaskDef+RunTask'),
      pathfinding('ecs-004'),
      cloudsplaining('PassExistingRoleToNewECSTaskViaRunTask'),
    ],
    explanation: 'Registers a task definition with a privileged task role and its own command, and runs it.',
  },
  {
    id: 'passrole-ecs-register-start-task',
    name: 'role passed to a new task definition, started on a container instance',
    actions: [PASS, 'ecs:RegisterTaskDefinition', 'ecs:StartTask'],
    passedTo: ['ecs-tasks.amazonaws.com'],
    sources: [
      prowler('PassRole+ECS+RegisterTaskDef+StartTask'),
      pathfinding('ecs-005'),
      cloudsplaining('PassExistingRoleToNewECSTaskViaStartTask'),
    ],
    explanation: 'Registers a task definition with a privileged task role and starts it.',
  },
  {
    id: 'passrole-ecs-run-task-override',
    name: 'role passed to an existing task definition run with overrides',
    actions: [PASS, 'ecs:RunTask'],
    passedTo: ['ecs-tasks.amazonaws.com'],
    sources: [prowler('PassRole+ECS+RunTask'), pathfinding('ecs-008')],
    explanation: 'Runs an existing task definition with taskRoleArn and command overridden.',
  },
  {
    id: 'passrole-ecs-start-task-override',
    name: 'role passed to an existing task definition started with overrides',
    actions: [PASS, 'ecs:StartTask'],
    passedTo: ['ecs-tasks.amazonaws.com'],
    sources: [prowler('PassRole+ECSStartTaskExistingCluster'), pathfinding('ecs-009')],
    explanation: 'Starts an existing task definition with taskRoleArn and command overridden.',
  },
  {
    id: 'passrole-ecs-register-container-instance-start-task',
    name: 'instance registered to a cluster, task started on it with overrides',
    actions: [PASS, 'ecs:StartTask', 'ecs:RegisterContainerInstance', 'ecs:DeregisterContainerInstance'],
    passedTo: ['ecs-tasks.amazonaws.com'],
    sources: [prowler('PassRole+ECS+StartTask'), pathfinding('ecs-007')],
    explanation:
      'Registers an instance it controls to a cluster and starts a task there as a privileged role.',
  },
  {
    id: 'ecs-execute-command',
    name: 'shell in a running ECS task (ECS Exec)',
    actions: ['ecs:ExecuteCommand', 'ecs:DescribeTasks'],
    sources: [
      prowler('ECS+ExecuteCommand'),
      pathfinding('ecs-006'),
      cloudsplaining('ECSExecuteCommandOnRunningTask'),
    ],
    explanation: 'Opens a shell in a running task and reads its task role credentials.',
  },

  // CloudFormation.
  {
    id: 'passrole-cloudformation-create-stack',
    name: 'role passed to a new CloudFormation stack',
    actions: [PASS, 'cloudformation:CreateStack'],
    passedTo: ['cloudformation.amazonaws.com'],
    sources: [
      rhino(21),
      prowler('PassRole+CloudFormationCreateStack'),
      pathfinding('cloudformation-001'),
      cloudsplaining('PassExistingRoleToCloudFormation'),
    ],
    explanation: 'Creates a stack whose service role creates what the template says, such as an admin role.',
  },
  {
    id: 'cloudformation-update-stack',
    name: 'existing CloudFormation stack updated with its service role',
    actions: ['cloudformation:UpdateStack'],
    sources: [prowler('CloudFormationUpdateStack'), pathfinding('cloudformation-002')],
    explanation: 'Updates a stack with a new template, deployed with the stack’s privileged service role.',
  },
  {
    id: 'cloudformation-change-set',
    name: 'change set executed on an existing CloudFormation stack',
    actions: ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet'],
    sources: [
      prowler('CloudFormationChangeSet'),
      pathfinding('cloudformation-005'),
      cloudsplaining('ExecuteCloudFormationChangeSet'),
    ],
    explanation: 'Changes a stack through a change set, deployed with the stack’s privileged service role.',
  },
  {
    id: 'passrole-cloudformation-create-stack-set',
    name: 'role passed to a new StackSet',
    actions: [PASS, 'cloudformation:CreateStackSet', 'cloudformation:CreateStackInstances'],
    passedTo: ['cloudformation.amazonaws.com'],
    sources: [
      prowler('PassRole+CloudFormationCreateStackSet'),
      pathfinding('cloudformation-003'),
      cloudsplaining('PassExistingRoleToNewCloudFormationStackSet'),
    ],
    explanation: 'Deploys a template through a StackSet administration role of its choosing.',
  },
  {
    id: 'passrole-cloudformation-update-stack-set',
    name: 'role passed to an existing StackSet',
    actions: [PASS, 'cloudformation:UpdateStackSet'],
    passedTo: ['cloudformation.amazonaws.com'],
    sources: [
      prowler('PassRole+CloudFormationUpdateStackSet'),
      pathfinding('cloudformation-004'),
      cloudsplaining('PassRoleToUpdateCloudFormationStackSet'),
    ],
    explanation: 'Updates a StackSet with its own template and a privileged administration role.',
  },

  // Glue.
  {
    id: 'passrole-glue-create-dev-endpoint',
    name: 'role passed to a new Glue development endpoint',
    actions: [PASS, 'glue:CreateDevEndpoint'],
    passedTo: ['glue.amazonaws.com'],
    sources: [
      rhino(19),
      prowler('PassRole+GlueCreateDevEndpoint'),
      pathfinding('glue-001'),
      cloudsplaining('PassExistingRoleToNewGlueDevEndpoint'),
    ],
    explanation: 'Creates an endpoint with a privileged role and its own SSH key, and logs in.',
  },
  {
    id: 'glue-update-dev-endpoint',
    name: 'SSH key of an existing Glue development endpoint replaced',
    actions: ['glue:UpdateDevEndpoint'],
    sources: [
      rhino(20),
      prowler('GlueUpdateDevEndpoint'),
      pathfinding('glue-002'),
      cloudsplaining('UpdateExistingGlueDevEndpoint'),
    ],
    explanation: 'Puts its own SSH key on an endpoint and uses the endpoint’s role.',
  },
  {
    id: 'passrole-glue-create-job-run',
    name: 'role passed to a new Glue job, run',
    actions: [PASS, 'glue:CreateJob', 'glue:StartJobRun'],
    passedTo: ['glue.amazonaws.com'],
    sources: [
      prowler('PassRole+GlueCreateJob+StartJobRun'),
      pathfinding('glue-003'),
      cloudsplaining('PassExistingRoleToNewGlueJobThenRun'),
    ],
    explanation: 'Creates a job running its own script as a privileged role and starts it.',
  },
  {
    id: 'passrole-glue-create-job-trigger',
    name: 'role passed to a new Glue job, triggered',
    actions: [PASS, 'glue:CreateJob', 'glue:CreateTrigger'],
    passedTo: ['glue.amazonaws.com'],
    sources: [
      prowler('PassRole+GlueCreateJob+CreateTrigger'),
      pathfinding('glue-004'),
      cloudsplaining('PassExistingRoleToNewGlueJobViaTrigger'),
    ],
    explanation: 'Creates a job running its own script as a privileged role and a trigger that starts it.',
  },
  {
    id: 'passrole-glue-update-job-run',
    name: 'role passed to an existing Glue job, run',
    actions: [PASS, 'glue:UpdateJob', 'glue:StartJobRun'],
    passedTo: ['glue.amazonaws.com'],
    sources: [
      prowler('PassRole+GlueUpdateJob+StartJobRun'),
      pathfinding('glue-005'),
      cloudsplaining('PassExistingRoleToUpdatedGlueJobThenRun'),
    ],
    explanation: 'Points a job at its own script and a privileged role, and starts it.',
  },
  {
    id: 'passrole-glue-update-job-trigger',
    name: 'role passed to an existing Glue job, triggered',
    actions: [PASS, 'glue:UpdateJob', 'glue:CreateTrigger'],
    passedTo: ['glue.amazonaws.com'],
    sources: [
      prowler('PassRole+GlueUpdateJob+CreateTrigger'),
      pathfinding('glue-006'),
      cloudsplaining('PassExistingRoleToUpdatedGlueJobViaTrigger'),
    ],
    explanation: 'Points a job at its own script and a privileged role, and triggers it.',
  },
  {
    id: 'passrole-glue-interactive-session',
    name: 'role passed to a new Glue interactive session',
    actions: [PASS, 'glue:CreateSession', 'glue:RunStatement'],
    passedTo: ['glue.amazonaws.com'],
    sources: [prowler('PassRole+GlueCreateSession+RunStatement'), pathfinding('glue-007')],
    explanation: 'Opens a session as a privileged role and runs its own code in it.',
  },

  // SageMaker.
  {
    id: 'passrole-sagemaker-create-notebook-instance',
    name: 'role passed to a new SageMaker notebook instance',
    actions: [PASS, 'sagemaker:CreateNotebookInstance'],
    passedTo: ['sagemaker.amazonaws.com'],
    sources: [
      prowler('PassRole+SageMakerCreateNotebookInstance'),
      pathfinding('sagemaker-001'),
      cloudsplaining('PassExistingRoleToNewSageMakerNotebookInstance'),
    ],
    explanation: 'Creates a notebook running as a privileged role (with a lifecycle script of its own).',
  },
  {
    id: 'passrole-sagemaker-notebook-presigned-url',
    name: 'role passed to a new SageMaker notebook, opened through a presigned URL',
    actions: [PASS, 'sagemaker:CreateNotebookInstance', 'sagemaker:CreatePresignedNotebookInstanceUrl'],
    passedTo: ['sagemaker.amazonaws.com'],
    sources: [rhino(27)],
    explanation: 'Creates a notebook as a privileged role and opens its Jupyter terminal.',
  },
  {
    id: 'passrole-sagemaker-create-training-job',
    name: 'role passed to a new SageMaker training job',
    actions: [PASS, 'sagemaker:CreateTrainingJob'],
    passedTo: ['sagemaker.amazonaws.com'],
    sources: [
      prowler('PassRole+SageMakerCreateTrainingJob'),
      pathfinding('sagemaker-002'),
      cloudsplaining('PassExistingRoleToNewSageMakerTrainingJob'),
    ],
    explanation: 'Runs its own container as a privileged role.',
  },
  {
    id: 'passrole-sagemaker-create-processing-job',
    name: 'role passed to a new SageMaker processing job',
    actions: [PASS, 'sagemaker:CreateProcessingJob'],
    passedTo: ['sagemaker.amazonaws.com'],
    sources: [
      prowler('PassRole+SageMakerCreateProcessingJob'),
      pathfinding('sagemaker-003'),
      cloudsplaining('PassExistingRoleToNewSageMakerProcessingJob'),
    ],
    explanation: 'Runs its own container as a privileged role.',
  },
  {
    id: 'sagemaker-presigned-notebook-url',
    name: 'presigned URL of an existing SageMaker notebook',
    actions: ['sagemaker:CreatePresignedNotebookInstanceUrl'],
    sources: [
      rhino(28),
      prowler('SageMakerCreatePresignedNotebookInstanceUrl'),
      pathfinding('sagemaker-004'),
      cloudsplaining('CreatePresignedSageMakerNotebookUrl'),
    ],
    explanation: 'Opens the Jupyter terminal of a notebook and uses the notebook’s role.',
  },
  {
    id: 'sagemaker-notebook-lifecycle-config',
    name: 'lifecycle script put on an existing SageMaker notebook',
    actions: [
      'sagemaker:CreateNotebookInstanceLifecycleConfig',
      'sagemaker:StopNotebookInstance',
      'sagemaker:UpdateNotebookInstance',
      'sagemaker:StartNotebookInstance',
    ],
    sources: [
      prowler('SageMakerNotebookLifecycleConfig'),
      pathfinding('sagemaker-005'),
      cloudsplaining('UpdateSageMakerNotebookLifecycleConfig'),
    ],
    explanation: 'Restarts a notebook with its own start-up script, which runs as the notebook’s role.',
  },

  // CodeBuild.
  {
    id: 'passrole-codebuild-create-project-build',
    name: 'role passed to a new CodeBuild project, built',
    actions: [PASS, 'codebuild:CreateProject', 'codebuild:StartBuild'],
    passedTo: ['codebuild.amazonaws.com'],
    sources: [
      prowler('PassRole+CodeBuildCreateProject+StartBuild'),
      pathfinding('codebuild-001'),
      cloudsplaining('PassExistingRoleToNewCodeBuildProjectThenBuild'),
    ],
    explanation: 'Creates a project with a privileged service role and its own buildspec, and builds it.',
  },
  {
    id: 'passrole-codebuild-create-project-build-batch',
    name: 'role passed to a new CodeBuild project, batch-built',
    actions: [PASS, 'codebuild:CreateProject', 'codebuild:StartBuildBatch'],
    passedTo: ['codebuild.amazonaws.com'],
    sources: [
      prowler('PassRole+CodeBuildCreateProject+StartBuildBatch'),
      pathfinding('codebuild-004'),
      cloudsplaining('PassExistingRoleToNewCodeBuildProjectThenBuildBatch'),
    ],
    explanation:
      'Creates a project with a privileged service role and its own buildspec, and batch-builds it.',
  },
  {
    id: 'codebuild-start-build',
    name: 'existing CodeBuild project built with a buildspec override',
    actions: ['codebuild:StartBuild'],
    sources: [prowler('CodeBuildStartBuild'), pathfinding('codebuild-002')],
    explanation: 'Builds a project with its own buildspec, which runs as the project’s service role.',
  },
  {
    id: 'codebuild-start-build-batch',
    name: 'existing CodeBuild project batch-built with a buildspec override',
    actions: ['codebuild:StartBuildBatch'],
    sources: [prowler('CodeBuildStartBuildBatch'), pathfinding('codebuild-003')],
    explanation: 'Batch-builds a project with its own buildspec, which runs as the project’s service role.',
  },

  // Data Pipeline.
  {
    id: 'passrole-datapipeline',
    name: 'role passed to a new Data Pipeline, activated',
    actions: [
      PASS,
      'datapipeline:CreatePipeline',
      'datapipeline:PutPipelineDefinition',
      'datapipeline:ActivatePipeline',
    ],
    passedTo: ['datapipeline.amazonaws.com', 'elasticmapreduce.amazonaws.com', 'ec2.amazonaws.com'],
    sources: [prowler('PassRole+DataPipeline'), pathfinding('datapipeline-001')],
    explanation: 'Defines a pipeline whose shell command runs as a privileged role, and activates it.',
  },

  // Systems Manager.
  {
    id: 'ssm-start-session',
    name: 'shell on a managed instance (Session Manager)',
    actions: ['ssm:StartSession'],
    sources: [prowler('SSMStartSession'), pathfinding('ssm-001')],
    explanation: 'Opens a shell on an instance and uses its instance profile credentials.',
  },
  {
    id: 'ssm-send-command',
    name: 'command run on a managed instance',
    actions: ['ssm:SendCommand'],
    sources: [prowler('SSMSendCommand'), pathfinding('ssm-002')],
    explanation: 'Runs a shell script on an instance, as its instance profile.',
  },
  {
    id: 'passrole-ssm-automation',
    name: 'role passed to a new SSM Automation document',
    actions: [PASS, 'ssm:CreateDocument', 'ssm:StartAutomationExecution'],
    passedTo: ['ssm.amazonaws.com'],
    sources: [prowler('PassRole+SSMCreateDocument+StartAutomation')],
    explanation: 'Runs its own automation steps (any API call) as a privileged role.',
  },

  // App Runner.
  {
    id: 'passrole-apprunner-create-service',
    name: 'role passed to a new App Runner service',
    actions: [PASS, 'apprunner:CreateService'],
    passedTo: ['tasks.apprunner.amazonaws.com', 'apprunner.amazonaws.com', 'build.apprunner.amazonaws.com'],
    sources: [
      prowler('PassRole+AppRunnerCreateService'),
      pathfinding('apprunner-001'),
      cloudsplaining('PassExistingRoleToNewAppRunnerService'),
    ],
    explanation: 'Runs its own container image with a privileged instance role.',
  },
  {
    id: 'apprunner-update-service',
    name: 'image of an existing App Runner service replaced',
    actions: ['apprunner:UpdateService'],
    sources: [prowler('AppRunnerUpdateService'), pathfinding('apprunner-002')],
    explanation: 'Points a service at its own image, which runs with the service’s instance role.',
  },

  // Bedrock AgentCore.
  {
    id: 'passrole-agentcore-code-interpreter',
    name: 'role passed to a new Bedrock AgentCore code interpreter',
    actions: [
      PASS,
      'bedrock-agentcore:CreateCodeInterpreter',
      'bedrock-agentcore:StartCodeInterpreterSession',
      'bedrock-agentcore:InvokeCodeInterpreter',
    ],
    passedTo: ['bedrock-agentcore.amazonaws.com'],
    sources: [
      prowler('PassRole+AgentCoreCreateInterpreter+InvokeInterpreter'),
      pathfinding('bedrock-001'),
      cloudsplaining('PassExistingRoleToNewBedrockCodeInterpreter'),
    ],
    explanation: 'Creates a code interpreter with a privileged execution role and runs its own code in it.',
  },
  {
    id: 'agentcore-code-interpreter-session',
    name: 'code run in an existing Bedrock AgentCore code interpreter',
    actions: ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'],
    sources: [
      prowler('AgentCoreSessionInvoke'),
      pathfinding('bedrock-002'),
      cloudsplaining('AccessExistingBedrockCodeInterpreterSession'),
    ],
    explanation: 'Runs its own code in a custom interpreter, with the interpreter’s execution role.',
  },
  {
    id: 'agentcore-invoke-runtime-command',
    name: 'shell command in an existing Bedrock AgentCore runtime',
    actions: ['bedrock-agentcore:InvokeAgentRuntimeCommand'],
    sources: [prowler('AgentCoreInvokeRuntimeCommand')],
    explanation: 'Runs a shell command in an agent runtime and reads its execution role credentials.',
  },
  {
    id: 'passrole-agentcore-runtime',
    name: 'role passed to a new Bedrock AgentCore runtime',
    actions: [
      PASS,
      'bedrock-agentcore:CreateAgentRuntime',
      'bedrock-agentcore:CreateAgentRuntimeEndpoint',
      'bedrock-agentcore:CreateWorkloadIdentity',
      'bedrock-agentcore:InvokeAgentRuntimeCommand',
    ],
    passedTo: ['bedrock-agentcore.amazonaws.com'],
    sources: [prowler('PassRole+AgentCoreCreateRuntime+InvokeRuntimeCommand')],
    explanation: 'Creates a runtime with a privileged execution role and runs shell commands in it.',
  },
  {
    id: 'passrole-agentcore-harness',
    name: 'role passed to a new Bedrock AgentCore harness',
    actions: [
      PASS,
      'bedrock-agentcore:CreateHarness',
      'bedrock-agentcore:CreateAgentRuntime',
      'bedrock-agentcore:CreateAgentRuntimeEndpoint',
      'bedrock-agentcore:CreateWorkloadIdentity',
      'bedrock-agentcore:GetAgentRuntime',
      'bedrock-agentcore:InvokeAgentRuntimeCommand',
    ],
    passedTo: ['bedrock-agentcore.amazonaws.com'],
    sources: [prowler('PassRole+AgentCoreCreateHarness+InvokeRuntimeCommand')],
    explanation: 'Creates a harness runtime with a privileged execution role and runs shell commands in it.',
  },
  {
    id: 'agentcore-browser-session',
    name: 'automation stream of an existing Bedrock AgentCore browser',
    actions: ['bedrock-agentcore:StartBrowserSession', 'bedrock-agentcore:ConnectBrowserAutomationStream'],
    sources: [prowler('AgentCoreBrowserSessionConnect')],
    explanation: 'Drives a custom browser remotely and reads its execution role credentials.',
  },
  {
    id: 'passrole-agentcore-browser',
    name: 'role passed to a new Bedrock AgentCore browser',
    actions: [
      PASS,
      'bedrock-agentcore:CreateBrowser',
      'bedrock-agentcore:StartBrowserSession',
      'bedrock-agentcore:ConnectBrowserAutomationStream',
    ],
    passedTo: ['bedrock-agentcore.amazonaws.com'],
    sources: [prowler('PassRole+AgentCoreCreateBrowser+ConnectBrowser')],
    explanation: 'Creates a browser with a privileged execution role and reads its credentials.',
  },

  // Other services that run code as a passed role, and existing compute that can be taken over.
  {
    id: 'passrole-batch-job',
    name: 'role passed to a new AWS Batch job definition, submitted',
    actions: [PASS, 'batch:RegisterJobDefinition', 'batch:SubmitJob'],
    passedTo: ['batch.amazonaws.com', 'ecs-tasks.amazonaws.com'],
    sources: [prowler('PassRole+BatchRegisterJobDef+SubmitJob')],
    explanation: 'Registers a job definition with a privileged job role and its own command, and submits it.',
  },
  {
    id: 'batch-submit-job',
    name: 'existing AWS Batch job definition submitted with overrides',
    actions: ['batch:SubmitJob'],
    sources: [prowler('BatchSubmitJob')],
    explanation: 'Submits a job of a privileged job definition with its own command.',
  },
  {
    id: 'passrole-braket-job',
    name: 'role passed to a new Amazon Braket hybrid job',
    actions: [PASS, 'braket:CreateJob'],
    passedTo: ['braket.amazonaws.com'],
    sources: [prowler('PassRole+BraketCreateJob')],
    explanation: 'Runs its own algorithm script as a privileged role.',
  },
  {
    id: 'codedeploy-create-deployment',
    name: 'revision deployed to an existing CodeDeploy group',
    actions: [
      'codedeploy:CreateDeployment',
      'codedeploy:RegisterApplicationRevision',
      'codedeploy:GetDeploymentConfig',
    ],
    sources: [prowler('CodeDeployCreateDeployment')],
    explanation: 'Deploys its own scripts to the instances of a deployment group, which run as their roles.',
  },
  {
    id: 'passrole-cognito-identity-pool-roles',
    name: 'role passed to a Cognito identity pool',
    actions: [PASS, 'cognito-identity:SetIdentityPoolRoles'],
    passedTo: ['cognito-identity.amazonaws.com'],
    sources: [prowler('PassRole+CognitoSetIdentityPoolRoles')],
    explanation: 'Makes a privileged role the pool’s role and gets its credentials as a pool identity.',
  },
  {
    id: 'passrole-emr-run-job-flow',
    name: 'role passed to a new EMR cluster',
    actions: [PASS, 'elasticmapreduce:RunJobFlow'],
    passedTo: ['elasticmapreduce.amazonaws.com', 'ec2.amazonaws.com'],
    sources: [prowler('PassRole+EMRRunJobFlow')],
    explanation: 'Starts a cluster whose steps run its own code as a privileged role.',
  },
  {
    id: 'passrole-emr-serverless',
    name: 'role passed to a new EMR Serverless job run',
    actions: [PASS, 'emr-serverless:CreateApplication', 'emr-serverless:StartJobRun'],
    passedTo: ['emr-serverless.amazonaws.com'],
    sources: [prowler('PassRole+EMRServerlessCreateApp+StartJobRun')],
    explanation: 'Runs its own job as a privileged execution role.',
  },
  {
    id: 'passrole-gamelift-fleet',
    name: 'role passed to a new GameLift fleet',
    actions: [PASS, 'gamelift:CreateBuild', 'gamelift:CreateFleet', 'gamelift:RequestUploadCredentials'],
    passedTo: ['gamelift.amazonaws.com'],
    sources: [prowler('PassRole+GameLiftCreateBuild+CreateFleet')],
    explanation: 'Uploads its own server build and runs it on a fleet with a privileged instance role.',
  },
  {
    id: 'passrole-imagebuilder-image',
    name: 'role passed to a new EC2 Image Builder build',
    actions: [
      PASS,
      'imagebuilder:CreateComponent',
      'imagebuilder:CreateImageRecipe',
      'imagebuilder:CreateInfrastructureConfiguration',
      'imagebuilder:CreateImage',
    ],
    passedTo: ['ec2.amazonaws.com', 'imagebuilder.amazonaws.com'],
    sources: [prowler('PassRole+ImageBuilderCreateComponent+CreateImage')],
    explanation:
      'Builds an image whose component runs its own script on an instance with a privileged profile.',
  },
  {
    id: 'passrole-kinesis-analytics',
    name: 'role passed to a new Managed Flink application',
    actions: [PASS, 'kinesisanalytics:CreateApplication', 'kinesisanalytics:StartApplication'],
    passedTo: ['kinesisanalytics.amazonaws.com'],
    sources: [prowler('PassRole+KinesisAnalyticsCreateApp+StartApp')],
    explanation: 'Runs its own application code as a privileged service role.',
  },
  {
    id: 'passrole-omics-workflow',
    name: 'role passed to a new HealthOmics workflow run',
    actions: [PASS, 'omics:CreateWorkflow', 'omics:StartRun', 's3:GetObject'],
    passedTo: ['omics.amazonaws.com'],
    sources: [prowler('PassRole+OmicsCreateWorkflow+StartRun')],
    explanation: 'Runs its own workflow tasks as a privileged role.',
  },
  {
    id: 'passrole-scheduler-schedule',
    name: 'role passed to a new EventBridge Scheduler schedule',
    actions: [PASS, 'scheduler:CreateSchedule'],
    passedTo: ['scheduler.amazonaws.com'],
    sources: [prowler('PassRole+SchedulerCreateSchedule')],
    explanation: 'Schedules any API call (universal target) made as a privileged role.',
  },
  {
    id: 'passrole-step-functions',
    name: 'role passed to a new Step Functions state machine, started',
    actions: [PASS, 'states:CreateStateMachine', 'states:StartExecution'],
    passedTo: ['states.amazonaws.com'],
    sources: [prowler('PassRole+StepFunctionsCreateStateMachine+StartExecution')],
    explanation: 'Runs any API call through an SDK integration state, as a privileged role.',
  },
  {
    id: 'step-functions-update-state-machine',
    name: 'existing Step Functions state machine rewritten and started',
    actions: ['states:UpdateStateMachine', 'states:StartExecution'],
    sources: [prowler('StepFunctionsUpdateStateMachine+StartExecution')],
    explanation: 'Rewrites a state machine to make its own API calls as the machine’s role.',
  },
];

/** A placeholder for "any resource": actions that create what they name, or cannot be scoped. */
export const ANY_RESOURCE = '{any}';
/** The audited role itself. */
export const SELF = '{self}';
/** Each customer managed policy attached to the audited role. */
export const ATTACHED_POLICY = '{attached-policy}';

/**
 * Probe ARNs standing for "every resource of a kind in the account": `~` is no character an AWS
 * name can have, so only a wildcard in the right place matches it (`role/*`, `function:*`), never a
 * pattern that names resources (`role/app-*`). `{region}` stands for any region (and each region a
 * policy names); `{partition}` and `{account}` are the audited role's.
 */
/** Every role of the account: where `iam:PassRole` must be allowed for a method with it. */
export const ANY_ROLE = 'arn:{partition}:iam::{account}:role/~';
const ANY_USER = 'arn:{partition}:iam::{account}:user/~';
const ANY_GROUP = 'arn:{partition}:iam::{account}:group/~';
const ANY_POLICY = 'arn:{partition}:iam::{account}:policy/~';
const ANY_FUNCTION = 'arn:{partition}:lambda:{region}:{account}:function:~';
const ANY_INSTANCE = 'arn:{partition}:ec2:{region}:{account}:instance/~';
const ANY_TASK = 'arn:{partition}:ecs:{region}:{account}:task/~/~';
const ANY_NOTEBOOK = 'arn:{partition}:sagemaker:{region}:{account}:notebook-instance/~';
const ANY_STACK = 'arn:{partition}:cloudformation:{region}:{account}:stack/~/~';
const ANY_PROJECT = 'arn:{partition}:codebuild:{region}:{account}:project/~';
const ANY_STATE_MACHINE = 'arn:{partition}:states:{region}:{account}:stateMachine:~';
const SHELL_DOCUMENT = 'arn:{partition}:ssm:{region}::document/AWS-RunShellScript';

/**
 * Where a method's action must be allowed for the method to work, for methods that take over what
 * exists (no `iam:PassRole`): every group must be met, by one of its resources. Besides these, an
 * Allow on an unrestricted resource always counts. An action not listed counts only there.
 * With `iam:PassRole`, the passed role must be any role, and the other actions need some resource.
 */
export const ACTION_TARGETS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  'iam:createpolicyversion': [[ATTACHED_POLICY, ANY_POLICY]],
  'iam:setdefaultpolicyversion': [[ATTACHED_POLICY, ANY_POLICY]],
  'iam:putrolepolicy': [[SELF, ANY_ROLE]],
  'iam:attachrolepolicy': [[SELF, ANY_ROLE]],
  'iam:deleterolepermissionsboundary': [[SELF, ANY_ROLE]],
  'iam:updateassumerolepolicy': [[ANY_ROLE]],
  'sts:assumerole': [[ANY_ROLE]],
  'iam:createaccesskey': [[ANY_USER]],
  'iam:deleteaccesskey': [[ANY_USER]],
  'iam:createloginprofile': [[ANY_USER]],
  'iam:updateloginprofile': [[ANY_USER]],
  'iam:attachuserpolicy': [[ANY_USER]],
  'iam:putuserpolicy': [[ANY_USER]],
  'iam:deleteuserpermissionsboundary': [[ANY_USER]],
  'iam:addusertogroup': [[ANY_GROUP]],
  'iam:attachgrouppolicy': [[ANY_GROUP]],
  'iam:putgrouppolicy': [[ANY_GROUP]],
  'lambda:updatefunctioncode': [[ANY_FUNCTION]],
  'lambda:updatefunctionconfiguration': [[ANY_FUNCTION]],
  'lambda:invokefunction': [[ANY_FUNCTION]],
  'lambda:addpermission': [[ANY_FUNCTION]],
  'ec2:modifyinstanceattribute': [[ANY_INSTANCE]],
  'ec2:stopinstances': [[ANY_INSTANCE]],
  'ec2:startinstances': [[ANY_INSTANCE]],
  'ec2:createlaunchtemplateversion': [['arn:{partition}:ec2:{region}:{account}:launch-template/~']],
  'ec2:modifylaunchtemplate': [['arn:{partition}:ec2:{region}:{account}:launch-template/~']],
  'ec2-instance-connect:sendsshpublickey': [[ANY_INSTANCE]],
  'ec2:describeinstances': [[ANY_RESOURCE]],
  'ecs:executecommand': [[ANY_TASK]],
  'ecs:describetasks': [[ANY_RESOURCE]],
  'cloudformation:updatestack': [[ANY_STACK]],
  'cloudformation:createchangeset': [[ANY_STACK]],
  'cloudformation:executechangeset': [[ANY_STACK]],
  'glue:updatedevendpoint': [['arn:{partition}:glue:{region}:{account}:devEndpoint/~']],
  'sagemaker:createpresignednotebookinstanceurl': [[ANY_NOTEBOOK]],
  'sagemaker:createnotebookinstancelifecycleconfig': [[ANY_RESOURCE]],
  'sagemaker:stopnotebookinstance': [[ANY_NOTEBOOK]],
  'sagemaker:updatenotebookinstance': [[ANY_NOTEBOOK]],
  'sagemaker:startnotebookinstance': [[ANY_NOTEBOOK]],
  'codebuild:startbuild': [[ANY_PROJECT]],
  'codebuild:startbuildbatch': [[ANY_PROJECT]],
  'ssm:startsession': [[ANY_INSTANCE, 'arn:{partition}:ssm:{region}:{account}:managed-instance/~']],
  'ssm:sendcommand': [
    [ANY_INSTANCE, 'arn:{partition}:ssm:{region}:{account}:managed-instance/~'],
    [SHELL_DOCUMENT],
  ],
  'apprunner:updateservice': [['arn:{partition}:apprunner:{region}:{account}:service/~/~']],
  'bedrock-agentcore:startcodeinterpretersession': [
    ['arn:{partition}:bedrock-agentcore:{region}:{account}:code-interpreter-custom/~'],
  ],
  'bedrock-agentcore:invokecodeinterpreter': [
    ['arn:{partition}:bedrock-agentcore:{region}:{account}:code-interpreter-custom/~'],
  ],
  'bedrock-agentcore:invokeagentruntimecommand': [
    ['arn:{partition}:bedrock-agentcore:{region}:{account}:runtime/~'],
  ],
  'bedrock-agentcore:startbrowsersession': [
    ['arn:{partition}:bedrock-agentcore:{region}:{account}:browser-custom/~'],
  ],
  'bedrock-agentcore:connectbrowserautomationstream': [[ANY_RESOURCE]],
  'batch:submitjob': [
    ['arn:{partition}:batch:{region}:{account}:job-definition/~'],
    ['arn:{partition}:batch:{region}:{account}:job-queue/~'],
  ],
  'codedeploy:createdeployment': [['arn:{partition}:codedeploy:{region}:{account}:deploymentgroup:~/~']],
  'codedeploy:registerapplicationrevision': [[ANY_RESOURCE]],
  'codedeploy:getdeploymentconfig': [[ANY_RESOURCE]],
  'states:updatestatemachine': [[ANY_STATE_MACHINE]],
  'states:startexecution': [[ANY_STATE_MACHINE]],
};

/** Managed policies an attacker who may attach policies would attach (`iam:PolicyARN`). */
const PRIVILEGED_POLICIES = ['AdministratorAccess', 'IAMFullAccess', 'PowerUserAccess'].map((name) => ({
  'iam:policyarn': `arn:{partition}:iam::aws:policy/${name}`,
}));

/**
 * Request keys that an attack sets, per action, for conditions that limit them: a grant counts if
 * one of these requests is allowed. `iam:PassRole` is asked with each service of the method instead.
 */
export const ACTION_CONTEXTS: Readonly<Record<string, readonly Readonly<Record<string, string>>[]>> = {
  'iam:attachrolepolicy': PRIVILEGED_POLICIES,
  'iam:attachuserpolicy': PRIVILEGED_POLICIES,
  'iam:attachgrouppolicy': PRIVILEGED_POLICIES,
};
