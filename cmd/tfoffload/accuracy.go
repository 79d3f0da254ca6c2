package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/dataset"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/charts"
	"github.com/tfoffload/tfoffload/internal/fsutil"
	"github.com/tfoffload/tfoffload/metrics"
	"github.com/tfoffload/tfoffload/tensor"
)

const accuracyLong = `Accuracy runs MODEL on labelled data and reports top-1 and top-5 accuracy
on each backend, side by side, and how often each backend's top-1 class
agrees with the Go executor's ("none", which always runs: it is the FP32
reference). --compare adds another model (a quantized one, say) on the same
backends; a folder tfoffload quantize wrote runs on the offloading backends
only (its plan quantizes offloaded clusters: on the executor it would be
the float32 model again). Without labels it reports agreement only, and says so.

Data (--data): a folder with one sub-folder per class, a folder of files
without classes, or a CSV of file,label rows (files relative to the CSV).
Files: .jpg, .jpeg and .png images, .wav recordings (fed as the string of
their bytes, as keyword-spotting models take them) and .npy arrays (fed as
they are). --labels names the classes in the order of the model's scores,
one a line; without it labels must be class indexes.

Images are preprocessed as TensorFlow would: decoded to 8-bit RGB (or
luminance), optionally center-cropped, resized with tf.image.resize's
half-pixel centers by the executor's own resize kernels, then value =
(pixel x --scale - --mean) / --std per channel, in --order and --layout,
as the input's dtype. The size comes from the model's input unless given.
--preset reads the same settings from a JSON file ({"height", "width",
"channels", "order", "crop", "resize", "scale", "mean", "std", "layout",
"dtype"}); flags override it.

The model's output is read as class scores (the last dimension) or, for an
integer output, as the predicted class (top-5 is then not reported).
--plot writes the reference's confusion matrix as a PNG (labelled data
only). Files are written whole or not at all.

With --json: {"data", "samples", "labelled", "classes", "agreement_only",
"reference", "results": [{"model", "backend", "top1", "top5", "agree",
"agreement", "confusion"}]}; top1, top5 and confusion are absent without
labels, top5 for integer outputs.`

type accuracyOptions struct {
	data, labels, compare, preset, plot string
	backends                            []string
	input, output, signature            string
	inputShape                          []int
	limit                               int
	json                                bool
	prep                                dataset.Preprocess
	flags                               *pflag.FlagSet
}

