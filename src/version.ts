import packageJson from '../package.json' with { type: 'json' };

/** The tool's version, as published. */
export const TOOL_VERSION: string = packageJson.version;
export const TOOL_NAME = 'lambda-role-auditor' as const;
