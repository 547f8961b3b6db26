import { Component, Input } from '@angular/core';
import { Execution } from '../../services/patching.models';
import { ExecutionOutcome, executionOutcome } from '../../units/execution-outcome';

/** What an execution did, in words ("Nothing to patch: 3 up to date"); optionally what its selection left out. */
@Component({
  selector: 'hp-execution-outcome',
  templateUrl: './execution-outcome.component.html',
  styleUrls: ['./execution-outcome.component.scss'],
  standalone: false,
})
export class ExecutionOutcomeComponent {
  @Input({ required: true }) execution!: Execution;
  /** Also say what the selection left out when the run has tasks (the tasks page does, the grid does not). */
  @Input() showLeftOut = false;

  get view(): ExecutionOutcome {
    return executionOutcome(this.execution);
  }
}
