import {
  AfterViewInit,
  Component,
  ElementRef,
  Input,
  NgZone,
  OnChanges,
  OnDestroy,
  ViewChild,
  inject,
} from '@angular/core';
import type { Chart, ChartConfiguration } from 'chart.js';

export interface ChartSeries {
  /** Shown in the legend and as the column header of the data table (already translated). */
  label: string;
  values: number[];
  /** One colour per series, or one per value (severity bars). */
  color: string | string[];
  /** A second cue besides colour: dashed borders/lines and a lighter fill (the earlier or lesser state). */
  dashed?: boolean;
}

/** Loads Chart.js once, on the first chart shown (its own lazy chunk), with only the parts used. */
let chartJs: Promise<typeof import('chart.js')> | undefined;
function loadChartJs(): Promise<typeof import('chart.js')> {
  chartJs ??= import('chart.js').then((m) => {
    m.Chart.register(
      m.BarController,
      m.LineController,
      m.BarElement,
      m.LineElement,
      m.PointElement,
      m.CategoryScale,
      m.LinearScale,
      m.Legend,
      m.Tooltip,
    );
    return m;
  });
  return chartJs;
}

/**
 * A bar or line chart with its data as a table: the chart is a picture for those who look, the table (one
 * click away, and always in print) reads the same numbers to everyone, screen readers included.
 */
@Component({
  selector: 'hp-insights-chart',
  templateUrl: './insights-chart.component.html',
  styleUrls: ['./insights-chart.component.scss'],
  standalone: false,
})
export class InsightsChartComponent implements AfterViewInit, OnChanges, OnDestroy {
  private zone = inject(NgZone);

  @Input({ required: true }) chartId!: string;
  /** What the chart shows (already translated): the figure's caption and the picture's accessible name. */
  @Input({ required: true }) caption!: string;
  @Input() kind: 'bar' | 'line' = 'bar';
  @Input() stacked = false;
  @Input() labels: string[] = [];
  @Input() series: ChartSeries[] = [];
  /** Header of the table's first column (already translated). */
  @Input() categoryHeader = '';
  @ViewChild('canvas') canvas?: ElementRef<HTMLCanvasElement>;

  showTable = false;
  loadFailed = false;
  private chart?: Chart;
  private viewReady = false;

  ngAfterViewInit(): void {
    this.viewReady = true;
    void this.render();
  }

  ngOnChanges(): void {
    if (this.viewReady) void this.render();
  }

  ngOnDestroy(): void {
    this.chart?.destroy();
  }

  toggleTable(): void {
    this.showTable = !this.showTable;
  }

  /**
   * The chart's configuration: no animation (prints and screenshots show the final state). A series coloured
   * per value (severities) shows in the legend by its border and fill pattern, not by one of its colours.
   */
  config(): ChartConfiguration {
    const multi = (c: string | string[]) => Array.isArray(c);
    const faded = (c: string) => (/^#[0-9a-f]{6}$/i.test(c) ? `${c}66` : c);
    const fill = (s: ChartSeries) =>
      s.dashed ? (Array.isArray(s.color) ? s.color.map(faded) : faded(s.color)) : s.color;
    return {
      type: this.kind,
      data: {
        labels: this.labels,
        datasets: this.series.map((s) => ({
          label: s.label,
          data: s.values,
          backgroundColor: fill(s),
          borderColor: multi(s.color) ? '#313131' : s.color,
          borderWidth: this.kind === 'line' ? 2 : 1,
          borderDash: s.dashed ? [6, 4] : [],
          pointStyle: s.dashed ? 'rectRot' : 'circle',
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: this.stacked },
          y: { stacked: this.stacked, beginAtZero: true, ticks: { precision: 0 } },
        },
        plugins: {
          legend: {
            display: this.series.length > 1,
            labels: {
              usePointStyle: true,
              generateLabels: (chart) =>
                this.series.map((s, i) => ({
                  text: s.label,
                  datasetIndex: i,
                  hidden: !chart.isDatasetVisible(i),
                  fillStyle: multi(s.color) ? (s.dashed ? '#ffffff' : '#8c8c8c') : (fill(s) as string),
                  strokeStyle: multi(s.color) ? '#313131' : (s.color as string),
                  lineWidth: 1,
                  lineDash: s.dashed ? [3, 2] : [],
                  pointStyle: s.dashed ? 'rectRot' : 'circle',
                })),
            },
          },
        },
      },
    };
  }

  private async render(): Promise<void> {
    let lib: typeof import('chart.js');
    try {
      lib = await loadChartJs();
    } catch {
      // The chunk could not load (e.g. offline after an update): the table still has the numbers.
      this.loadFailed = true;
      this.showTable = true;
      return;
    }
    const canvas = this.canvas?.nativeElement;
    if (!canvas) return;
    // Chart.js animates and listens outside Angular: no change detection for its frames.
    this.zone.runOutsideAngular(() => {
      this.chart?.destroy();
      this.chart = new lib.Chart(canvas, this.config());
    });
  }
}
