package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/dataset"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/quantize"
	"github.com/tfoffload/tfoffload/quantize/ptq"
	"github.com/tfoffload/tfoffload/tensor"
)

const quantizeLong = `Quantize writes OUT, a folder holding MODEL and a plan that quantizes its
offloaded clusters whenever they compile; tfoffload run and bench, and
bridge.LoadSession, load OUT like any model. OUT/onnx/ holds each
quantized cluster as a standalone .onnx file.

Modes:
  int8          static INT8 in ONNX's QuantizeLinear/DequantizeLinear form:
                activations uint8 with ranges calibrated on --calib, weights
                int8 per channel, so ONNX Runtime runs integer kernels
  int8-dynamic  MatMul weights int8, activations quantized at run time (no
                calibration)
  fp16          weights stored as float16 (half the size, same speed)

int8 rounds the weights by GPTQ (--rounding gptq): each layer's weights are
rounded one input at a time, and each rounding error is moved onto the
weights not yet rounded as the calibration inputs' covariance says, so that
the layer's output, not each weight, changes least. It costs calibration
time (about 0.1 s a calibration input on MobileNetV2) and nothing at run
time. Layers of more than 2304 inputs an output round to nearest, as
--rounding nearest rounds every layer.

--calib DIR (int8) and --data DIR take a folder per class, a folder of
files, or a CSV of file,label rows; images (.jpg, .png) are preprocessed as
--preset says (sized to the model's input), .wav and .npy files are fed as
they are. With --max-drop (accuracy-aware mode) the metric is measured on
--data — accuracy when every file has a label (names through --labels, or
class indexes), else the top-1 agreement with the float32 model — and the
layers that cost the most are reverted to float32 until it drops by at most
--max-drop; a bound only reverting every layer meets is an error. With
--data alone the metric is measured and reported. Use data not used for
calibration.

OUT is written to a temporary folder beside it and renamed into place, so it
is whole or absent; an existing OUT is refused. The same MODEL and inputs
give the same files.`

type quantizeOptions struct {
	mode, method  string
	rounding      string
	calib, data   string
	maxDrop       string
	preset        string
	labels        string
	input, output string
	limit         int
}

