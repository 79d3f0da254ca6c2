package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/charts"
	"github.com/tfoffload/tfoffload/internal/fsutil"
	"github.com/tfoffload/tfoffload/tensor"
)

const benchLong = `Bench measures MODEL's inference time on each backend, side by side in one
process, so the ratios hold even on a noisy machine: for each thread count,
batch size and backend it runs --warmup untimed iterations (these include
compiling), then --iterations timed ones, interleaving the backends
iteration by iteration. Only Run is timed, not loading or input
preparation. Times more than three standard deviations from the mean are
dropped (so with fewer than 11 timed runs none can be); latency is the median, FPS is images per second over the kept
runs, and speedup compares each backend's median with the first backend's
(the Go executor's, "none", by default).

--threads 1,2 sweeps thread counts: each count sizes ONNX Runtime's
intra-op pool (a session's own pool) and, for the Go executor, GOMAXPROCS,
which bounds the goroutines its kernels split work over. Without --threads
both keep their defaults (ONNX Runtime's shared pool, one thread per core)
and "threads" is reported as 0.

--mode throughput --requests 1,2,4 keeps N requests in flight at once
(bridge's RunAsync; with --threads each request's ONNX Runtime pool has
that many threads, otherwise the cores are split between the requests) and
sends --iterations requests per backend after --warmup sequential ones
(at least one, to compare outputs); it reports images per second over the
run and the latency of each request, submission to answer: p50, p90 and
p99 (no runs dropped). The backends run one after the other there, not
interleaved; --rounds N repeats the sweep N times, alternating the request
counts, so that a change of load hits them alike: images/s is then the
median of the rounds and the percentiles cover every request.

Inputs are random (or --input files) with unknown dimensions set to 1, or
to the batch size for the first dimension with --batch, or as given by
--input-shape. Batch sizes and dimensions must be at least 1, and a random
input may take at most 1 GiB: larger ones are refused before anything runs. Outputs of every backend are compared with the first backend's
and the largest absolute difference is reported.

--plot FILE.png draws FPS and latency against batch size (in throughput
mode with several --requests, against requests in flight), one line per
backend and thread count. --csv FILE writes the rows as CSV ("-": to
standard output instead of the table). Files are written whole or not at
all. A progress bar is drawn on standard error when it is a terminal.

With --json, an array of {"mode", "backend", "threads", "batch", "requests",
"iterations", "median_ms", "mean_ms", "p50_ms", "p90_ms", "p99_ms", "fps",
"speedup", "max_abs_diff", "offloaded", "nontrivial"}; the CSV has the same
columns.`

type benchOptions struct {
	backends   []string
	iterations int
	warmup     int
	batches    []int
	threads    []int
	requests   []int
	rounds     int
	mode       string
	inputs     []string
	shapes     []string
	signature  string
	json       bool
	plot, csv  string
}

// Bench modes.
const (
	modeLatency    = "latency"
	modeThroughput = "throughput"
)

