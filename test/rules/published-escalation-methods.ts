/**
 * The privilege-escalation methods of the four public catalogs, as each catalog publishes them
 * (the actions its entry requires), kept apart from the rule's own catalog so that recall is
 * measured against what was published, not against what the rule knows:
 * - Rhino Security Labs, "AWS IAM Privilege Escalation Methods" (RhinoSecurityLabs/AWS-IAM-Privilege-Escalation README, 28 methods);
 * - Prowler, `privilege_escalation_policies_combination` (prowler-cloud/prowler, iam/lib/privilege_escalation.py, August 2026);
 * - Datadog pathfinding.cloud, data/paths (DataDog/pathfinding.cloud, 65 paths of December 2025, plus ecs-007 and ecs-008);
 * - Cloudsplaining, `PRIVILEGE_ESCALATION_METHODS` (salesforce/cloudsplaining, shared/constants.py, August 2026).
 */

export type Catalog = 'rhino' | 'prowler' | 'pathfinding' | 'cloudsplaining';

export interface PublishedMethod {
  catalog: Catalog;
  ref: string;
  actions: string[];
  /** Why the method does not apply to a Lambda execution role (not counted in recall). */
  notApplicable?: string;
  /** Why the rule deliberately does not flag the method as published (counted as a miss). */
  notFlagged?: string;
}

const RETIRED_CODESTAR = 'AWS CodeStar was discontinued in July 2024: its APIs no longer exist';
const NOT_ACTIVATED =
  'a pipeline that is not activated runs nothing: the rule needs datapipeline:ActivatePipeline too (as Prowler and pathfinding.cloud list it)';

function entries(
  catalog: Catalog,
  list: Array<[string, string[], Partial<PublishedMethod>?]>,
): PublishedMethod[] {
  return list.map(([ref, actions, extra]) => ({ catalog, ref, actions, ...extra }));
}

