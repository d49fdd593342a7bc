import { Box } from '@mantine/core';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'react';
import type { Delivery, Triage } from './reports-queries';

// Only the parts the two bar charts use, so the rest of Chart.js stays out of the bundle.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
// Chart.js's default grey axis text is too faint to read comfortably.
Chart.defaults.color = '#212529';

/** Colours distinguishable for common colour blindness (Okabe–Ito). */
const PALETTE = ['#D55E00', '#0072B2', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];

type Dataset = { label: string; data: number[] };

/**
 * A bar chart on a canvas. The canvas is an image with a name for assistive
 * technology; the same numbers are in the table beside it.
 */
function BarChart({ label, labels, datasets, stacked }: { label: string; labels: string[]; datasets: Dataset[]; stacked: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels, datasets: datasets.map((d, i) => ({ ...d, backgroundColor: PALETTE[i % PALETTE.length] })) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked }, y: { stacked, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: datasets.length > 1 } },
      },
    });
    return () => chart.destroy();
  }, [labels, datasets, stacked]);
  return (
    <Box h={240} mb="sm">
      <canvas ref={canvas} role="img" aria-label={label} />
    </Box>
  );
}

export function FailuresChart({ triage }: { triage: Triage }) {
  const labels = triage.byRelease.map((r) => r.release);
  const datasets = triage.causes.map((c) => ({ label: c, data: triage.byRelease.map((r) => r.byCause[c] ?? 0) }));
  return (
    <BarChart
      label="Test failures by cause per release (stacked bars; the numbers are in the table below)"
      labels={labels}
      datasets={datasets}
      stacked
    />
  );
}

export function DeploymentsChart({ delivery }: { delivery: Delivery }) {
  const weeks = delivery.deploymentFrequency.perWeek;
  return (
    <BarChart
      label="Deployments to production per week (bars; the numbers are in the table below)"
      labels={weeks.map((w) => w.week)}
      datasets={[{ label: 'Deployments', data: weeks.map((w) => w.releases.length) }]}
      stacked={false}
    />
  );
}
