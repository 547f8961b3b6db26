import { NgModule } from '@angular/core';
import { RouterModule } from '@angular/router';
import { SharedModule } from '../../shared/shared.module';
import { PolicyListComponent } from './policy-list.component';
import { CreateEditPolicyComponent } from './create-edit-policy/create-edit-policy.component';
import { WebhookStatusComponent } from './webhook-status/webhook-status.component';

/** The Patch policies tab: the list, the policy modal and the webhook status. */
@NgModule({
  declarations: [PolicyListComponent, CreateEditPolicyComponent, WebhookStatusComponent],
  imports: [SharedModule, RouterModule.forChild([{ path: '', component: PolicyListComponent }])],
})
export class PoliciesModule {}
