import { useEffect, useRef, type ReactNode } from 'react';

let firstPage = true;

/**
 * A page's `h1` and document title. After in-app navigation focus moves to the heading, so screen
 * reader and keyboard users start at the new page rather than on a link that no longer exists.
 */
export function PageHeading({ title, children }: { title: string; children?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · sessiond`;
    if (firstPage) firstPage = false;
    else heading.current?.focus();
  }, [title]);
  return (
    <h1 ref={heading} tabIndex={-1} className="page-title">
      {children ?? title}
    </h1>
  );
}
