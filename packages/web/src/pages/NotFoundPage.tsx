import { Layout } from '../components/Layout.tsx';
import { PageHeading } from '../components/Page.tsx';
import { Link } from '../router.tsx';

export function NotFoundPage() {
  return (
    <Layout>
      <div className="card auth-card">
        <PageHeading title="Page not found" />
        <p>There is nothing at this address. Check it for a typing mistake, or go on from here:</p>
        <ul className="link-list">
          <li>
            <Link to="/login">Sign in</Link>
          </li>
          <li>
            <Link to="/demo">Go to the demo app</Link>
          </li>
        </ul>
      </div>
    </Layout>
  );
}
