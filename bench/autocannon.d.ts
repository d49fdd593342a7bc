// autocannon ships no type declarations; this covers the part the benchmarks use.
declare module 'autocannon' {
  export type Options = {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
    method?: string;
    headers?: Record<string, string>;
    workers?: number;
    warmup?: { connections?: number; duration?: number };
  };
  export type Histogram = { average: number; mean: number; stddev: number; min: number; max: number; total: number } & Record<
    'p50' | 'p90' | 'p99',
    number
  >;
  export type Result = {
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
  };
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
