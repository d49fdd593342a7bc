/**
 * Portable column conventions: ids are text UUIDs, timestamps are ISO-8601 UTC
 * text, calendar dates are `YYYY-MM-DD` text, booleans are 0/1 integers and
 * structured values are JSON text. The same rows therefore read back the same
 * way from SQLite and PostgreSQL.
 */
export interface TemplateVersionTable {
  id: string;
  template_key: string;
  version: number;
  name: string;
  source_yaml: string;
  content_json: string;
  sha256: string;
  changes: string;
  sections_changed: string;
  prepared_by: string | null;
  reviewed_by: string | null;
  published_by: string;
  published_at: string;
}

export interface ApplicationTable {
  id: string;
  key: string;
  name: string;
  template_key: string;
  naming_params: string;
  is_default: number;
  created_at: string;
}

export interface CounterTable {
  scope: string;
  value: number;
}

export interface ReleaseTable {
  id: string;
  application_id: string;
  name: string;
  sequence: number;
  type: string;
  state: string;
  title: string;
  description: string;
  planned_date: string;
  channels: string;
  template_version_id: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  row_version: number;
  /** The change cycle the release is booked into, if any. */
  cycle_id: string | null;
  /** JSON `{reason, by, at}` when a blackout was overridden for this release. */
  blackout_override: string | null;
}

export interface WorkItemTable {
  id: string;
  application_id: string;
  /** Application-wide creation order. */
  number: number;
  kind: string;
  /** The number within its kind: the `12` of `IR-12`. */
  kind_number: number;
  helpdesk_ref: string;
  title: string;
  description: string;
  owner: string | null;
  priority: string;
  elements: string;
  release_id: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  row_version: number;
}

export interface UserTable {
  id: string;
  username: string;
  display_name: string;
  email: string | null;
  password_hash: string | null;
  disabled: number;
  created_at: string;
  updated_at: string;
}

export interface UserRoleTable {
  user_id: string;
  role: string;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SessionTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

/** Failed sign-ins under one key: `account:<lower-cased username>` or `address:<ip>`. */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  last_failure_at: string;
  /** Sign-ins under this key are refused until then. */
  locked_until: string | null;
}

/** The hashes of a user's recent passwords (the current one included), newest last. */
export interface PasswordHistoryTable {
  user_id: string;
  /** 1, 2, 3 … per user, in the order the passwords were set. */
  position: number;
  password_hash: string;
  created_at: string;
}

