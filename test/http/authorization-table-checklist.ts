/** The checklist routes of the authorization table (see authorization-table.ts for the meaning of each access). */
import type { Route } from './authorization-table.js';

export const CHECKLIST_ROUTES: Route[] = [];
