import '@mantine/core/styles.css';
import './app.css';
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { ProblemError } from './api/problem';
import { App } from './app';
import { cssVariablesResolver, theme } from './theme';

// The server puts a fresh nonce into each page; the theme's style elements carry it.
const nonce = document.querySelector<HTMLMetaElement>('meta[name="relman-style-nonce"]')?.content ?? '';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refused read (403, 404, 422) will not change by asking again.
      retry: (count, err) => !(err instanceof ProblemError && err.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} getStyleNonce={() => nonce}>
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <App />
          </BrowserRouter>
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
}