export const PUBLISHED_METHODS: PublishedMethod[] = [
  ...entries('rhino', [
    ['#1', ['iam:CreatePolicyVersion']],
    ['#2', ['iam:SetDefaultPolicyVersion']],
    ['#3', ['iam:PassRole', 'ec2:RunInstances']],
    ['#4', ['iam:CreateAccessKey']],
    ['#5', ['iam:CreateLoginProfile']],
    ['#6', ['iam:UpdateLoginProfile']],
    ['#7', ['iam:AttachUserPolicy']],
    ['#8', ['iam:AttachGroupPolicy']],
    ['#9', ['iam:AttachRolePolicy']],
    ['#10', ['iam:PutUserPolicy']],
    ['#11', ['iam:PutGroupPolicy']],
    ['#12', ['iam:PutRolePolicy']],
    ['#13', ['iam:AddUserToGroup']],
    ['#14', ['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole']],
    ['#15', ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction']],
    ['#16', ['iam:PassRole', 'lambda:CreateFunction', 'lambda:AddPermission']],
    ['#17', ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping']],
    ['#18', ['lambda:UpdateFunctionCode']],
    ['#19', ['iam:PassRole', 'glue:CreateDevEndpoint']],
    ['#20', ['glue:UpdateDevEndpoint']],
    ['#21', ['iam:PassRole', 'cloudformation:CreateStack']],
    [
      '#22',
      ['iam:PassRole', 'datapipeline:CreatePipeline', 'datapipeline:PutPipelineDefinition'],
      { notFlagged: NOT_ACTIVATED },
    ],
    ['#23', ['codestar:CreateProjectFromTemplate'], { notApplicable: RETIRED_CODESTAR }],
    ['#24', ['codestar:CreateProject', 'iam:PassRole'], { notApplicable: RETIRED_CODESTAR }],
    ['#25', ['codestar:CreateProject', 'codestar:AssociateTeamMember'], { notApplicable: RETIRED_CODESTAR }],
    ['#26', ['lambda:UpdateFunctionConfiguration']],
    [
      '#27',
      ['sagemaker:CreateNotebookInstance', 'sagemaker:CreatePresignedNotebookInstanceUrl', 'iam:PassRole'],
    ],
    ['#28', ['sagemaker:CreatePresignedNotebookInstanceUrl']],
  ]),
  ...entries('prowler', [
    ['OverPermissiveIAM', ['iam:*']],
    ['IAMPut', ['iam:Put*']],
    ['CreatePolicyVersion', ['iam:CreatePolicyVersion']],
    ['SetDefaultPolicyVersion', ['iam:SetDefaultPolicyVersion']],
    ['iam:CreateAccessKey', ['iam:CreateAccessKey']],
    ['iam:CreateLoginProfile', ['iam:CreateLoginProfile']],
    ['iam:UpdateLoginProfile', ['iam:UpdateLoginProfile']],
    ['iam:AttachUserPolicy', ['iam:AttachUserPolicy']],
    ['iam:AttachGroupPolicy', ['iam:AttachGroupPolicy']],
    ['iam:AttachRolePolicy', ['iam:AttachRolePolicy']],
    ['iam:PutGroupPolicy', ['iam:PutGroupPolicy']],
    ['iam:PutRolePolicy', ['iam:PutRolePolicy']],
    ['iam:PutUserPolicy', ['iam:PutUserPolicy']],
    ['iam:AddUserToGroup', ['iam:AddUserToGroup']],
    ['iam:UpdateAssumeRolePolicy', ['iam:UpdateAssumeRolePolicy']],
    ['CreateAccessKey+DeleteAccessKey', ['iam:CreateAccessKey', 'iam:DeleteAccessKey']],
    ['AttachUserPolicy+CreateAccessKey', ['iam:AttachUserPolicy', 'iam:CreateAccessKey']],
    ['PutUserPolicy+CreateAccessKey', ['iam:PutUserPolicy', 'iam:CreateAccessKey']],
    ['AttachRolePolicy+UpdateAssumeRolePolicy', ['iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy']],
    ['CreatePolicyVersion+UpdateAssumeRolePolicy', ['iam:CreatePolicyVersion', 'iam:UpdateAssumeRolePolicy']],
    ['PutRolePolicy+UpdateAssumeRolePolicy', ['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy']],
    ['AssumeRole+AttachRolePolicy', ['sts:AssumeRole', 'iam:AttachRolePolicy']],
    ['AssumeRole+PutRolePolicy', ['sts:AssumeRole', 'iam:PutRolePolicy']],
    ['AssumeRole+UpdateAssumeRolePolicy', ['sts:AssumeRole', 'iam:UpdateAssumeRolePolicy']],
    ['AssumeRole+CreatePolicyVersion', ['sts:AssumeRole', 'iam:CreatePolicyVersion']],
    ['PassRole+EC2', ['iam:PassRole', 'ec2:RunInstances']],
    ['PassRole+EC2SpotInstances', ['iam:PassRole', 'ec2:RequestSpotInstances']],
    [
      'EC2ModifyInstanceAttribute',
      ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances'],
    ],
    ['EC2ModifyLaunchTemplate', ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate']],
    [
      'EC2InstanceConnect+SendSSHPublicKey',
      ['ec2-instance-connect:SendSSHPublicKey', 'ec2:DescribeInstances'],
    ],
    ['PassRole+CreateLambda+Invoke', ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction']],
    [
      'PassRole+CreateLambda+ExistingDynamo',
      ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'],
    ],
    [
      'PassRole+CreateLambda+NewDynamo',
      [
        'iam:PassRole',
        'lambda:CreateFunction',
        'lambda:CreateEventSourceMapping',
        'dynamodb:CreateTable',
        'dynamodb:PutItem',
      ],
    ],
    [
      'PassRole+CreateLambda+AddPermission',
      ['iam:PassRole', 'lambda:CreateFunction', 'lambda:AddPermission'],
    ],
    ['lambda:UpdateFunctionCode', ['lambda:UpdateFunctionCode']],
    ['lambda:UpdateFunctionConfiguration', ['lambda:UpdateFunctionConfiguration']],
    ['UpdateFunctionCode+InvokeFunction', ['lambda:UpdateFunctionCode', 'lambda:InvokeFunction']],
    ['UpdateFunctionCode+AddPermission', ['lambda:UpdateFunctionCode', 'lambda:AddPermission']],
    ['PassRole+GlueCreateDevEndpoint', ['iam:PassRole', 'glue:CreateDevEndpoint']],
    ['GlueUpdateDevEndpoint', ['glue:UpdateDevEndpoint']],
    ['PassRole+GlueCreateJob+StartJobRun', ['iam:PassRole', 'glue:CreateJob', 'glue:StartJobRun']],
    ['PassRole+GlueCreateJob+CreateTrigger', ['iam:PassRole', 'glue:CreateJob', 'glue:CreateTrigger']],
    ['PassRole+GlueUpdateJob+StartJobRun', ['iam:PassRole', 'glue:UpdateJob', 'glue:StartJobRun']],
    ['PassRole+GlueUpdateJob+CreateTrigger', ['iam:PassRole', 'glue:UpdateJob', 'glue:CreateTrigger']],
    ['PassRole+CloudFormationCreateStack', ['iam:PassRole', 'cloudformation:CreateStack']],
    ['CloudFormationUpdateStack', ['cloudformation:UpdateStack']],
    [
      'PassRole+CloudFormationCreateStackSet',
      ['iam:PassRole', 'cloudformation:CreateStackSet', 'cloudformation:CreateStackInstances'],
    ],
    ['PassRole+CloudFormationUpdateStackSet', ['iam:PassRole', 'cloudformation:UpdateStackSet']],
    ['CloudFormationChangeSet', ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet']],
    [
      'PassRole+DataPipeline',
      [
        'iam:PassRole',
        'datapipeline:CreatePipeline',
        'datapipeline:PutPipelineDefinition',
        'datapipeline:ActivatePipeline',
      ],
    ],
    ['PassRole+CodeStar', ['iam:PassRole', 'codestar:CreateProject'], { notApplicable: RETIRED_CODESTAR }],
    [
      'PassRole+CodeBuildCreateProject+StartBuild',
      ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuild'],
    ],
    [
      'PassRole+CodeBuildCreateProject+StartBuildBatch',
      ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuildBatch'],
    ],
    ['CodeBuildStartBuild', ['codebuild:StartBuild']],
    ['CodeBuildStartBuildBatch', ['codebuild:StartBuildBatch']],
    [
      'PassRole+CreateAutoScaling',
      ['iam:PassRole', 'autoscaling:CreateAutoScalingGroup', 'autoscaling:CreateLaunchConfiguration'],
    ],
    [
      'PassRole+UpdateAutoScaling',
      ['iam:PassRole', 'autoscaling:UpdateAutoScalingGroup', 'autoscaling:CreateLaunchConfiguration'],
    ],
    [
      'PassRole+ECS+RegisterTaskDef+CreateService',
      ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:CreateService'],
    ],
    ['PassRole+ECS+RegisterTaskDef+RunTask', ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:RunTask']],
    [
      'PassRole+ECS+RegisterTaskDef+StartTask',
      ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:StartTask'],
    ],
    [
      'PassRole+ECS+StartTask',
      ['iam:PassRole', 'ecs:StartTask', 'ecs:RegisterContainerInstance', 'ecs:DeregisterContainerInstance'],
    ],
    ['PassRole+ECS+RunTask', ['iam:PassRole', 'ecs:RunTask']],
    ['ECS+ExecuteCommand', ['ecs:ExecuteCommand', 'ecs:DescribeTasks']],
    ['PassRole+SageMakerCreateNotebookInstance', ['iam:PassRole', 'sagemaker:CreateNotebookInstance']],
    ['PassRole+SageMakerCreateTrainingJob', ['iam:PassRole', 'sagemaker:CreateTrainingJob']],
    ['PassRole+SageMakerCreateProcessingJob', ['iam:PassRole', 'sagemaker:CreateProcessingJob']],
    ['SageMakerCreatePresignedNotebookInstanceUrl', ['sagemaker:CreatePresignedNotebookInstanceUrl']],
    [
      'SageMakerNotebookLifecycleConfig',
      [
        'sagemaker:CreateNotebookInstanceLifecycleConfig',
        'sagemaker:StopNotebookInstance',
        'sagemaker:UpdateNotebookInstance',
        'sagemaker:StartNotebookInstance',
      ],
    ],
    ['SSMStartSession', ['ssm:StartSession']],
    ['SSMSendCommand', ['ssm:SendCommand']],
    ['PassRole+AppRunnerCreateService', ['iam:PassRole', 'apprunner:CreateService']],
    ['AppRunnerUpdateService', ['apprunner:UpdateService']],
    [
      'PassRole+AgentCoreCreateInterpreter+InvokeInterpreter',
      [
        'iam:PassRole',
        'bedrock-agentcore:CreateCodeInterpreter',
        'bedrock-agentcore:StartCodeInterpreterSession',
        'bedrock-agentcore:InvokeCodeInterpreter',
      ],
    ],
    [
      'AgentCoreSessionInvoke',
      ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'],
    ],
    ['AgentCoreInvokeRuntimeCommand', ['bedrock-agentcore:InvokeAgentRuntimeCommand']],
    [
      'PassRole+AgentCoreCreateRuntime+InvokeRuntimeCommand',
      [
        'iam:PassRole',
        'bedrock-agentcore:CreateAgentRuntime',
        'bedrock-agentcore:CreateAgentRuntimeEndpoint',
        'bedrock-agentcore:CreateWorkloadIdentity',
        'bedrock-agentcore:InvokeAgentRuntimeCommand',
      ],
    ],
    [
      'PassRole+AgentCoreCreateHarness+InvokeRuntimeCommand',
      [
        'iam:PassRole',
        'bedrock-agentcore:CreateHarness',
        'bedrock-agentcore:CreateAgentRuntime',
        'bedrock-agentcore:CreateAgentRuntimeEndpoint',
        'bedrock-agentcore:CreateWorkloadIdentity',
        'bedrock-agentcore:GetAgentRuntime',
        'bedrock-agentcore:InvokeAgentRuntimeCommand',
      ],
    ],
    [
      'AgentCoreBrowserSessionConnect',
      ['bedrock-agentcore:StartBrowserSession', 'bedrock-agentcore:ConnectBrowserAutomationStream'],
    ],
    [
      'PassRole+AgentCoreCreateBrowser+ConnectBrowser',
      [
        'iam:PassRole',
        'bedrock-agentcore:CreateBrowser',
        'bedrock-agentcore:StartBrowserSession',
        'bedrock-agentcore:ConnectBrowserAutomationStream',
      ],
    ],
    [
      'PassRole+BatchRegisterJobDef+SubmitJob',
      ['iam:PassRole', 'batch:RegisterJobDefinition', 'batch:SubmitJob'],
    ],
    ['BatchSubmitJob', ['batch:SubmitJob']],
    ['PassRole+BraketCreateJob', ['iam:PassRole', 'braket:CreateJob']],
    [
      'CodeDeployCreateDeployment',
      [
        'codedeploy:CreateDeployment',
        'codedeploy:RegisterApplicationRevision',
        'codedeploy:GetDeploymentConfig',
      ],
    ],
    ['PassRole+CognitoSetIdentityPoolRoles', ['iam:PassRole', 'cognito-identity:SetIdentityPoolRoles']],
    ['PassRole+ECSStartTaskExistingCluster', ['iam:PassRole', 'ecs:StartTask']],
    ['PassRole+EMRRunJobFlow', ['iam:PassRole', 'elasticmapreduce:RunJobFlow']],
    [
      'PassRole+EMRServerlessCreateApp+StartJobRun',
      ['iam:PassRole', 'emr-serverless:CreateApplication', 'emr-serverless:StartJobRun'],
    ],
    [
      'PassRole+GameLiftCreateBuild+CreateFleet',
      ['iam:PassRole', 'gamelift:CreateBuild', 'gamelift:CreateFleet', 'gamelift:RequestUploadCredentials'],
    ],
    ['PassRole+GlueCreateSession+RunStatement', ['iam:PassRole', 'glue:CreateSession', 'glue:RunStatement']],
    [
      'PassRole+ImageBuilderCreateComponent+CreateImage',
      [
        'iam:PassRole',
        'imagebuilder:CreateComponent',
        'imagebuilder:CreateImageRecipe',
        'imagebuilder:CreateInfrastructureConfiguration',
        'imagebuilder:CreateImage',
      ],
    ],
    [
      'PassRole+KinesisAnalyticsCreateApp+StartApp',
      ['iam:PassRole', 'kinesisanalytics:CreateApplication', 'kinesisanalytics:StartApplication'],
    ],
    [
      'PassRole+OmicsCreateWorkflow+StartRun',
      ['iam:PassRole', 'omics:CreateWorkflow', 'omics:StartRun', 's3:GetObject'],
    ],
    ['PassRole+SchedulerCreateSchedule', ['iam:PassRole', 'scheduler:CreateSchedule']],
    [
      'PassRole+SSMCreateDocument+StartAutomation',
      ['iam:PassRole', 'ssm:CreateDocument', 'ssm:StartAutomationExecution'],
    ],
    [
      'PassRole+StepFunctionsCreateStateMachine+StartExecution',
      ['iam:PassRole', 'states:CreateStateMachine', 'states:StartExecution'],
    ],
    [
      'StepFunctionsUpdateStateMachine+StartExecution',
      ['states:UpdateStateMachine', 'states:StartExecution'],
    ],
    ['iam:DeleteUserPermissionsBoundary', ['iam:DeleteUserPermissionsBoundary']],
    ['AssumeRole+DeleteRolePermissionsBoundary', ['sts:AssumeRole', 'iam:DeleteRolePermissionsBoundary']],
    [
      'SSOCreatePermissionSet+CreateAccountAssignment+AttachManagedPolicy',
      ['sso:CreatePermissionSet', 'sso:CreateAccountAssignment', 'sso:AttachManagedPolicyToPermissionSet'],
    ],
    ['sso:AttachManagedPolicyToPermissionSet', ['sso:AttachManagedPolicyToPermissionSet']],
    ['sso:PutInlinePolicyToPermissionSet', ['sso:PutInlinePolicyToPermissionSet']],
  ]),
  ...entries('pathfinding', [
    ['apprunner-001', ['iam:PassRole', 'apprunner:CreateService']],
    ['apprunner-002', ['apprunner:UpdateService']],
    [
      'bedrock-001',
      [
        'iam:PassRole',
        'bedrock-agentcore:CreateCodeInterpreter',
        'bedrock-agentcore:StartCodeInterpreterSession',
        'bedrock-agentcore:InvokeCodeInterpreter',
      ],
    ],
    [
      'bedrock-002',
      ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'],
    ],
    ['cloudformation-001', ['iam:PassRole', 'cloudformation:CreateStack']],
    ['cloudformation-002', ['cloudformation:UpdateStack']],
    [
      'cloudformation-003',
      ['iam:PassRole', 'cloudformation:CreateStackSet', 'cloudformation:CreateStackInstances'],
    ],
    ['cloudformation-004', ['iam:PassRole', 'cloudformation:UpdateStackSet']],
    ['cloudformation-005', ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet']],
    ['codebuild-001', ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuild']],
    ['codebuild-002', ['codebuild:StartBuild']],
    ['codebuild-003', ['codebuild:StartBuildBatch']],
    ['codebuild-004', ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuildBatch']],
    [
      'datapipeline-001',
      [
        'iam:PassRole',
        'datapipeline:CreatePipeline',
        'datapipeline:PutPipelineDefinition',
        'datapipeline:ActivatePipeline',
      ],
    ],
    ['ec2instanceconnect-003', ['ec2-instance-connect:SendSSHPublicKey', 'ec2:DescribeInstances']],
    ['ec2-001', ['iam:PassRole', 'ec2:RunInstances']],
    ['ec2-002', ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances']],
    ['ec2-003', ['iam:PassRole', 'ec2:RequestSpotInstances']],
    ['ec2-004', ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate']],
    ['ecs-001', ['iam:PassRole', 'ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecs:CreateService']],
    ['ecs-002', ['iam:PassRole', 'ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecs:RunTask']],
    ['ecs-003', ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:CreateService']],
    ['ecs-004', ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:RunTask']],
    ['ecs-005', ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:StartTask']],
    ['ecs-007', ['iam:PassRole', 'ecs:StartTask', 'ecs:RegisterContainerInstance']],
    ['ecs-008', ['iam:PassRole', 'ecs:RunTask']],
    ['glue-001', ['iam:PassRole', 'glue:CreateDevEndpoint']],
    ['glue-002', ['glue:UpdateDevEndpoint']],
    ['glue-003', ['iam:PassRole', 'glue:CreateJob', 'glue:StartJobRun']],
    ['glue-004', ['iam:PassRole', 'glue:CreateJob', 'glue:CreateTrigger']],
    ['glue-005', ['iam:PassRole', 'glue:UpdateJob', 'glue:StartJobRun']],
    ['glue-006', ['iam:PassRole', 'glue:UpdateJob', 'glue:CreateTrigger']],
    ['iam-001', ['iam:CreatePolicyVersion']],
    ['iam-002', ['iam:CreateAccessKey']],
    ['iam-003', ['iam:CreateAccessKey', 'iam:DeleteAccessKey']],
    ['iam-004', ['iam:CreateLoginProfile']],
    ['iam-005', ['iam:PutRolePolicy']],
    ['iam-006', ['iam:UpdateLoginProfile']],
    ['iam-007', ['iam:PutUserPolicy']],
    ['iam-008', ['iam:AttachUserPolicy']],
    ['iam-009', ['iam:AttachRolePolicy']],
    ['iam-010', ['iam:AttachGroupPolicy']],
    ['iam-011', ['iam:PutGroupPolicy']],
    ['iam-012', ['iam:UpdateAssumeRolePolicy']],
    ['iam-013', ['iam:AddUserToGroup']],
    ['iam-014', ['iam:AttachRolePolicy', 'sts:AssumeRole']],
    ['iam-015', ['iam:AttachUserPolicy', 'iam:CreateAccessKey']],
    ['iam-016', ['iam:CreatePolicyVersion', 'sts:AssumeRole']],
    ['iam-017', ['iam:PutRolePolicy', 'sts:AssumeRole']],
    ['iam-018', ['iam:PutUserPolicy', 'iam:CreateAccessKey']],
    ['iam-019', ['iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy']],
    ['iam-020', ['iam:CreatePolicyVersion', 'iam:UpdateAssumeRolePolicy']],
    ['iam-021', ['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy']],
    ['lambda-001', ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction']],
    ['lambda-002', ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping']],
    ['lambda-003', ['lambda:UpdateFunctionCode']],
    ['lambda-004', ['lambda:UpdateFunctionCode', 'lambda:InvokeFunction']],
    ['lambda-005', ['lambda:UpdateFunctionCode', 'lambda:AddPermission']],
    ['lambda-006', ['iam:PassRole', 'lambda:CreateFunction', 'lambda:AddPermission']],
    ['sagemaker-001', ['iam:PassRole', 'sagemaker:CreateNotebookInstance']],
    ['sagemaker-002', ['iam:PassRole', 'sagemaker:CreateTrainingJob']],
    ['sagemaker-003', ['iam:PassRole', 'sagemaker:CreateProcessingJob']],
    ['sagemaker-004', ['sagemaker:CreatePresignedNotebookInstanceUrl']],
    [
      'sagemaker-005',
      [
        'sagemaker:CreateNotebookInstanceLifecycleConfig',
        'sagemaker:StopNotebookInstance',
        'sagemaker:UpdateNotebookInstance',
        'sagemaker:StartNotebookInstance',
      ],
    ],
    ['ssm-001', ['ssm:StartSession']],
    ['ssm-002', ['ssm:SendCommand']],
    ['sts-001', ['sts:AssumeRole']],
  ]),
  ...entries('cloudsplaining', [
    ['CreateAccessKey', ['iam:CreateAccessKey']],
    ['CreateLoginProfile', ['iam:CreateLoginProfile']],
    ['UpdateLoginProfile', ['iam:UpdateLoginProfile']],
    ['AddUserToGroup', ['iam:AddUserToGroup']],
    ['CreateNewPolicyVersion', ['iam:CreatePolicyVersion']],
    ['SetExistingDefaultPolicyVersion', ['iam:SetDefaultPolicyVersion']],
    ['AttachUserPolicy', ['iam:AttachUserPolicy']],
    ['AttachGroupPolicy', ['iam:AttachGroupPolicy']],
    ['AttachRolePolicy', ['iam:AttachRolePolicy']],
    ['PutUserPolicy', ['iam:PutUserPolicy']],
    ['PutGroupPolicy', ['iam:PutGroupPolicy']],
    ['PutRolePolicy', ['iam:PutRolePolicy']],
    ['UpdateRolePolicyToAssumeIt', ['iam:UpdateAssumeRolePolicy']],
    ['CreateEC2WithExistingIP', ['iam:PassRole', 'ec2:RunInstances']],
    [
      'PassExistingRoleToNewLambdaThenInvoke',
      ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
    ],
    [
      'PassExistingRoleToNewLambdaThenTriggerWithNewDynamo',
      [
        'iam:PassRole',
        'lambda:CreateFunction',
        'lambda:CreateEventSourceMapping',
        'dynamodb:CreateTable',
        'dynamodb:PutItem',
      ],
    ],
    [
      'PassExistingRoleToNewLambdaThenTriggerWithExistingDynamo',
      ['iam:PassRole', 'lambda:CreateFunction', 'lambda:CreateEventSourceMapping'],
    ],
    ['PassExistingRoleToNewGlueDevEndpoint', ['iam:PassRole', 'glue:CreateDevEndpoint']],
    ['PassExistingRoleToCloudFormation', ['iam:PassRole', 'cloudformation:CreateStack']],
    [
      'PassExistingRoleToNewDataPipeline',
      ['iam:PassRole', 'datapipeline:CreatePipeline'],
      { notFlagged: NOT_ACTIVATED },
    ],
    ['UpdateExistingGlueDevEndpoint', ['glue:UpdateDevEndpoint']],
    ['EditExistingLambdaFunctionWithRole', ['lambda:UpdateFunctionCode']],
    [
      'AccessExistingBedrockCodeInterpreterSession',
      ['bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter'],
    ],
    ['ExecuteCloudFormationChangeSet', ['cloudformation:CreateChangeSet', 'cloudformation:ExecuteChangeSet']],
    [
      'ModifyEC2InstanceUserDataThenRestart',
      ['ec2:ModifyInstanceAttribute', 'ec2:StopInstances', 'ec2:StartInstances'],
    ],
    ['ModifyExistingEC2LaunchTemplate', ['ec2:CreateLaunchTemplateVersion', 'ec2:ModifyLaunchTemplate']],
    [
      'EC2InstanceConnectSendSSHPublicKey',
      ['ec2-instance-connect:SendSSHPublicKey', 'ec2:DescribeInstances'],
    ],
    ['ECSExecuteCommandOnRunningTask', ['ecs:ExecuteCommand', 'ecs:DescribeTasks']],
    ['UpdateAndInvokeLambdaFunction', ['lambda:UpdateFunctionCode', 'lambda:InvokeFunction']],
    ['UpdateLambdaFunctionAndAddPermission', ['lambda:UpdateFunctionCode', 'lambda:AddPermission']],
    ['CreatePresignedSageMakerNotebookUrl', ['sagemaker:CreatePresignedNotebookInstanceUrl']],
    [
      'UpdateSageMakerNotebookLifecycleConfig',
      [
        'sagemaker:CreateNotebookInstanceLifecycleConfig',
        'sagemaker:StopNotebookInstance',
        'sagemaker:UpdateNotebookInstance',
        'sagemaker:StartNotebookInstance',
      ],
    ],
    ['PassExistingRoleToNewAppRunnerService', ['iam:PassRole', 'apprunner:CreateService']],
    [
      'PassExistingRoleToNewBedrockCodeInterpreter',
      [
        'iam:PassRole',
        'bedrock-agentcore:CreateCodeInterpreter',
        'bedrock-agentcore:StartCodeInterpreterSession',
        'bedrock-agentcore:InvokeCodeInterpreter',
      ],
    ],
    [
      'PassExistingRoleToNewCloudFormationStackSet',
      ['iam:PassRole', 'cloudformation:CreateStackSet', 'cloudformation:CreateStackInstances'],
    ],
    ['PassRoleToUpdateCloudFormationStackSet', ['iam:PassRole', 'cloudformation:UpdateStackSet']],
    [
      'PassExistingRoleToNewCodeBuildProjectThenBuild',
      ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuild'],
    ],
    [
      'PassExistingRoleToNewCodeBuildProjectThenBuildBatch',
      ['iam:PassRole', 'codebuild:CreateProject', 'codebuild:StartBuildBatch'],
    ],
    ['PassExistingRoleToNewEC2SpotInstance', ['iam:PassRole', 'ec2:RequestSpotInstances']],
    [
      'PassExistingRoleToNewECSClusterServiceTask',
      ['iam:PassRole', 'ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecs:CreateService'],
    ],
    [
      'PassExistingRoleToNewECSClusterRunTask',
      ['iam:PassRole', 'ecs:CreateCluster', 'ecs:RegisterTaskDefinition', 'ecs:RunTask'],
    ],
    ['PassExistingRoleToNewECSService', ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:CreateService']],
    ['PassExistingRoleToNewECSTaskViaRunTask', ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:RunTask']],
    [
      'PassExistingRoleToNewECSTaskViaStartTask',
      ['iam:PassRole', 'ecs:RegisterTaskDefinition', 'ecs:StartTask'],
    ],
    ['PassExistingRoleToNewGlueJobThenRun', ['iam:PassRole', 'glue:CreateJob', 'glue:StartJobRun']],
    ['PassExistingRoleToNewGlueJobViaTrigger', ['iam:PassRole', 'glue:CreateJob', 'glue:CreateTrigger']],
    ['PassExistingRoleToUpdatedGlueJobThenRun', ['iam:PassRole', 'glue:UpdateJob', 'glue:StartJobRun']],
    ['PassExistingRoleToUpdatedGlueJobViaTrigger', ['iam:PassRole', 'glue:UpdateJob', 'glue:CreateTrigger']],
    [
      'PassExistingRoleToNewLambdaThenAddPermission',
      ['iam:PassRole', 'lambda:CreateFunction', 'lambda:AddPermission'],
    ],
    ['PassExistingRoleToNewSageMakerNotebookInstance', ['iam:PassRole', 'sagemaker:CreateNotebookInstance']],
    ['PassExistingRoleToNewSageMakerTrainingJob', ['iam:PassRole', 'sagemaker:CreateTrainingJob']],
    ['PassExistingRoleToNewSageMakerProcessingJob', ['iam:PassRole', 'sagemaker:CreateProcessingJob']],
    ['CreateAndRotateAccessKey', ['iam:CreateAccessKey', 'iam:DeleteAccessKey']],
    ['AttachUserPolicyThenCreateAccessKey', ['iam:AttachUserPolicy', 'iam:CreateAccessKey']],
    ['CreatePolicyVersionThenAssumeRole', ['iam:CreatePolicyVersion', 'sts:AssumeRole']],
    ['PutUserPolicyThenCreateAccessKey', ['iam:PutUserPolicy', 'iam:CreateAccessKey']],
    ['AttachRolePolicyThenUpdateAssumeRolePolicy', ['iam:AttachRolePolicy', 'iam:UpdateAssumeRolePolicy']],
    [
      'CreatePolicyVersionThenUpdateAssumeRolePolicy',
      ['iam:CreatePolicyVersion', 'iam:UpdateAssumeRolePolicy'],
    ],
    ['PutRolePolicyThenUpdateAssumeRolePolicy', ['iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy']],
  ]),
];

/** The published methods as distinct sets of actions (several catalogs list the same combination). */
export function distinctMethods(methods: readonly PublishedMethod[]): Array<{
  key: string;
  actions: string[];
  sources: PublishedMethod[];
}> {
  const byKey = new Map<string, { key: string; actions: string[]; sources: PublishedMethod[] }>();
  for (const method of methods) {
    const key = [...new Set(method.actions.map((action) => action.toLowerCase()))].sort().join(' + ');
    const entry = byKey.get(key);
    if (entry) entry.sources.push(method);
    else byKey.set(key, { key, actions: method.actions, sources: [method] });
  }
  return [...byKey.values()];
}
