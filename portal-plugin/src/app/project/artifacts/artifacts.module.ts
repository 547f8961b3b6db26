import { NgModule } from '@angular/core';
import { RouterModule, Routes } from '@angular/router';
import { SharedModule } from '../../shared/shared.module';
import { RepositoryListComponent } from '../repositories/repository-list.component';
import { ArtifactListComponent } from './artifact-list.component';

/** The Artifacts tab: the project's repositories and a repository's artifacts. */
const routes: Routes = [
  { path: '', component: RepositoryListComponent },
  { path: ':repository', component: ArtifactListComponent },
];

@NgModule({
  declarations: [RepositoryListComponent, ArtifactListComponent],
  imports: [SharedModule, RouterModule.forChild(routes)],
})
export class ArtifactsModule {}
