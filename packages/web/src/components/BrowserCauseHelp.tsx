import { browserSteps, type BrowserCause } from '@sessiond/sdk';
import { useId } from 'react';

/**
 * What to change in the person's browser for an ending only the browser could see (a blocked or
 * removed cookie): one line per browser, for this site. Nothing for a damaged cookie, which no
 * setting causes.
 */
export function BrowserCauseHelp({ cause }: { cause: BrowserCause }) {
  const headingId = useId();
  const steps = browserSteps(cause, location.hostname);
  if (!steps) return null;
  return (
    <section className="browser-help" aria-labelledby={headingId}>
      <h2 id={headingId} className="browser-help-title">
        {cause === 'cookies_blocked' ? 'How to allow cookies for this site' : 'How to keep this site’s cookies'}
      </h2>
      <ul>
        {steps.map((s) => (
          <li key={s.browser}>
            <strong>{s.browser}:</strong> {s.steps}
          </li>
        ))}
      </ul>
    </section>
  );
}
