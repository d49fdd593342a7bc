import { lazy, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { Layout } from './components/layout';
import { RequireSession } from './session';
import { SignInPage } from './routes/sign-in';

// Every page but sign-in is its own chunk: the first page loads only what it shows.
const MyWorkPage = lazy(() => import('./routes/my-work'));
const ReleasesPage = lazy(() => import('./routes/releases-list'));
const ReleasePage = lazy(() => import('./routes/release/page'));
const ItemsPage = lazy(() => import('./routes/items-list'));
const ItemPage = lazy(() => import('./routes/item-page'));
const AccountPage = lazy(() => import('./routes/account'));
const CalendarPage = lazy(() => import('./routes/calendar'));
const MyTasksPage = lazy(() => import('./routes/my-tasks'));
const AuditPage = lazy(() => import('./routes/audit'));
const MailOutboxPage = lazy(() => import('./routes/mail-outbox'));
const ReportsPage = lazy(() => import('./routes/reports'));
const EnvironmentsPage = lazy(() => import('./routes/environments'));
const UsersPage = lazy(() => import('./routes/admin/users'));
const TokensPage = lazy(() => import('./routes/admin/tokens'));
const ContactsPage = lazy(() => import('./routes/admin/contacts'));
const ApplicationsPage = lazy(() => import('./routes/admin/applications'));
const TemplatesPage = lazy(() => import('./routes/admin/templates'));
const TargetsPage = lazy(() => import('./routes/admin/targets'));
const NotFoundPage = lazy(() => import('./routes/not-found'));

export function App() {
  return (
    <Routes>
      <Route path="/sign-in" element={<SignInPage />} />
      <Route
        element={
          <RequireSession>
            <Layout />
          </RequireSession>
        }
      >
        <Route index element={<Page name="My work" page={<MyWorkPage />} />} />
        <Route path="releases" element={<Page name="Releases" page={<ReleasesPage />} />} />
        <Route path="releases/:name/*" element={<Page name="Release" page={<ReleasePage />} />} />
        <Route path="items" element={<Page name="Work items" page={<ItemsPage />} />} />
        <Route path="items/:key" element={<Page name="Work item" page={<ItemPage />} />} />
        <Route path="account" element={<Page name="Account" page={<AccountPage />} />} />
        <Route path="calendar" element={<Page name="Calendar" page={<CalendarPage />} />} />
        <Route path="tasks" element={<Page name="My tasks" page={<MyTasksPage />} />} />
        <Route path="audit" element={<Page name="Audit" page={<AuditPage />} />} />
        <Route path="mail" element={<Page name="Mail outbox" page={<MailOutboxPage />} />} />
        <Route path="reports" element={<Page name="Reports" page={<ReportsPage />} />} />
        <Route path="environments" element={<Page name="Environments" page={<EnvironmentsPage />} />} />
        <Route path="admin/users" element={<Page name="Users" page={<UsersPage />} />} />
        <Route path="admin/tokens" element={<Page name="API tokens" page={<TokensPage />} />} />
        <Route path="admin/contacts" element={<Page name="Contacts" page={<ContactsPage />} />} />
        <Route path="admin/applications" element={<Page name="Applications" page={<ApplicationsPage />} />} />
        <Route path="admin/templates/*" element={<Page name="Process templates" page={<TemplatesPage />} />} />
        <Route path="admin/targets" element={<Page name="Deployment targets" page={<TargetsPage />} />} />
        <Route path="*" element={<Page name="Not found" page={<NotFoundPage />} />} />
      </Route>
    </Routes>
  );
}

function Page({ name, page }: { name: string; page: React.ReactNode }) {
  return <Suspense fallback={<p role="status">Loading {name.toLowerCase()}…</p>}>{page}</Suspense>;
}