func newQuantizeCmd() *cobra.Command {
	var o quantizeOptions
	cmd := &cobra.Command{
		Use:   "quantize MODEL OUT",
		Short: "Quantize a model's offloaded clusters to INT8 or FP16",
		Long:  quantizeLong,
		Example: `  tfoffload quantize model.json model-int8 --calib photos/ --preset mobilenet.json
  tfoffload quantize model.json model-int8 --calib calib/ --data val/ --max-drop 1% --labels labels.txt
  tfoffload quantize frozen.pb model-fp16 --mode fp16`,
		Args: exactArgs("MODEL", "OUT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return quantizeModel(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], args[1], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.mode, "mode", string(quantize.Int8), "int8, int8-dynamic or fp16")
	f.StringVar(&o.method, "calib-method", string(quantize.MinMax), "how calibration picks ranges: minmax, percentile or entropy")
	f.StringVar(&o.rounding, "rounding", string(quantize.GPTQ), "how int8 rounds weights: gptq or nearest")
	f.StringVar(&o.calib, "calib", "", "calibration inputs (int8): a folder per class, a folder of files, or a CSV")
	f.StringVar(&o.data, "data", "", "inputs to measure the metric on (not the calibration ones)")
	f.StringVar(&o.maxDrop, "max-drop", "", "largest drop of the metric allowed, as 1% or 0.01; reverts layers to float32 until it holds")
	f.StringVar(&o.preset, "preset", "", "JSON file of image preprocessing settings (see tfoffload accuracy)")
	f.StringVar(&o.labels, "labels", "", "class names in the order of the model's scores, one a line")
	f.StringVar(&o.input, "input", "", "input to feed (default: the model's only input)")
	f.StringVar(&o.output, "output", "", "output holding the scores (default: the model's first output)")
	f.IntVar(&o.limit, "calib-limit", 0, "use only the first N calibration inputs (0: all)")
	return cmd
}

// parseMaxDrop reads "1%" or "0.01" as a fraction; "" is -1 (off).
func parseMaxDrop(s string) (float64, error) {
	if s == "" {
		return -1, nil
	}
	scale := 1.0
	if t, ok := strings.CutSuffix(s, "%"); ok {
		s, scale = t, 0.01
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v*scale > 1 || v != v {
		return 0, fmt.Errorf("--max-drop %q: want a fraction like 0.01 or a percentage like 1%%", s)
	}
	return v * scale, nil
}

func quantizeModel(ctx context.Context, stdout, stderr io.Writer, path, out string, o quantizeOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	mode, err := quantize.ParseMode(o.mode)
	if err != nil {
		return flagErrorf("--mode: %v", err)
	}
	method, err := quantize.ParseMethod(o.method)
	if err != nil {
		return flagErrorf("--calib-method: %v", err)
	}
	rounding, err := quantize.ParseRounding(o.rounding)
	if err != nil {
		return flagErrorf("--rounding: %v", err)
	}
	maxDrop, err := parseMaxDrop(o.maxDrop)
	if err != nil {
		return flagErrorf("%v", err)
	}
	switch {
	case mode == quantize.Int8 && o.calib == "":
		return flagErrorf("--calib: int8 needs calibration inputs (or use --mode int8-dynamic or fp16)")
	case maxDrop >= 0 && o.data == "":
		return flagErrorf("--max-drop needs --data to measure on")
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%s already exists; quantize writes a new folder", out)
	}
	if quantize.IsQuantized(path) {
		return fmt.Errorf("%s is already quantized; give the original model", path)
	}
	m, err := graph.Load(path)
	if err != nil {
		return err
	}
	input, fetch, err := quantizeIO(m, o)
	if err != nil {
		return err
	}
	prep, err := quantizePreprocess(o.preset, input)
	if err != nil {
		return err
	}
	cfg := ptq.Config{Mode: mode, Method: method, Rounding: rounding, MaxDrop: maxDrop, Fetch: fetch, Options: []bridge.Option{bridge.WithOutputs(fetch)}}
	if o.calib != "" && mode == quantize.Int8 {
		set, err := openSet("--calib", o.calib)
		if err != nil {
			return err
		}
		if o.limit > 0 && len(set.Samples) > o.limit {
			set.Samples = set.Samples[:o.limit]
		}
		for _, s := range set.Samples {
			t, err := dataset.Load(s.Path, prep)
			if err != nil {
				return fmt.Errorf("--calib: %w", err)
			}
			cfg.Calib = append(cfg.Calib, map[string]*tensor.Tensor{input.Name: t})
		}
	}
	if o.data != "" {
		if cfg.Data, err = quantizeData(o, input.Name, prep); err != nil {
			return err
		}
		if maxDrop < 0 {
			cfg.MaxDrop = 1 // measure and report, revert nothing
		}
	}
	if len(cfg.Calib) == 0 && len(cfg.Data) == 0 {
		// int8-dynamic and fp16 need no real input, only one of the
		// right shape to compile the clusters with.
		if cfg.Example, err = generateInputs(m, m.DefaultSignature(), nil, nil, 0); err != nil {
			return err
		}
	}
	bar := newStagesProgress(stderr)
	cfg.Progress = bar.Set
	res, err := ptq.Quantize(ctx, m, cfg)
	bar.Finish()
	if err != nil {
		return err
	}
	if maxDrop < 0 && res.Plan.Metric != nil {
		res.Plan.Metric.MaxDrop = -1
	}
	if err := quantize.Write(out, quantize.Output{Plan: res.Plan, Model: path, ONNX: res.ONNX}); err != nil {
		return err
	}
	return printQuantized(stdout, out, res)
}

// quantizeIO chooses the input to feed and the output to score.
func quantizeIO(m *graph.Model, o quantizeOptions) (graph.TensorInfo, string, error) {
	ins, outs := m.Inputs(), m.Outputs()
	var input graph.TensorInfo
	switch {
	case o.input != "":
		found := false
		for _, in := range ins {
			if in.Name == o.input || in.Key == o.input || strings.TrimSuffix(in.Name, ":0") == o.input {
				input, found = in, true
			}
		}
		if !found {
			return input, "", flagErrorf("--input %s: not an input of %s", o.input, m.Path)
		}
	case len(ins) == 1:
		input = ins[0]
	default:
		return input, "", flagErrorf("--input: %s has %d inputs; name the one to feed", m.Path, len(ins))
	}
	fetch := o.output
	if fetch == "" {
		if len(outs) == 0 {
			return input, "", fmt.Errorf("%s declares no outputs; name the scores with --output", m.Path)
		}
		fetch = outs[0].Name
	}
	return input, fetch, nil
}

func quantizePreprocess(preset string, input graph.TensorInfo) (dataset.Preprocess, error) {
	var prep dataset.Preprocess
	if preset != "" {
		var err error
		if prep, err = dataset.ReadPreset(preset); err != nil {
			return prep, fmt.Errorf("--preset: %w", err)
		}
	}
	prep, err := prep.WithSize(input.Shape, input.DType)
	if err != nil {
		return prep, fmt.Errorf("--preset: %w", err)
	}
	return prep, nil
}

func openSet(flag, dir string) (*dataset.Set, error) {
	set, err := dataset.Open(dir)
	if errors.Is(err, dataset.ErrEmpty) {
		return nil, fmt.Errorf("%s %s: no usable files (%s)", flag, dir, strings.Join(dataset.Extensions, ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return set, nil
}

// quantizeData loads --data with its labels (all, or none: a partly
// labelled set counts as unlabelled).
func quantizeData(o quantizeOptions, input string, prep dataset.Preprocess) ([]ptq.Sample, error) {
	set, err := openSet("--data", o.data)
	if err != nil {
		return nil, err
	}
	classes := make([]int, len(set.Samples))
	for i := range classes {
		classes[i] = -1
	}
	if set.Labelled() == len(set.Samples) {
		var names []string
		if o.labels != "" {
			if names, err = dataset.ReadLabels(o.labels); err != nil {
				return nil, fmt.Errorf("--labels: %w", err)
			}
		}
		if classes, err = set.Classes(names, 0); err != nil {
			return nil, fmt.Errorf("--data: %w", err)
		}
	}
	out := make([]ptq.Sample, len(set.Samples))
	for i, s := range set.Samples {
		t, err := dataset.Load(s.Path, prep)
		if err != nil {
			return nil, fmt.Errorf("--data: %w", err)
		}
		out[i] = ptq.Sample{Feeds: map[string]*tensor.Tensor{input: t}, Label: classes[i]}
	}
	return out, nil
}

func printQuantized(w io.Writer, out string, res *ptq.Result) error {
	p := res.Plan
	n := 0
	for _, l := range res.Layers {
		n += len(l)
	}
	what := "layers"
	if p.Mode == quantize.FP16 {
		what = "weights"
	}
	fmt.Fprintf(w, "wrote %s: %s, %d %s quantized in %d cluster(s)", out, p.Mode, n, what, len(res.Layers))
	if p.Method != "" {
		fmt.Fprintf(w, ", calibration %s", p.Method)
	}
	switch p.Rounding {
	case quantize.GPTQ:
		rounded := 0
		for _, c := range p.Clusters {
			rounded += len(c.Weights)
		}
		fmt.Fprintf(w, ", weights of %d layers rounded by gptq", rounded)
	case quantize.Nearest:
		fmt.Fprintf(w, ", weights rounded to nearest")
	}
	fmt.Fprintln(w)
	if r := p.Metric; r != nil {
		fmt.Fprintf(w, "%s on %d inputs: float32 %.2f%%, quantized %.2f%%", r.Name, r.Inputs, 100*r.FP32, 100*r.Initial)
		if r.Reverted > 0 {
			fmt.Fprintf(w, ", %.2f%% after reverting %d of %d layers", 100*r.Final, r.Reverted, r.Layers)
		}
		fmt.Fprintln(w)
	}
	for _, l := range p.Reverted {
		fmt.Fprintf(w, "reverted to float32: %s\n", l)
	}
	_, err := fmt.Fprintf(w, "run it: tfoffload run %s ...\n", out)
	return err
}
