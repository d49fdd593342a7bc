import { useEffect } from 'react';

/** Names the browser tab (and what a screen reader announces on navigation) after the page. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · relman`;
  }, [title]);
}
