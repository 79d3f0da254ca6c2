package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/clusters"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/fsutil"
	"github.com/tfoffload/tfoffload/offload"
	"github.com/tfoffload/tfoffload/tensor"
)

const convertLong = `Convert translates MODEL into one ONNX model, OUT.onnx, when every node its
outputs need can be translated; otherwise it names the nodes that cannot.
With --clusters DIR it also writes the ONNX model of each cluster the
partitioner would offload (DIR/cluster_<id>_<n>.onnx), which works for any
model. A SavedModel with variables is frozen first, as bridge freezes it
on load: variables become their checkpoint values and function calls are
inlined.

The ONNX model is built for concrete input shapes: an input's unknown
dimensions are 1 unless --input-shape NAME=D0,D1,... gives them (NAME: a
signature key or tensor name), and values derived from shapes are folded in.
Inputs are fed random values (or --input files, as for run) to learn every
tensor's shape; the converted model is then checked against the Go executor
on those inputs: float outputs must agree within rtol 1e-3/atol 1e-4, others
exactly, or convert fails and leaves OUT.onnx unwritten (it writes a
temporary file beside it and renames it only when the check passes). The
largest difference is printed. The same MODEL and flags give the same bytes
every run.`

type convertOptions struct {
	clusters  string
	signature string
	inputs    []string
	shapes    []string
	tags      []string
}

