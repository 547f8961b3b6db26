import { inject } from '@angular/core';
import { CanActivateFn, Router } from '@angular/router';
import { SessionService } from './session.service';

/** Pages need a Harbor session: without one (`/users/current` answers 401) the user goes to sign in. */
export const authGuard: CanActivateFn = async (_route, state) => {
  const session = inject(SessionService);
  const router = inject(Router);
  if (session.currentUser) return true;
  try {
    await session.retrieveUser();
    return true;
  } catch {
    return router.createUrlTree(['/sign-in'], { queryParams: { redirect_url: state.url } });
  }
};
