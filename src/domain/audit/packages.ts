/** What a package version's audit events record of it (and what the API shows). */
export type PackageAuditView = {
  channel: string;
  version: number;
  label: string;
  createdBy: string;
  createdAt: string;
  /** The stored file; null for a version recorded without one. */
  file: { name: string; kind: string; size: number; sha256: string } | null;
};

/** Audit events of the packages area; see catalogue.ts for the shape of an entry. */
export interface PackagesAuditCatalogue {
  /** A file uploaded as a new package version; `voidedApprovals`: approvals the new version voided. */
  'package.upload': { subject: 'release'; after: PackageAuditView & { voidedApprovals: number } };
  /** A package version recorded by its label only. */
  'package.record': { subject: 'release'; after: PackageAuditView & { voidedApprovals: number } };
}