func newConvertCmd() *cobra.Command {
	var o convertOptions
	cmd := &cobra.Command{
		Use:   "convert MODEL OUT.onnx",
		Short: "Translate a model (or its offloadable clusters) to ONNX",
		Long:  convertLong,
		Example: `  tfoffload convert model.json model.onnx
  tfoffload convert --input-shape input=8,224,224,3 frozen.pb model.onnx
  tfoffload convert --clusters clusters/ handtrack.json handtrack.onnx`,
		Args: exactArgs("MODEL", "OUT.onnx"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return convertModel(cmd.Context(), cmd.OutOrStdout(), args[0], args[1], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.clusters, "clusters", "", "also write each offloadable cluster's ONNX model into DIR")
	f.StringVar(&o.signature, "signature", "", "signature to convert (default: serving_default or the only one)")
	f.StringArrayVar(&o.inputs, "input", nil, "NAME=FILE.npy or NAME=@FILE: a value to feed instead of random data (repeatable)")
	f.StringArrayVar(&o.shapes, "input-shape", nil, "NAME=D0,D1,...: the shape of an input with unknown dimensions (repeatable)")
	f.StringSliceVar(&o.tags, "tags", nil, "SavedModel tag set (default: serve)")
	return cmd
}

func convertModel(ctx context.Context, w io.Writer, path, out string, o convertOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	m, err := loadModel(path, o.tags)
	if err != nil {
		return err
	}
	// Variables become constants, calls are inlined, as bridge does on load.
	if m, err = bridge.Freeze(m); err != nil {
		return err
	}
	sig, err := chooseSignature(m, o.signature)
	if err != nil {
		return err
	}
	feeds, err := modelInputs(m, sig, o.inputs, o.shapes)
	if err != nil {
		return err
	}
	fetches, _, err := chooseFetches(m, sig, nil)
	if err != nil {
		return err
	}
	if o.clusters != "" {
		if err := writeClusters(ctx, w, m, feeds, fetches, o.clusters); err != nil {
			return err
		}
	}
	// Sorted, so the model's inputs come in the same order every run.
	names := slices.Sorted(maps.Keys(feeds))
	values := make([]*tensor.Tensor, len(names))
	for i, name := range names {
		values[i] = feeds[name]
	}
	cl, err := clusters.WholeGraph(m.Graph, names, fetches)
	if err != nil {
		var ue *clusters.UnsupportedError
		if errors.As(err, &ue) && o.clusters == "" {
			return fmt.Errorf("%w (use --clusters DIR to write the clusters that can be offloaded)", err)
		}
		return err
	}
	runner, err := offload.NewRunner(cl)
	if err != nil {
		return err
	}
	comp, err := runner.Compile(ctx, values, nil)
	if err != nil {
		return err
	}
	model, data, want := comp.Model, comp.ONNX, comp.Want
	var worst float64
	err = fsutil.WriteAtomic(out, data, func() error {
		got, err := runConverted(ctx, data, model, values)
		if err != nil {
			return err
		}
		worst, err = compareConverted(got, want, fetches)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s: %d nodes, %d inputs, %d outputs; largest difference from the Go executor: %.3g\n",
		out, len(model.Proto.GetGraph().GetNode()), len(model.Inputs), len(cl.Outputs), worst)
	return nil
}

// ErrConvertedDiffers is wrapped by convert's error when the converted
// model's outputs differ from the executor's beyond convertTol.
var ErrConvertedDiffers = errors.New("the converted model differs from the Go executor")

// convertTol is the agreement convert requires between the converted
// model on ONNX Runtime and the executor, on float outputs; other outputs
// must be equal.
var convertTol = tensor.Tolerance{RTol: 1e-3, ATol: 1e-4}

// runConverted runs the converted model on ONNX Runtime's CPU provider.
func runConverted(ctx context.Context, data []byte, model *clusters.Model, values []*tensor.Tensor) ([]*tensor.Tensor, error) {
	if err := engine.Init(); err != nil {
		return nil, err
	}
	sess, err := engine.NewSession(data, engine.SessionOptions{})
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	in := make([]*tensor.Tensor, len(model.Inputs))
	for k, i := range model.Inputs {
		in[k] = values[i]
	}
	return sess.Run(ctx, in)
}

// compareConverted checks the converted model's outputs against the
// executor's (want), named by fetches: float outputs within convertTol,
// others equal. It returns the largest absolute difference, or an error
// wrapping ErrConvertedDiffers naming the first output that differs.
func compareConverted(got, want []*tensor.Tensor, fetches []string) (float64, error) {
	if len(got) != len(want) {
		return 0, fmt.Errorf("%w: %d outputs, the executor gives %d", ErrConvertedDiffers, len(got), len(want))
	}
	for i := range want {
		tol := tensor.Tolerance{}
		if want[i].DType().IsFloat() {
			tol = convertTol
		}
		if err := tensor.Compare(got[i], want[i], tol); err != nil {
			return 0, fmt.Errorf("%w: output %s: %w", ErrConvertedDiffers, fetches[i], err)
		}
	}
	return maxAbsDiff(got, want)
}

// maxAbsDiff returns the largest absolute difference between two lists of
// outputs of the same dtypes and shapes (NaN when one holds NaN where the
// other does not).
func maxAbsDiff(got, want []*tensor.Tensor) (float64, error) {
	worst := 0.0
	for i := range want {
		if !got[i].Shape().Equal(want[i].Shape()) || got[i].DType() != want[i].DType() {
			return 0, fmt.Errorf("output %d is %v%v, the executor gives %v%v", i, got[i].DType(), got[i].Shape(), want[i].DType(), want[i].Shape())
		}
		g, err1 := tensor.Float64s(got[i])
		x, err2 := tensor.Float64s(want[i])
		if err1 != nil || err2 != nil {
			continue
		}
		for k := range g {
			if math.IsNaN(g[k]) && math.IsNaN(x[k]) {
				continue
			}
			if d := math.Abs(g[k] - x[k]); d > worst || math.IsNaN(d) {
				worst = d
			}
		}
	}
	return worst, nil
}

// writeClusters runs the model once through the bridge with a dump
// directory, which writes every compiled cluster.
func writeClusters(ctx context.Context, w io.Writer, m *graph.Model, feeds map[string]*tensor.Tensor, fetches []string, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	sess, err := bridge.NewSession(m, bridge.WithDumpDir(dir), bridge.WithOutputs(fetches...), bridge.WithOffload(true), bridge.WithDynamicFallback(false))
	if err != nil {
		return err
	}
	defer sess.Close()
	if _, err := sess.Run(ctx, feeds, fetches); err != nil {
		return err
	}
	st := sess.Stats()
	fmt.Fprintf(w, "wrote %d cluster model(s) to %s (%d of %d non-trivial nodes offloaded), with plan.txt and plan.dot\n",
		len(st.Clusters), dir, st.NonTrivialOffloaded, st.NonTrivial)
	return nil
}
