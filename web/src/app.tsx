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
        <Route path="*" element={<Page name="Not found" page={<NotFoundPage />} />} />
      </Route>
    </Routes>
  );
}

function Page({ name, page }: { name: string; page: React.ReactNode }) {
  return <Suspense fallback={<p role="status">Loading {name.toLowerCase()}…</p>}>{page}</Suspense>;
}