func newBenchCmd() *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Use:   "bench MODEL",
		Short: "Compare inference speed on the Go executor and on offload backends",
		Long:  benchLong,
		Example: `  tfoffload bench model.json
  tfoffload bench --batch 1,2,4,8 --threads 1,2 --iterations 100 --backends none,CPU --plot sweep.png frozen.pb
  tfoffload bench --mode throughput --requests 1,2,4 --iterations 200 --backends CPU --csv - model.json`,
		Args: exactArgs("MODEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.iterations < 1 || o.warmup < 0 {
				return usagef(cmd, "--iterations must be at least 1 and --warmup at least 0")
			}
			for _, f := range []struct {
				flag, what string
				vals       []int
			}{{"--batch", "a batch size", o.batches}, {"--threads", "a thread count", o.threads}, {"--requests", "a number of requests", o.requests}} {
				for _, v := range f.vals {
					if v < 1 {
						return usagef(cmd, "%s %d: %s must be at least 1", f.flag, v, f.what)
					}
				}
			}
			switch o.mode {
			case modeLatency:
				for _, f := range []string{"requests", "rounds"} {
					if cmd.Flags().Changed(f) {
						return usagef(cmd, "--%s needs --mode throughput", f)
					}
				}
			case modeThroughput:
			default:
				return usagef(cmd, "--mode %q: want latency or throughput", o.mode)
			}
			if o.rounds < 1 {
				return usagef(cmd, "--rounds %d: want at least 1", o.rounds)
			}
			if len(o.backends) == 0 {
				return usagef(cmd, "--backends: name at least one backend")
			}
			if _, err := parseShapes(o.shapes); err != nil {
				return usagef(cmd, "%v", err)
			}
			return benchModel(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.backends, "backends", []string{"none", "CPU"}, "backends to compare; none is the Go executor alone")
	f.IntVar(&o.iterations, "iterations", 30, "timed runs (throughput mode: requests) per backend and setting")
	f.IntVar(&o.warmup, "warmup", 3, "untimed runs first (compilation happens here)")
	f.IntSliceVar(&o.batches, "batch", nil, "batch sizes to sweep, each at least 1 (sets the first dimension of inputs whose first dimension is unknown)")
	f.IntSliceVar(&o.threads, "threads", nil, "thread counts to sweep: ONNX Runtime intra-op threads and the executor's GOMAXPROCS (default: theirs)")
	f.StringVar(&o.mode, "mode", modeLatency, "latency (runs one at a time) or throughput (--requests in flight at once)")
	f.IntSliceVar(&o.requests, "requests", []int{1}, "throughput mode: requests in flight to sweep")
	f.IntVar(&o.rounds, "rounds", 1, "throughput mode: repeat the sweep this many times, alternating request counts; report the median images/s")
	f.StringArrayVar(&o.inputs, "input", nil, "NAME=FILE.npy or NAME=@FILE (repeatable; default: random inputs)")
	f.StringArrayVar(&o.shapes, "input-shape", nil, "NAME=D0,D1,...: shape of an input with unknown dimensions (positive dimensions)")
	f.StringVar(&o.signature, "signature", "", "signature to run (default: serving_default or the only one)")
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.StringVar(&o.plot, "plot", "", "draw FPS and latency per backend and thread count into this PNG file")
	f.StringVar(&o.csv, "csv", "", "write the results as CSV to this file (-: standard output, instead of the table)")
	return cmd
}

type benchResult struct {
	Mode       string  `json:"mode"`
	Backend    string  `json:"backend"`
	Threads    int     `json:"threads"`
	Batch      int     `json:"batch"`
	Requests   int     `json:"requests"`
	Iterations int     `json:"iterations"`
	MedianMS   float64 `json:"median_ms"`
	MeanMS     float64 `json:"mean_ms"`
	P50MS      float64 `json:"p50_ms"`
	P90MS      float64 `json:"p90_ms"`
	P99MS      float64 `json:"p99_ms"`
	FPS        float64 `json:"fps"`
	Speedup    float64 `json:"speedup"`
	MaxDiff    float64 `json:"max_abs_diff"`
	Offloaded  int     `json:"offloaded"`
	NonTrivial int     `json:"nontrivial"`
}

// benchRun is what one measurement needs: the sessions of every backend
// at one thread count, the inputs and the settings.
type benchRun struct {
	ctx      context.Context
	o        benchOptions
	sessions []*bridge.Session
	feeds    map[string]*tensor.Tensor
	fetches  []string
	batch    int
	threads  int
	bar      *progress
	diffs    []float64 // throughput mode: each backend's difference from the first, set by warm
}