export interface AuditEventTable {
  seq: number;
  id: string;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  before_json: string | null;
  after_json: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface ReleasePackageTable {
  id: string;
  release_id: string;
  channel: string;
  version: number;
  label: string;
  created_by: string;
  created_at: string;
  /** Set when the version carries a stored file. */
  file_name: string | null;
  kind: string | null;
  size: number | string | null;
  sha256: string | null;
  /** JSON manifest (elements of a release file, entries of an archive); large, so read only when needed. */
  manifest: string | null;
  /** SHA-256 of the release's sorted item keys when the file was uploaded ("same release file reused", P5). */
  item_set: string | null;
}

export interface ApprovalRequestTable {
  id: string;
  release_id: string;
  step: string;
  requested_by: string;
  requested_at: string;
  comment: string;
  voided_at: string | null;
  void_reason: string | null;
}

export interface ApprovalTable {
  id: string;
  release_id: string;
  step: string;
  decision: string;
  comment: string;
  attestations: string;
  decided_by: string;
  decided_at: string;
  voided_at: string | null;
  void_reason: string | null;
}

export interface TestAttemptTable {
  id: string;
  release_id: string;
  item_id: string;
  environment: string;
  result: string;
  cause: string | null;
  notes: string;
  packages: string;
  recorded_by: string;
  recorded_at: string;
}

export interface ReleaseIssueTable {
  id: string;
  release_id: string;
  number: number;
  category: string;
  title: string;
  description: string;
  status: string;
  resolution: string | null;
  raised_by: string;
  raised_at: string;
  resolved_by: string | null;
  resolved_at: string | null;
}

export interface ReleaseNotificationTable {
  id: string;
  release_id: string;
  system: string;
  note: string;
  recorded_by: string;
  recorded_at: string;
  /** email (sent by relman) | phone | meeting | other */
  means: string;
  /** pending (an e-mail awaiting delivery) | notified | failed (the e-mail did not reach the system) */
  status: string;
  mail_id: string | null;
  message_id: string | null;
  /** JSON array: the system's addresses the e-mail went to. */
  addresses: string | null;
  /** JSON array: those of them the mail server accepted. */
  accepted: string | null;
  /** Why the e-mail did not reach the system, or which of its addresses were refused. */
  outcome: string | null;
  /** When the mail server accepted (or the delivery was given up). */
  settled_at: string | null;
}

export interface ReleaseReportTable {
  id: string;
  release_id: string;
  report: string;
  parts: string;
  helpdesk_refs: string;
  written_by: string;
  written_at: string;
}

export interface StepRecordTable {
  id: string;
  release_id: string;
  step: string;
  channel: string;
  package_version: number | null;
  note: string;
  recorded_by: string;
  recorded_at: string;
}

export interface ReleaseTransitionTable {
  id: string;
  release_id: string;
  transition: string;
  from_state: string;
  to_state: string;
  comment: string;
  evidence: string;
  performed_by: string;
  performed_at: string;
}

export interface ChangeCycleTable {
  id: string;
  application_id: string;
  cycle_date: string;
  /** planned | cancelled */
  status: string;
  title: string;
  note: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  row_version: number;
}

export interface BlackoutTable {
  id: string;
  application_id: string;
  starts_on: string;
  ends_on: string;
  channel: string | null;
  environment: string | null;
  reason: string;
  created_by: string;
  created_at: string;
}

export interface ReleaseMilestoneTable {
  release_id: string;
  milestone: string;
  planned_date: string;
  set_by: string;
  set_at: string;
}

/** A coordinator let a transition go ahead while a checklist task tied to it was open (P14, P17). */
export interface ChecklistWaiverTable {
  id: string;
  release_id: string;
  /** The task's id in the template version the release runs under. */
  task_id: string;
  /** The transition the task no longer holds up. */
  transition: string;
  reason: string;
  waived_by: string;
  waived_at: string;
}

export interface ChecklistTaskTable {
  id: string;
  release_id: string;
  /** The task's id in the template version the release runs under. */
  task_id: string;
  position: number;
  title: string;
  /** JSON array of role ids. */
  responsible: string;
  /** JSON of the template's `due` rule. */
  due_rule: string;
  /** `YYYY-MM-DD`, or null while it depends on a milestone with no date. */
  due_date: string | null;
  remarks: string;
  /** open | sent (its mail awaits delivery; not done yet) | done | skipped */
  status: string;
  note: string | null;
  /** JSON: `{link?, mailId?, messageId?, sentBy?, sentAt?, acceptedFor?, sha256?, fileName?}`. */
  evidence: string | null;
  completed_by: string | null;
  completed_at: string | null;
  reminded_at: string | null;
  /** 0: not escalated; n: escalated to the n-th level of the escalation list. */
  escalation_level: number;
  escalated_at: string | null;
  row_version: number;
}

export interface ContactTable {
  id: string;
  application_id: string;
  /** resource | escalation | external */
  kind: string;
  role: string | null;
  /** For external contacts: the template's external system id. */
  system: string | null;
  person: string;
  phone: string | null;
  email: string | null;
  /** Escalation order (1 first); list order for the others. */
  position: number;
  created_at: string;
  updated_at: string;
}

export interface DistributionGroupTable {
  id: string;
  application_id: string;
  key: string;
  name: string;
  email: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface MailOutboxTable {
  id: string;
  application_id: string | null;
  release_id: string | null;
  /** The mail template's id. */
  template: string;
  /** What caused it, e.g. `release.mail`, `checklist.reminder`, `approval.signoff`. */
  cause: string;
  /** JSON array of addresses. */
  recipients: string;
  cc: string;
  subject: string;
  body: string;
  created_by: string;
  created_at: string;
  /** pending | sent | failed (gave up after the last retry; can be retried by hand) */
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  sent_at: string | null;
  /** smtp | maildir */
  transport: string | null;
  /** The RFC 5322 Message-ID, fixed when the mail is queued, so a resend is recognisable. */
  message_id: string;
}

export interface JobTable {
  name: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_started_at: string | null;
  last_finished_at: string | null;
  last_error: string | null;
  runs: number;
}

export interface CalendarTokenTable {
  id: string;
  user_id: string;
  token_hash: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** Where a release's packages go for an application, environment and channel (docs/deployments.md). */
export interface DeploymentTargetTable {
  id: string;
  application_id: string;
  environment: string;
  channel: string;
  /** The SFTP drop location; all five null when the target has no SFTP step. */
  sftp_host: string | null;
  sftp_port: number | null;
  sftp_username: string | null;
  /** Absolute POSIX path on the server. */
  sftp_directory: string | null;
  /** The server's host key, `SHA256:…` as ssh-keygen -lf prints it. */
  sftp_host_key_fingerprint: string | null;
  /** private-key | password; null: no secret stored. */
  secret_kind: string | null;
  /** The secret sealed with RELMAN_SECRET_KEY (`v1.<keyId>.<iv>.<tag>.<ciphertext>`); never plain text. */
  secret_sealed: string | null;
  secret_set_by: string | null;
  secret_set_at: string | null;
  /** JSON: `[{name, argv, cwd?, env?, timeoutSeconds}]`. */
  commands: string;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
  row_version: number;
}

/** A deployment run: a release's package versions taken to one environment (docs/deployments.md). */
export interface DeploymentRunTable {
  id: string;
  application_id: string;
  release_id: string;
  /** 1, 2, … per release. */
  number: number;
  environment: string;
  /** waiting | running | succeeded | failed | interrupted, from its steps. */
  state: string;
  /** JSON: the package versions and files the run takes, per channel. */
  packages: string;
  started_by: string;
  started_at: string;
  /** When every step was done or skipped. */
  finished_at: string | null;
  row_version: number;
}

/** A step of a run, copied from the template's plan when the run started. */
export interface DeploymentStepTable {
  id: string;
  run_id: string;
  position: number;
  /** The template's step id. */
  step: string;
  name: string;
  channel: string | null;
  /** transfer | command | target-commands | manual */
  kind: string;
  /** JSON: role ids that may act on the step. */
  roles: string;
  /** JSON: the rest of the template's step (instructions, command, completesTask, recordsSteps, mail, escalation). */
  spec: string;
  /** waiting | running | done | failed | skipped | interrupted */
  state: string;
  /** The note of whoever marked it, the reason of a skip, the error of a failure; '' when none. */
  outcome: string;
  /** Who marked it done, failed or skipped, or what did it (`relman (sftp)`). */
  done_by: string | null;
  started_at: string | null;
  finished_at: string | null;
  attempts: number;
  lease_owner: string | null;
  lease_until: string | null;
  escalation_level: number;
  escalated_at: string | null;
  /** JSON: what the step did (the files transferred and verified, the command's exit code). */
  evidence: string | null;
  row_version: number;
}

/** One line of a run's log. */
export interface DeploymentLogTable {
  run_id: string;
  seq: number;
  /** The step's position, or null for a line about the run. */
  position: number | null;
  at: string;
  /** info | stdout | stderr | error */
  stream: string;
  line: string;
}

export interface Tables {
  template_versions: TemplateVersionTable;
  applications: ApplicationTable;
  counters: CounterTable;
  releases: ReleaseTable;
  work_items: WorkItemTable;
  users: UserTable;
  user_roles: UserRoleTable;
  api_tokens: ApiTokenTable;
  sessions: SessionTable;
  login_throttle: LoginThrottleTable;
  password_history: PasswordHistoryTable;
  audit_events: AuditEventTable;
  audit_head: AuditHeadTable;
  release_packages: ReleasePackageTable;
  approval_requests: ApprovalRequestTable;
  approvals: ApprovalTable;
  test_attempts: TestAttemptTable;
  release_issues: ReleaseIssueTable;
  release_notifications: ReleaseNotificationTable;
  release_reports: ReleaseReportTable;
  step_records: StepRecordTable;
  release_transitions: ReleaseTransitionTable;
  change_cycles: ChangeCycleTable;
  blackouts: BlackoutTable;
  release_milestones: ReleaseMilestoneTable;
  checklist_tasks: ChecklistTaskTable;
  checklist_waivers: ChecklistWaiverTable;
  contacts: ContactTable;
  distribution_groups: DistributionGroupTable;
  mail_outbox: MailOutboxTable;
  jobs: JobTable;
  calendar_tokens: CalendarTokenTable;
  deployment_targets: DeploymentTargetTable;
  deployment_runs: DeploymentRunTable;
  deployment_steps: DeploymentStepTable;
  deployment_log: DeploymentLogTable;
}
