/**
 * A person following a download link from a mail while signed out gets the
 * sign-in page, and comes back to the file afterwards, instead of a JSON 401
 * they cannot act on. Only browsers are sent there: an API client (Accept
 * JSON, or anything) keeps the 401 problem it can read.
 */

/** The quality a media range gives `type/subtype`: the most specific range that matches, 0 when none does. */
function qualityOf(accept: string, type: string, subtype: string): number {
  let best = { specificity: -1, q: 0 };
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const [t, s] = range.split('/');
    const specificity = t === type && s === subtype ? 2 : t === type && s === '*' ? 1 : t === '*' && s === '*' ? 0 : -1;
    if (specificity <= best.specificity) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    best = { specificity, q: Number.isFinite(q) ? q : 0 };
  }
  return best.q;
}

/** Whether the Accept header asks for HTML before JSON, as a browser's navigation does. */
export function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return false;
  // Explicitly asked for: `*/*` alone counts for JSON, not for HTML.
  const html = /(^|,)\s*text\/(html|\*)/i.test(accept) ? qualityOf(accept, 'text', 'html') : 0;
  return html > 0 && html > qualityOf(accept, 'application', 'json');
}

/** Where to send a browser that must sign in first: the sign-in page, back to `url` (path and query) afterwards. */
export function signInLocation(url: string): string {
  return `/sign-in?next=${encodeURIComponent(url)}`;
}