func benchModel(ctx context.Context, w, stderr io.Writer, path string, o benchOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	m, err := graph.Load(path)
	if err != nil {
		return err
	}
	sig, err := chooseSignature(m, o.signature)
	if err != nil {
		return err
	}
	fetches, _, err := chooseFetches(m, sig, nil)
	if err != nil {
		return err
	}
	batches := o.batches
	if len(batches) == 0 {
		batches = []int{0} // no --batch: unknown dimensions are 1
	}
	threads := o.threads
	if len(threads) == 0 {
		threads = []int{0} // the defaults
	}
	requests := []int{0}
	if o.mode == modeThroughput {
		requests = o.requests
	}
	shapes, err := parseShapes(o.shapes)
	if err != nil {
		return err
	}
	for _, batch := range batches { // refuse every bad size before compiling anything
		if _, _, err := planInputs(m, sig, o.inputs, shapes, batch); err != nil {
			return err
		}
	}
	rounds := 1
	if o.mode == modeThroughput {
		rounds = o.rounds
	}
	steps := len(threads) * len(batches) * len(requests) * (o.warmup + rounds*o.iterations) * len(o.backends)
	bar := newProgress(stderr, "bench", steps)
	var results []benchResult
	for _, th := range threads {
		rs, err := benchSetting(ctx, m, fetches, batches, th, requests, o, bar, func(batch int) (map[string]*tensor.Tensor, error) {
			return generateInputs(m, sig, o.inputs, shapes, batch)
		})
		if err != nil {
			return err
		}
		results = append(results, rs...)
	}
	bar.Finish()
	if o.plot != "" {
		if err := plotBench(o.plot, modelLabel(path), o, results); err != nil {
			return err
		}
	}
	if o.csv != "" && o.csv != "-" {
		var buf bytes.Buffer
		if err := writeBenchCSV(&buf, results); err != nil {
			return err
		}
		if err := fsutil.WriteAtomic(o.csv, buf.Bytes(), nil); err != nil {
			return fmt.Errorf("--csv: %w", err)
		}
	}
	switch {
	case o.json:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	case o.csv == "-":
		return writeBenchCSV(w, results)
	}
	return printBench(w, results)
}

// benchSetting measures every batch size at one thread count: in
// latency mode (requests is [0]) with one session per backend, in
// throughput mode with one per backend and number of requests in
// flight, the request counts alternating round by round.
func benchSetting(ctx context.Context, m *graph.Model, fetches []string, batches []int, threads int, requests []int, o benchOptions, bar *progress,
	inputs func(batch int) (map[string]*tensor.Tensor, error)) ([]benchResult, error) {
	if threads > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
	}
	sessions := make([][]*bridge.Session, len(requests))
	defer func() {
		for _, ss := range sessions {
			for _, s := range ss {
				s.Close()
			}
		}
	}()
	for k, req := range requests {
		var opts []bridge.Option
		if threads > 0 {
			opts = append(opts, bridge.WithEngineOptions(engine.SessionOptions{IntraOpThreads: threads}))
		}
		if req > 0 {
			opts = append(opts, bridge.WithRequests(req))
		}
		sessions[k] = make([]*bridge.Session, len(o.backends))
		for i, b := range o.backends {
			var err error
			if sessions[k][i], err = newBenchSession(m, b, fetches, opts...); err != nil {
				return nil, err
			}
		}
	}
	var results []benchResult
	for _, batch := range batches {
		feeds, err := inputs(batch)
		if err != nil {
			return nil, err
		}
		runs := make([]*benchRun, len(requests))
		for k := range requests {
			runs[k] = &benchRun{ctx: ctx, o: o, sessions: sessions[k], feeds: feeds, fetches: fetches, batch: max(batch, 1), threads: threads, bar: bar}
		}
		if requests[0] == 0 {
			rs, err := runs[0].latency()
			if err != nil {
				return nil, err
			}
			results = append(results, rs...)
			continue
		}
		measured := make([][][]throughputRound, len(requests)) // [request count][round][backend]
		for round := range o.rounds {
			for k, req := range requests {
				if round == 0 {
					if err := runs[k].warm(); err != nil {
						return nil, err
					}
				}
				rs, err := runs[k].throughputRound(req)
				if err != nil {
					return nil, err
				}
				measured[k] = append(measured[k], rs)
			}
		}
		for k, req := range requests {
			results = append(results, runs[k].throughputResults(req, measured[k])...)
		}
	}
	return results, nil
}