func newAccuracyCmd() *cobra.Command {
	var o accuracyOptions
	cmd := &cobra.Command{
		Use:   "accuracy MODEL --data DIR|CSV",
		Short: "Measure top-1/top-5 accuracy and agreement with the Go executor on labelled data",
		Long:  accuracyLong,
		Example: `  tfoffload accuracy kws/DS_CNN_S.pb --data clips.csv --labels kws/labels.txt
  tfoffload accuracy model.json --data photos/ --labels labels.txt --scale 0.00392156862745098 --plot confusion.png
  tfoffload accuracy model.json --data photos/ --compare model_int8.pb --json`,
		Args: exactArgs("MODEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.data == "" {
				return usagef(cmd, "--data is required")
			}
			if o.limit < 0 {
				return usagef(cmd, "--limit %d: want 0 (all) or more", o.limit)
			}
			for _, d := range o.inputShape {
				if d < 1 {
					return usagef(cmd, "--input-shape: dimension %d is not positive", d)
				}
			}
			o.flags = cmd.Flags()
			return accuracyModel(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.data, "data", "", "labelled data: a folder per class, a folder of files, or a CSV of file,label rows")
	f.StringVar(&o.labels, "labels", "", "class names in the order of the model's scores, one a line")
	f.StringSliceVar(&o.backends, "backend", []string{"none", "CPU"}, "backends to compare (none, the Go executor, always runs as the reference)")
	f.StringVar(&o.compare, "compare", "", "a second model (a quantized one) to run on the same backends")
	f.StringVar(&o.preset, "preset", "", "JSON file of preprocessing settings; flags override it")
	f.StringVar(&o.plot, "plot", "", "write the reference's confusion matrix to this PNG file")
	f.StringVar(&o.input, "input", "", "input to feed (default: the model's only input)")
	f.StringVar(&o.output, "output", "", "output holding the scores (default: the model's first output)")
	f.StringVar(&o.signature, "signature", "", "signature to run (default: serving_default or the only one)")
	f.IntSliceVar(&o.inputShape, "input-shape", nil, "reshape every example to D0,D1,... (for a model taking flattened pixels, say)")
	f.IntVar(&o.limit, "limit", 0, "use only the first N samples (0: all)")
	f.BoolVar(&o.json, "json", false, "print JSON")
	f.IntVar(&o.prep.Height, "height", 0, "image height (default: the input's)")
	f.IntVar(&o.prep.Width, "width", 0, "image width (default: the input's)")
	f.IntVar(&o.prep.Channels, "channels", 0, "3 (RGB) or 1 (luminance) (default: the input's, else 3)")
	f.StringVar(&o.prep.Order, "order", "", "channel order: RGB or BGR (default RGB)")
	f.StringVar(&o.prep.Crop, "crop", "", "center: crop the largest central square before resizing")
	f.StringVar(&o.prep.Resize, "resize", "", "bilinear, nearest, bicubic or area (default bilinear)")
	f.Float64Var(&o.prep.Scale, "scale", 0, "multiply each 8-bit value by this (default 1; 0.00392156862745098 for 0..1)")
	f.Float64SliceVar(&o.prep.Mean, "mean", nil, "subtract after scaling: one value, or one per channel")
	f.Float64SliceVar(&o.prep.Std, "std", nil, "then divide by: one value, or one per channel")
	f.StringVar(&o.prep.Layout, "layout", "", "NHWC or NCHW (default NHWC)")
	return cmd
}

// preprocessing merges --preset and the preprocessing flags set on the
// command line, which win.
func (o accuracyOptions) preprocessing() (dataset.Preprocess, error) {
	p := dataset.Preprocess{}
	if o.preset != "" {
		var err error
		if p, err = dataset.ReadPreset(o.preset); err != nil {
			return p, flagErrorf("--preset %s: %w", o.preset, err)
		}
	}
	set := func(name string) bool { return o.flags != nil && o.flags.Changed(name) }
	for name, apply := range map[string]func(){
		"height": func() { p.Height = o.prep.Height }, "width": func() { p.Width = o.prep.Width },
		"channels": func() { p.Channels = o.prep.Channels }, "order": func() { p.Order = o.prep.Order },
		"crop": func() { p.Crop = o.prep.Crop }, "resize": func() { p.Resize = o.prep.Resize },
		"scale": func() { p.Scale = o.prep.Scale }, "mean": func() { p.Mean = o.prep.Mean },
		"std": func() { p.Std = o.prep.Std }, "layout": func() { p.Layout = o.prep.Layout },
	} {
		if set(name) {
			apply()
		}
	}
	n, err := p.Normalized()
	if err != nil {
		return n, flagErrorf("preprocessing flags: %w", err)
	}
	return n, nil
}

// accuracyColumn is one model on one backend.
type accuracyColumn struct {
	model   *accuracyModelRun
	backend string
	sess    *bridge.Session
	preds   [][]int
}

// accuracyModelRun is one model with what feeding it takes.
type accuracyModelRun struct {
	path   string
	opts   []bridge.Option // what the model's folder implies (a quantization plan)
	input  graph.TensorInfo
	fetch  string
	prep   dataset.Preprocess
	reused bool // takes the same tensors as the model before it
}

type accuracyResult struct {
	Model     string   `json:"model"`
	Backend   string   `json:"backend"`
	Top1      *float64 `json:"top1,omitempty"`
	Top5      *float64 `json:"top5,omitempty"`
	Agree     int      `json:"agree"`
	Agreement float64  `json:"agreement"`
	Confusion [][]int  `json:"confusion,omitempty"`
}

type accuracyReport struct {
	Data          string           `json:"data"`
	Samples       int              `json:"samples"`
	Labelled      int              `json:"labelled"`
	Classes       int              `json:"classes"`
	AgreementOnly bool             `json:"agreement_only"`
	Reference     string           `json:"reference"`
	Results       []accuracyResult `json:"results"`
}

func accuracyModel(ctx context.Context, stdout, stderr io.Writer, path string, o accuracyOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	prep, err := o.preprocessing()
	if err != nil {
		return err
	}
	set, err := dataset.Open(o.data)
	if err != nil {
		return fmt.Errorf("--data: %w", err)
	}
	if o.limit > 0 && o.limit < len(set.Samples) {
		set.Samples = set.Samples[:o.limit]
	}
	var labels []string
	if o.labels != "" {
		if labels, err = dataset.ReadLabels(o.labels); err != nil {
			return fmt.Errorf("--labels: %w", err)
		}
	}
	classes, err := set.Classes(labels, 0)
	if err != nil {
		return fmt.Errorf("--data: %w", err)
	}
	if o.plot != "" && set.Labelled() == 0 {
		return flagErrorf("--plot %s: the data has no labels, so there is no confusion matrix to draw", o.plot)
	}

	backends := []string{"none"}
	for _, b := range o.backends {
		if !strings.EqualFold(b, "none") {
			backends = append(backends, b)
		}
	}
	paths := []string{path}
	if o.compare != "" {
		paths = append(paths, o.compare)
	}
	var cols []*accuracyColumn
	defer func() {
		for _, c := range cols {
			c.sess.Close()
		}
	}()
	var prev *accuracyModelRun
	for _, p := range paths {
		mr, m, err := prepareAccuracyModel(p, o, prep)
		if err != nil {
			return err
		}
		mr.reused = prev != nil && prev.input.DType == mr.input.DType && fmt.Sprint(prev.prep) == fmt.Sprint(mr.prep)
		prev = mr
		for _, b := range backends {
			if len(mr.opts) > 0 && b == "none" {
				continue // a quantized folder's plan applies to offloaded clusters only: on the executor it is float32
			}
			s, err := newBenchSession(m, b, []string{mr.fetch}, mr.opts...)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			cols = append(cols, &accuracyColumn{model: mr, backend: b, sess: s, preds: make([][]int, 0, len(set.Samples))})
		}
	}

	bar := newProgress(stderr, "accuracy", len(set.Samples))
	width := 0 // classes the scores hold
	for _, sample := range set.Samples {
		inputs := map[*accuracyModelRun]*tensor.Tensor{}
		var last *tensor.Tensor
		for _, c := range cols {
			x, ok := inputs[c.model]
			if !ok {
				if c.model.reused && last != nil {
					x = last
				} else if x, err = loadExample(sample.Path, c.model, o.inputShape); err != nil {
					return err
				}
				inputs[c.model], last = x, x
			}
			ranked, scores, err := predict(ctx, c.sess, c.model, x)
			if err != nil {
				return fmt.Errorf("%s on %s: %s: %w", c.model.path, c.backend, sample.Path, err)
			}
			width = max(width, scores)
			c.preds = append(c.preds, ranked)
		}
		bar.Step()
	}
	bar.Finish()

	rep, err := accuracyTally(set, classes, labels, width, cols)
	if err != nil {
		return err
	}
	rep.Data = o.data
	if o.plot != "" {
		ref := rep.Results[0]
		title := fmt.Sprintf("%s on %s: top-1 %.1f%% of %d", modelLabel(path), ref.Backend, 100**ref.Top1, rep.Labelled)
		png, err := charts.Confusion(title, ref.Confusion, labels)
		if err != nil {
			return fmt.Errorf("--plot: %w", err)
		}
		if err := fsutil.WriteAtomic(o.plot, png, nil); err != nil {
			return fmt.Errorf("--plot: %w", err)
		}
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return printAccuracy(stdout, rep)
}

// prepareAccuracyModel loads a model (or the folder tfoffload quantize
// writes) and chooses its input, its scores output and the preprocessing
// its input takes.
func prepareAccuracyModel(path string, o accuracyOptions, prep dataset.Preprocess) (*accuracyModelRun, *graph.Model, error) {
	m, implied, err := openModel(path, nil)
	if err != nil {
		return nil, nil, err
	}
	sig, err := chooseSignature(m, o.signature)
	if err != nil {
		return nil, nil, err
	}
	mr := &accuracyModelRun{path: path, opts: implied}
	ins := m.InputsOf(sig)
	switch {
	case o.input != "":
		if mr.input, err = resolveName(m, ins, o.input); err != nil {
			return nil, nil, flagErrorf("--input %s: %w", o.input, err)
		}
	case len(ins) == 1:
		mr.input = ins[0]
	default:
		names := make([]string, len(ins))
		for i, in := range ins {
			names[i] = in.Name
		}
		return nil, nil, flagErrorf("%s has %d inputs (%s): choose one with --input", path, len(ins), strings.Join(names, ", "))
	}
	var outs []string
	if o.output != "" {
		outs = []string{o.output}
	}
	fetches, _, err := chooseFetches(m, sig, outs)
	if err != nil {
		return nil, nil, err
	}
	mr.fetch = fetches[0]
	if mr.prep, err = prep.WithSize(mr.input.Shape, mr.input.DType); err != nil {
		return nil, nil, flagErrorf("%s: input %s: %w", path, mr.input.Name, err)
	}
	return mr, m, nil
}

// predict runs one example x through sess and returns its classes, best
// first (at most metrics.K), and how many scores the output held (0 for
// an output of class indexes).
func predict(ctx context.Context, sess *bridge.Session, mr *accuracyModelRun, x *tensor.Tensor) ([]int, int, error) {
	out, err := sess.Run(ctx, map[string]*tensor.Tensor{mr.input.Name: x}, []string{mr.fetch})
	if err != nil {
		return nil, 0, err
	}
	ranked, err := metrics.Rank(out[0], 1, metrics.K)
	if err != nil {
		return nil, 0, fmt.Errorf("output %s: %w", mr.fetch, err)
	}
	if out[0].DType().IsFloat() {
		return ranked[0], out[0].NumElements(), nil
	}
	return ranked[0], 0, nil
}

// loadExample reads one sample as mr's input: preprocessed, reshaped by
// --input-shape, and checked against the input's dtype.
func loadExample(path string, mr *accuracyModelRun, shape []int) (*tensor.Tensor, error) {
	x, err := dataset.Load(path, mr.prep)
	if err != nil {
		return nil, err
	}
	if shape != nil {
		if x, err = x.Reshape(shape); err != nil {
			return nil, fmt.Errorf("%s: --input-shape %s: %w", path, intsString(shape), err)
		}
	}
	if want := mr.input.DType; want != tensor.Invalid && x.DType() != want {
		return nil, fmt.Errorf("%s: the model's input %s is %v, the file gives %v", path, mr.input.Name, want, x.DType())
	}
	return x, nil
}

func intsString(v []int) string {
	s := make([]string, len(v))
	for i, d := range v {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s, ",")
}

// accuracyTally scores every column: accuracy over the labelled samples,
// agreement with the first column (the reference) over all.
func accuracyTally(set *dataset.Set, classes []int, labels []string, width int, cols []*accuracyColumn) (*accuracyReport, error) {
	rep := &accuracyReport{Samples: len(set.Samples), Labelled: set.Labelled(), AgreementOnly: set.Labelled() == 0,
		Reference: cols[0].model.path + " on " + cols[0].backend}
	n := len(labels)
	if n == 0 {
		n = width
	}
	if n == 0 { // class outputs and index labels: as many classes as seen
		for i, c := range classes {
			n = max(n, c+1)
			for _, col := range cols {
				n = max(n, col.preds[i][0]+1)
			}
		}
	}
	rep.Classes = n
	for _, col := range cols {
		same, r, err := metrics.Agreement(col.preds, cols[0].preds)
		if err != nil {
			return nil, err
		}
		res := accuracyResult{Model: col.model.path, Backend: col.backend, Agree: same, Agreement: r}
		if !rep.AgreementOnly {
			t := metrics.NewTally(n)
			for i, c := range classes {
				if err := t.Add(c, col.preds[i]); err != nil {
					return nil, fmt.Errorf("%s: %s on %s: %w", set.Samples[i].Path, col.model.path, col.backend, err)
				}
			}
			top1 := t.Top1Rate()
			res.Top1, res.Confusion = &top1, t.Confusion
			if t.HasTop5() {
				top5 := t.Top5Rate()
				res.Top5 = &top5
			}
		}
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}

func printAccuracy(w io.Writer, rep *accuracyReport) error {
	fmt.Fprintf(w, "data: %s, %d samples, %d labelled, %d classes\n", rep.Data, rep.Samples, rep.Labelled, rep.Classes)
	fmt.Fprintf(w, "reference: %s\n", rep.Reference)
	if rep.AgreementOnly {
		fmt.Fprintln(w, "no labels: agreement only")
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := "model\tbackend\t"
	if !rep.AgreementOnly {
		head += "top-1\ttop-5\t"
	}
	fmt.Fprintln(tw, head+"agrees with reference\t")
	pct := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf("%.1f%%", 100**v)
	}
	for _, r := range rep.Results {
		row := filepath.Base(r.Model) + "\t" + r.Backend + "\t"
		if !rep.AgreementOnly {
			row += pct(r.Top1) + "\t" + pct(r.Top5) + "\t"
		}
		fmt.Fprintf(tw, "%s%d/%d (%.1f%%)\t\n", row, r.Agree, rep.Samples, 100*r.Agreement)
	}
	return tw.Flush()
}
