// spec: Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format)

export type Labels = Readonly<Record<string, string>>;

/** A counter; label values must come from small, bounded sets (methods, route templates, statuses). */
export interface Counter {
  inc(labels?: Labels, by?: number): void;
}

export interface Histogram {
  observe(labels: Labels, value: number): void;
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(out: string[]): void;
}

/** A metric keeps at most this many label combinations; later new ones are ignored, not stored. */
const maxSeries = 2000;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function num(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return Number.isNaN(v) ? 'NaN' : String(v);
}

// Series key on the hot path: values in the caller's key order, without escaping or sorting
// (a call site always passes the same keys); rendering does the exact formatting.
function key(labels: Labels): string {
  let k = '';
  for (const name in labels) k += `${name}\u0000${labels[name]}\u0001`;
  return k;
}

class CounterFamily implements Family, Counter {
  readonly type = 'counter';
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}

  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels);
    const s = this.series.get(k);
    if (s) s.value += by;
    else if (this.series.size < maxSeries) this.series.set(k, { labels, value: by });
  }

  render(out: string[]): void {
    for (const s of this.series.values()) out.push(`${this.name}${labelText(s.labels)} ${num(s.value)}`);
  }
}

class HistogramFamily implements Family, Histogram {
  readonly type = 'histogram';
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, private readonly buckets: readonly number[]) {}

  observe(labels: Labels, value: number): void {
    const k = key(labels);
    let s = this.series.get(k);
    if (!s) {
      if (this.series.size >= maxSeries) return;
      this.series.set(k, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  render(out: string[]): void {
    for (const s of this.series.values()) {
      this.buckets.forEach((le, i) => out.push(`${this.name}_bucket${labelText(s.labels, ['le', num(le)])} ${s.counts[i]}`));
      out.push(`${this.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${s.count}`);
      out.push(`${this.name}_sum${labelText(s.labels)} ${num(s.sum)}`);
      out.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
  }
}

class GaugeFamily implements Family {
  readonly type = 'gauge';
  constructor(readonly name: string, readonly help: string, private readonly read: () => number) {}
  render(out: string[]): void {
    out.push(`${this.name} ${num(this.read())}`);
  }
}

/**
 * The registry's metrics, shared by the features that report them (requests, audit, scans,
 * webhooks) and rendered by `/metrics`. Registering a name twice returns the first metric of
 * that name, so features may be built in any order.
 */
export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string): Counter {
    return this.add(new CounterFamily(name, help)) as CounterFamily;
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.add(new HistogramFamily(name, help, [...buckets].sort((a, b) => a - b))) as HistogramFamily;
  }

  /** A gauge read when scraped (`read` must be cheap and never throw). */
  gauge(name: string, help: string, read: () => number): void {
    this.add(new GaugeFamily(name, help, read));
  }

  /** Every metric in text format 0.0.4, families in registration order, ending with a newline. */
  render(): string {
    const out: string[] = [];
    for (const f of this.families.values()) {
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
      f.render(out);
    }
    return `${out.join('\n')}\n`;
  }

  private add(f: Family): Family {
    const have = this.families.get(f.name);
    if (have) return have;
    this.families.set(f.name, f);
    return f;
  }
}