// latency runs the backends in turn, one run at a time, iteration by
// iteration.
func (r *benchRun) latency() ([]benchResult, error) {
	times := make([][]float64, len(r.sessions))
	var ref []*tensor.Tensor
	diffs := make([]float64, len(r.sessions))
	for it := 0; it < r.o.warmup+r.o.iterations; it++ {
		for i, s := range r.sessions {
			start := time.Now()
			out, err := s.Run(r.ctx, r.feeds, r.fetches)
			if err != nil {
				return nil, fmt.Errorf("backend %s: %w", r.o.backends[i], err)
			}
			d := time.Since(start)
			if it >= r.o.warmup {
				times[i] = append(times[i], float64(d.Microseconds())/1000)
			}
			if it == 0 {
				if diffs[i], err = r.compare(i, out, &ref); err != nil {
					return nil, err
				}
			}
			r.bar.Step()
		}
	}
	results := make([]benchResult, len(r.sessions))
	for i, ts := range times {
		kept := dropOutliers(ts)
		slices.Sort(kept)
		total := 0.0
		for _, t := range kept {
			total += t
		}
		results[i] = r.result(i, kept, diffs[i])
		results[i].MeanMS = total / float64(len(kept))
		results[i].FPS = float64(len(kept)*r.batch) / (total / 1000)
	}
	speedups(results, func(b benchResult) float64 { return 1 / b.MedianMS })
	return results, nil
}

// warm runs --warmup untimed runs of each backend (at least one, which
// compares the backends' outputs).
func (r *benchRun) warm() error {
	r.diffs = make([]float64, len(r.sessions))
	var ref []*tensor.Tensor
	for i, s := range r.sessions {
		for it := 0; it < max(r.o.warmup, 1); it++ {
			out, err := s.Run(r.ctx, r.feeds, r.fetches)
			if err != nil {
				return fmt.Errorf("backend %s: %w", r.o.backends[i], err)
			}
			if it == 0 {
				if r.diffs[i], err = r.compare(i, out, &ref); err != nil {
					return err
				}
			}
			if it < r.o.warmup {
				r.bar.Step()
			}
		}
	}
	return nil
}

// throughputRound is one backend's measurement in one round: each
// request's latency (ms) and the images per second over the round.
type throughputRound struct {
	lat []float64
	fps float64
}

// throughputRound sends --iterations requests to each backend in turn,
// requests of them in flight at once (RunAsync), timing each from
// submission to answer.
func (r *benchRun) throughputRound(requests int) ([]throughputRound, error) {
	out := make([]throughputRound, len(r.sessions))
	for i, s := range r.sessions {
		lat := make([]float64, r.o.iterations)
		errs := make([]error, r.o.iterations)
		inFlight := make(chan struct{}, requests)
		var wg sync.WaitGroup
		start := time.Now()
		for k := range r.o.iterations {
			inFlight <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				_, errs[k] = s.RunAsync(r.ctx, r.feeds, r.fetches).Wait()
				lat[k] = float64(time.Since(t0).Microseconds()) / 1000
				<-inFlight
			}()
			r.bar.Step()
		}
		wg.Wait()
		wall := time.Since(start)
		if err := errors.Join(errs...); err != nil {
			return nil, fmt.Errorf("backend %s: %w", r.o.backends[i], err)
		}
		out[i] = throughputRound{lat: lat, fps: float64(len(lat)*r.batch) / wall.Seconds()}
	}
	return out, nil
}

