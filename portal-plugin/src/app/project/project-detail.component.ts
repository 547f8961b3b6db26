import { Component, inject } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { map } from 'rxjs';
import { ProjectContext } from './project.resolver';

/** A project's page: its name and the tabs Patch policies, Executions, Artifacts (Harbor's project detail). */
@Component({
  selector: 'hp-project-detail',
  templateUrl: './project-detail.component.html',
  styleUrls: ['./project-detail.component.scss'],
  standalone: false,
})
export class ProjectDetailComponent {
  private route = inject(ActivatedRoute);
  context$ = this.route.data.pipe(map((d) => d['context'] as ProjectContext));
}
