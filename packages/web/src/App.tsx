import { DemoPage } from './pages/DemoPage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { SessionsPage } from './pages/SessionsPage.tsx';
import { SignedOutPage } from './pages/SignedOutPage.tsx';
import { SignupPage } from './pages/SignupPage.tsx';
import { SignedInArea } from './SignedInArea.tsx';
import { useLocation } from './router.tsx';

/** The SPEC §6 paths; the server serves this SPA for each of them. */
export function App() {
  const { pathname } = useLocation();
  switch (pathname) {
    case '/login':
      return <LoginPage />;
    case '/signup':
      return <SignupPage />;
    case '/signed-out':
      return <SignedOutPage />;
    case '/settings/security/sessions':
      return (
        <SignedInArea>
          <SessionsPage />
        </SignedInArea>
      );
    case '/demo':
      return (
        <SignedInArea>
          <DemoPage />
        </SignedInArea>
      );
    default:
      return <NotFoundPage />;
  }
}
