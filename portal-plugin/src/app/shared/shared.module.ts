import { NgModule } from '@angular/core';
import { CommonModule } from '@angular/common';
import { FormsModule, ReactiveFormsModule } from '@angular/forms';
import { RouterModule } from '@angular/router';
import {
  ClrAlertModule,
  ClrDatagridModule,
  ClrDropdownModule,
  ClrFormsModule,
  ClrIconModule,
  ClrModalModule,
  ClrSignpostModule,
  ClrSpinnerModule,
  ClrTooltipModule,
} from '@clr/angular';
import { TranslateModule } from '@ngx-translate/core';
import { FilterComponent } from './components/filter/filter.component';
import { ConfirmationDialogComponent } from './components/confirmation-dialog/confirmation-dialog.component';
import { CronSelectionComponent } from './components/cron-selection/cron-selection.component';
import { VulnerabilitySummaryComponent } from './components/vulnerability-summary/vulnerability-summary.component';
import { JobStatusComponent } from './components/job-status/job-status.component';
import { ExecutionOutcomeComponent } from './components/execution-outcome/execution-outcome.component';
import { RefreshButtonComponent } from './components/refresh-button/refresh-button.component';
import { HelpTooltipComponent } from './components/help-tooltip/help-tooltip.component';

/**
 * The Clarity parts the pages use. Not ClarityModule: it brings every Clarity component (1.2 MB) into the
 * bundle. A Clarity element missing here fails the build ("is not a known element"): add its module.
 */
const CLARITY = [
  ClrAlertModule,
  ClrDatagridModule,
  ClrDropdownModule,
  ClrFormsModule,
  ClrIconModule,
  ClrModalModule,
  ClrSignpostModule,
  ClrSpinnerModule,
  ClrTooltipModule,
];

const COMPONENTS = [
  FilterComponent,
  ConfirmationDialogComponent,
  CronSelectionComponent,
  VulnerabilitySummaryComponent,
  JobStatusComponent,
  ExecutionOutcomeComponent,
  RefreshButtonComponent,
  HelpTooltipComponent,
];

/** What every page module needs: Clarity, forms, translations and the small shared components. */
@NgModule({
  declarations: COMPONENTS,
  imports: [CommonModule, FormsModule, ReactiveFormsModule, RouterModule, ...CLARITY, TranslateModule],
  exports: [CommonModule, FormsModule, ReactiveFormsModule, RouterModule, ...CLARITY, TranslateModule, ...COMPONENTS],
})
export class SharedModule {}
