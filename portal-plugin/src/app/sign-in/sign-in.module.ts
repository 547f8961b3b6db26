import { NgModule } from '@angular/core';
import { RouterModule } from '@angular/router';
import { SharedModule } from '../shared/shared.module';
import { SignInComponent } from './sign-in.component';

/** The sign-in page, loaded when a visitor first needs it. */
@NgModule({
  declarations: [SignInComponent],
  imports: [SharedModule, RouterModule.forChild([{ path: '', component: SignInComponent }])],
})
export class SignInModule {}
