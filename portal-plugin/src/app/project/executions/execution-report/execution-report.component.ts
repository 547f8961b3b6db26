import { Component, OnInit, inject } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { ActivatedRoute } from '@angular/router';
import { map } from 'rxjs';
import { ApiConfiguration } from '../../../api/api-configuration';
import { getExecutionReport } from '../../../api/functions';
import type { ExecutionReport, ExecutionReportRow } from '../../../api/models';
import { errorMessage } from '../../../shared/services/patching.service';
import { PATCHING_API } from '../../../shared/units/utils';
import { ProjectContext } from '../../project.resolver';

const SHOWN = ['Critical', 'High', 'Medium', 'Low'] as const;

/**
 * An execution's report as a printable page: per artifact, the vulnerabilities before and after by severity,
 * the fixable ones, the fixed CVEs; with the same as CSV.
 */
@Component({
  selector: 'hp-execution-report',
  templateUrl: './execution-report.component.html',
  styleUrls: ['./execution-report.component.scss'],
  standalone: false,
})
export class ExecutionReportComponent implements OnInit {
  private route = inject(ActivatedRoute);
  private http = inject(HttpClient);
  private config = inject(ApiConfiguration);

  readonly severities = SHOWN;
  context: ProjectContext = this.route.parent!.snapshot.data['context'];
  executionId = Number(this.route.snapshot.paramMap.get('execution'));
  report: ExecutionReport | null = null;
  error: string | null = null;

  get project(): string {
    return this.context.project.name;
  }

  private get root(): string {
    return this.config.rootUrl || PATCHING_API;
  }

  get csvUrl(): string {
    return `${this.root}/projects/${encodeURIComponent(this.project)}/executions/${this.executionId}/report?format=csv`;
  }

  get fixedTotal(): number {
    return this.report?.rows.reduce((n, r) => n + r.fixed_cves.length, 0) ?? 0;
  }

  ngOnInit(): void {
    getExecutionReport(this.http, this.root, { project_name: this.project, execution_id: this.executionId })
      .pipe(map((r) => r.body))
      .subscribe({
        next: (report) => (this.report = report),
        error: (e) => (this.error = errorMessage(e)),
      });
  }

  count(row: ExecutionReportRow, when: 'before' | 'after', severity: (typeof SHOWN)[number]): string {
    const counts = row[when];
    return counts ? String(counts[severity]) : '–';
  }

  print(): void {
    window.print();
  }
}
