package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/tensor"
)

const benchLong = `Bench measures MODEL's inference time on each backend, side by side in one
process, so the ratios hold even on a noisy machine: for each batch size and
backend it runs --warmup untimed iterations (these include compiling), then
--iterations timed ones, interleaving the backends iteration by iteration.
Only Run is timed, not loading or input preparation. Times more than three
standard deviations from the mean are dropped; latency is the median, FPS
is images per second over the kept runs, and speedup compares each
backend's median with the Go executor's ("none").

Inputs are random (or --input files) with unknown dimensions set to 1, or
to the batch size for the first dimension with --batch, or as given by
--input-shape. Batch sizes and dimensions must be at least 1, and a random
input may take at most 1 GiB: larger ones are refused before anything runs. Outputs of every backend are compared with the executor's
and the largest absolute difference is reported.

With --json, an array of {"backend", "batch", "iterations", "median_ms",
"mean_ms", "p90_ms", "fps", "speedup", "max_abs_diff", "offloaded",
"nontrivial"}.`

type benchOptions struct {
	backends   []string
	iterations int
	warmup     int
	batches    []int
	inputs     []string
	shapes     []string
	signature  string
	json       bool
}

func newBenchCmd() *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Use:   "bench MODEL",
		Short: "Compare inference speed on the Go executor and on offload backends",
		Long:  benchLong,
		Example: `  tfoffload bench model.json
  tfoffload bench --batch 1,2,4,8 --iterations 100 --backends none,CPU frozen.pb`,
		Args: exactArgs("MODEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.iterations < 1 || o.warmup < 0 {
				return usagef(cmd, "--iterations must be at least 1 and --warmup at least 0")
			}
			for _, b := range o.batches {
				if b < 1 {
					return usagef(cmd, "--batch %d: a batch size must be at least 1", b)
				}
			}
			if _, err := parseShapes(o.shapes); err != nil {
				return usagef(cmd, "%v", err)
			}
			return benchModel(cmd.Context(), cmd.OutOrStdout(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.backends, "backends", []string{"none", "CPU"}, "backends to compare; none is the Go executor alone")
	f.IntVar(&o.iterations, "iterations", 30, "timed runs per backend and batch size")
	f.IntVar(&o.warmup, "warmup", 3, "untimed runs first (compilation happens here)")
	f.IntSliceVar(&o.batches, "batch", nil, "batch sizes to sweep, each at least 1 (sets the first dimension of inputs whose first dimension is unknown)")
	f.StringArrayVar(&o.inputs, "input", nil, "NAME=FILE.npy or NAME=@FILE (repeatable; default: random inputs)")
	f.StringArrayVar(&o.shapes, "input-shape", nil, "NAME=D0,D1,...: shape of an input with unknown dimensions (positive dimensions)")
	f.StringVar(&o.signature, "signature", "", "signature to run (default: serving_default or the only one)")
	f.BoolVar(&o.json, "json", false, "print JSON")
	return cmd
}

type benchResult struct {
	Backend    string  `json:"backend"`
	Batch      int     `json:"batch"`
	Iterations int     `json:"iterations"`
	MedianMS   float64 `json:"median_ms"`
	MeanMS     float64 `json:"mean_ms"`
	P90MS      float64 `json:"p90_ms"`
	FPS        float64 `json:"fps"`
	Speedup    float64 `json:"speedup"`
	MaxDiff    float64 `json:"max_abs_diff"`
	Offloaded  int     `json:"offloaded"`
	NonTrivial int     `json:"nontrivial"`
}

func benchModel(ctx context.Context, w io.Writer, path string, o benchOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	m, implied, err := openModel(path, nil)
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
	shapes, err := parseShapes(o.shapes)
	if err != nil {
		return err
	}
	for _, batch := range batches { // refuse every bad size before compiling anything
		if _, _, err := planInputs(m, sig, o.inputs, shapes, batch); err != nil {
			return err
		}
	}
	sessions := make([]*bridge.Session, len(o.backends))
	for i, b := range o.backends {
		opts := append(slices.Clone(implied), bridge.WithOutputs(fetches...))
		if strings.EqualFold(b, "none") {
			opts = append(opts, bridge.WithOffload(false))
		} else {
			opts = append(opts, bridge.WithBackend(b), bridge.WithOffload(true))
		}
		if sessions[i], err = bridge.NewSession(m, opts...); err != nil {
			return fmt.Errorf("backend %s: %w", b, err)
		}
		defer sessions[i].Close()
	}
	var results []benchResult
	for _, batch := range batches {
		feeds, err := generateInputs(m, sig, o.inputs, shapes, batch)
		if err != nil {
			return err
		}
		rs, err := benchBatch(ctx, sessions, o, feeds, fetches, max(batch, 1))
		if err != nil {
			return err
		}
		results = append(results, rs...)
	}
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "backend\tbatch\tmedian ms\tmean ms\tp90 ms\tFPS\tspeedup\tmax |diff|\toffloaded\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t%.1f\t%.2fx\t%.2g\t%d/%d\t\n", r.Backend, r.Batch, r.MedianMS, r.MeanMS, r.P90MS, r.FPS, r.Speedup, r.MaxDiff, r.Offloaded, r.NonTrivial)
	}
	return tw.Flush()
}

func benchBatch(ctx context.Context, sessions []*bridge.Session, o benchOptions, feeds map[string]*tensor.Tensor, fetches []string, batch int) ([]benchResult, error) {
	times := make([][]float64, len(sessions))
	var ref []*tensor.Tensor
	diffs := make([]float64, len(sessions))
	for it := 0; it < o.warmup+o.iterations; it++ {
		for i, s := range sessions {
			start := time.Now()
			out, err := s.Run(ctx, feeds, fetches)
			if err != nil {
				return nil, fmt.Errorf("backend %s: %w", o.backends[i], err)
			}
			d := time.Since(start)
			if it >= o.warmup {
				times[i] = append(times[i], float64(d.Microseconds())/1000)
			}
			if it == 0 {
				if i == 0 {
					ref = out
				} else if diffs[i], err = maxAbsDiff(out, ref); err != nil {
					return nil, fmt.Errorf("backend %s: %w", o.backends[i], err)
				}
			}
		}
	}
	results := make([]benchResult, len(sessions))
	for i, ts := range times {
		kept := dropOutliers(ts)
		slices.Sort(kept)
		total := 0.0
		for _, t := range kept {
			total += t
		}
		st := sessions[i].Stats()
		results[i] = benchResult{Backend: o.backends[i], Batch: batch, Iterations: len(kept), MedianMS: percentile(kept, 0.5),
			MeanMS: total / float64(len(kept)), P90MS: percentile(kept, 0.9), FPS: float64(len(kept)*batch) / (total / 1000),
			MaxDiff: diffs[i], Offloaded: st.NonTrivialOffloaded, NonTrivial: st.NonTrivial}
	}
	for i := range results {
		if results[i].MedianMS > 0 {
			results[i].Speedup = results[0].MedianMS / results[i].MedianMS
		}
	}
	return results, nil
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
