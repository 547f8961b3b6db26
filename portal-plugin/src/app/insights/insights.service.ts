import { Injectable, inject } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { Observable, map } from 'rxjs';
import { ApiConfiguration } from '../api/api-configuration';
import { getProjectInsights, getSystemInsights } from '../api/functions';
import type { ProjectInsights, SystemInsights } from '../api/models';
import { PATCHING_API } from '../shared/units/utils';

export type { ProjectInsights, SystemInsights };
export type Bucket = 'day' | 'week';
export type BacklogSeverity = 'Critical' | 'High' | 'Medium' | 'Low';

export interface InsightsQuery {
  from: string;
  to: string;
  bucket: Bucket;
}

/** The insights API: a project's (members) and the whole service's (Harbor system admins), JSON or CSV links. */
@Injectable({ providedIn: 'root' })
export class InsightsService {
  private http = inject(HttpClient);
  private config = inject(ApiConfiguration);

  private get root(): string {
    return this.config.rootUrl || PATCHING_API;
  }

  project(project: string, q: InsightsQuery, severity: BacklogSeverity): Observable<ProjectInsights> {
    return getProjectInsights(this.http, this.root, { project_name: project, ...q, severity }).pipe(map((r) => r.body));
  }

  system(q: InsightsQuery): Observable<SystemInsights> {
    return getSystemInsights(this.http, this.root, q).pipe(map((r) => r.body));
  }

  /** A download link (the session cookie signs a plain GET in). */
  exportUrl(
    project: string | null,
    q: InsightsQuery,
    format: 'csv' | 'json',
    table?: string,
    severity?: string,
  ): string {
    const params = new URLSearchParams({ from: q.from, to: q.to, bucket: q.bucket, format });
    if (table) params.set('table', table);
    if (severity) params.set('severity', severity);
    const path = project === null ? '/insights' : `/projects/${encodeURIComponent(project)}/insights`;
    return `${this.root}${path}?${params}`;
  }
}

/** The last `days` days up to today (UTC), with weeks for long ranges. */
export function rangeOfDays(days: number, today = new Date()): InsightsQuery {
  const to = today.toISOString().slice(0, 10);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from, to, bucket: days > 31 ? 'week' : 'day' };
}

/** Harbor's severity colours (result-bar-chart-component.scss), highest first. */
export const SEVERITY_COLOURS: Record<string, string> = {
  Critical: '#e62700',
  High: '#e67300',
  Medium: '#ffbf00',
  Low: '#007cbb',
  Negligible: '#8ca5b4',
  Unknown: '#c5c5c5',
};
export const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'] as const;