// throughputResults folds the rounds ([round][backend]) into one result
// per backend: the median of the rounds' images/s, the percentiles of
// every request's latency.
func (r *benchRun) throughputResults(requests int, rounds [][]throughputRound) []benchResult {
	results := make([]benchResult, len(r.sessions))
	for i := range r.sessions {
		var lat, fps []float64
		for _, round := range rounds {
			lat = append(lat, round[i].lat...)
			fps = append(fps, round[i].fps)
		}
		slices.Sort(lat)
		slices.Sort(fps)
		total := 0.0
		for _, t := range lat {
			total += t
		}
		results[i] = r.result(i, lat, r.diffs[i])
		results[i].Requests = requests
		results[i].MeanMS = total / float64(len(lat))
		results[i].FPS = median(fps)
	}
	speedups(results, func(b benchResult) float64 { return b.FPS })
	return results
}

// median returns the median of sorted values (the mean of the middle two
// for an even count).
func median(sorted []float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// compare returns the largest difference of backend i's outputs from the
// first backend's, which it keeps in ref.
func (r *benchRun) compare(i int, out []*tensor.Tensor, ref *[]*tensor.Tensor) (float64, error) {
	if i == 0 {
		*ref = out
		return 0, nil
	}
	d, err := maxAbsDiff(out, *ref)
	if err != nil {
		return 0, fmt.Errorf("backend %s: %w", r.o.backends[i], err)
	}
	return d, nil
}

// result fills the fields every mode shares from sorted times.
func (r *benchRun) result(i int, sorted []float64, diff float64) benchResult {
	st := r.sessions[i].Stats()
	return benchResult{Mode: r.o.mode, Backend: r.o.backends[i], Threads: r.threads, Batch: r.batch, Iterations: len(sorted),
		MedianMS: percentile(sorted, 0.5), P50MS: percentile(sorted, 0.5), P90MS: percentile(sorted, 0.9), P99MS: percentile(sorted, 0.99),
		MaxDiff: diff, Offloaded: st.NonTrivialOffloaded, NonTrivial: st.NonTrivial}
}

// speedups sets each result's speedup: its score over the first's.
func speedups(results []benchResult, score func(benchResult) float64) {
	base := score(results[0])
	for i := range results {
		if s := score(results[i]); base > 0 && s > 0 && !math.IsInf(s, 0) {
			results[i].Speedup = s / base
		}
	}
}

func printBench(w io.Writer, results []benchResult) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	throughput := len(results) > 0 && results[0].Mode == modeThroughput
	if throughput {
		fmt.Fprintln(tw, "backend\tthreads\tbatch\trequests\tFPS\tp50 ms\tp90 ms\tp99 ms\tspeedup\tmax |diff|\toffloaded\t")
	} else {
		fmt.Fprintln(tw, "backend\tthreads\tbatch\tmedian ms\tmean ms\tp90 ms\tFPS\tspeedup\tmax |diff|\toffloaded\t")
	}
	for _, r := range results {
		th := "default"
		if r.Threads > 0 {
			th = strconv.Itoa(r.Threads)
		}
		if throughput {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.2fx\t%.2g\t%d/%d\t\n", r.Backend, th, r.Batch, r.Requests, r.FPS,
				r.P50MS, r.P90MS, r.P99MS, r.Speedup, r.MaxDiff, r.Offloaded, r.NonTrivial)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.2f\t%.2f\t%.2f\t%.1f\t%.2fx\t%.2g\t%d/%d\t\n", r.Backend, th, r.Batch, r.MedianMS, r.MeanMS,
			r.P90MS, r.FPS, r.Speedup, r.MaxDiff, r.Offloaded, r.NonTrivial)
	}
	return tw.Flush()
}

// benchCSVHeader is the CSV's first row: the JSON field names.
var benchCSVHeader = []string{"mode", "backend", "threads", "batch", "requests", "iterations", "median_ms", "mean_ms", "p50_ms",
	"p90_ms", "p99_ms", "fps", "speedup", "max_abs_diff", "offloaded", "nontrivial"}

