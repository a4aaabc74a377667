import { Layout } from '../components/Layout.tsx';
import { PageHeading } from '../components/Page.tsx';
import { Link } from '../router.tsx';

export function NotFoundPage() {
  return (
    <Layout>
      <div className="card auth-card">
        <PageHeading title="Page not found" />
        <p>
          There is nothing at this address. <Link to="/demo">Go to the demo app</Link>
        </p>
      </div>
    </Layout>
  );
}
