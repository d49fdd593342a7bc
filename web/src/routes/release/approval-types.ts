import type { paths } from '../../api/schema';

export type ApprovalStep = paths['/api/v1/releases/{name}/approvals']['get']['responses'][200]['content']['application/json'][number];
export type ApprovalDecision = ApprovalStep['decisions'][number];
export type ReleaseEvidence = paths['/api/v1/releases/{name}/evidence']['get']['responses'][200]['content']['application/json'];
export type Report = ReleaseEvidence['reports'][number];