func writeBenchCSV(w io.Writer, results []benchResult) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(benchCSVHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	for _, r := range results {
		row := []string{r.Mode, r.Backend, strconv.Itoa(r.Threads), strconv.Itoa(r.Batch), strconv.Itoa(r.Requests),
			strconv.Itoa(r.Iterations), f(r.MedianMS), f(r.MeanMS), f(r.P50MS), f(r.P90MS), f(r.P99MS), f(r.FPS), f(r.Speedup),
			f(r.MaxDiff), strconv.Itoa(r.Offloaded), strconv.Itoa(r.NonTrivial)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// plotBench draws the results as one line per backend and thread count
// (and, in throughput mode, requests in flight when the x axis is the
// batch size): FPS and latency against batch size, or against requests in
// flight in throughput mode with several of them.
func plotBench(path, model string, o benchOptions, results []benchResult) error {
	byRequests := o.mode == modeThroughput && len(o.requests) > 1
	xLabel, latLabel := "batch size", "median latency per batch, ms"
	if o.mode == modeThroughput {
		latLabel = "p50 latency per request, ms"
	}
	if byRequests {
		xLabel = "requests in flight"
	}
	var series []charts.Series
	index := map[string]int{}
	for _, r := range results {
		name := r.Backend
		if r.Threads > 0 {
			name += ", " + plural(r.Threads, "thread")
		}
		x := float64(r.Batch)
		if byRequests {
			x = float64(r.Requests)
		} else if o.mode == modeThroughput {
			name += ", " + plural(r.Requests, "request")
		}
		k, ok := index[name]
		if !ok {
			k, index[name] = len(series), len(series)
			series = append(series, charts.Series{Name: name})
		}
		s := &series[k]
		s.X, s.FPS, s.Latency = append(s.X, x), append(s.FPS, r.FPS), append(s.Latency, r.P50MS)
	}
	png, err := charts.Bench(model+" ("+o.mode+")", xLabel, latLabel, series)
	if err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	if err := fsutil.WriteAtomic(path, png, nil); err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	return nil
}

// dropOutliers removes times more than three standard deviations from
// the mean.
func dropOutliers(ts []float64) []float64 {
	if len(ts) < 3 {
		return slices.Clone(ts)
	}
	mean, sq := 0.0, 0.0
	for _, t := range ts {
		mean += t
	}
	mean /= float64(len(ts))
	for _, t := range ts {
		sq += (t - mean) * (t - mean)
	}
	sd := math.Sqrt(sq / float64(len(ts)))
	var kept []float64
	for _, t := range ts {
		if t > 0 && math.Abs(t-mean) <= 3*sd {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		return slices.Clone(ts)
	}
	return kept
}

// percentile returns the p-quantile of sorted values (nearest rank).
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

// newBenchSession makes a session of m on backend (none: the Go executor
// alone) that keeps fetches visible.
func newBenchSession(m *graph.Model, backend string, fetches []string, opts ...bridge.Option) (*bridge.Session, error) {
	opts = append([]bridge.Option{bridge.WithOutputs(fetches...)}, opts...)
	if strings.EqualFold(backend, "none") {
		opts = append(opts, bridge.WithOffload(false))
	} else {
		opts = append(opts, bridge.WithBackend(backend), bridge.WithOffload(true))
	}
	s, err := bridge.NewSession(m, opts...)
	if err != nil {
		return nil, fmt.Errorf("backend %s: %w", backend, err)
	}
	return s, nil
}

// modelLabel names a model file for a chart title: its folder and base
// name ("fc-layers/frozen.pb"), since base names such as model.json say
// little.
func modelLabel(path string) string {
	return filepath.Base(filepath.Dir(path)) + "/" + filepath.Base(path)
}
