package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/clusters"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/offload"
	"github.com/tfoffload/tfoffload/tensor"
)

const convertLong = `Convert translates MODEL into one ONNX model, OUT.onnx, when every node its
outputs need can be translated; otherwise it names the nodes that cannot.
With --clusters DIR it also writes the ONNX model of each cluster the
partitioner would offload (DIR/cluster_<id>_<n>.onnx), which works for any
model.

The ONNX model is built for concrete input shapes: an input's unknown
dimensions are 1 unless --input-shape NAME=D0,D1,... gives them (NAME: a
signature key or tensor name), and values derived from shapes are folded in.
Inputs are fed random values (or --input files, as for run) to learn every
tensor's shape; the converted model is then checked against the Go executor
on those inputs and the largest difference is printed.`

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
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	worst, err := checkConverted(ctx, data, model, values, want)
	if err != nil {
		return fmt.Errorf("wrote %s, but checking it failed: %w", out, err)
	}
	fmt.Fprintf(w, "wrote %s: %d nodes, %d inputs, %d outputs; largest difference from the Go executor: %.3g\n",
		out, len(model.Proto.GetGraph().GetNode()), len(model.Inputs), len(cl.Outputs), worst)
	return nil
}

// checkConverted runs the converted model on ONNX Runtime and returns the
// largest absolute difference from the executor's outputs.
func checkConverted(ctx context.Context, data []byte, model *clusters.Model, values, want []*tensor.Tensor) (float64, error) {
	if err := engine.Init(); err != nil {
		return 0, err
	}
	sess, err := engine.NewSession(data, engine.SessionOptions{})
	if err != nil {
		return 0, err
	}
	defer sess.Close()
	in := make([]*tensor.Tensor, len(model.Inputs))
	for k, i := range model.Inputs {
		in[k] = values[i]
	}
	got, err := sess.Run(ctx, in)
	if err != nil {
		return 0, err
	}
	return maxAbsDiff(got, want)
}

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
			if d := abs(g[k] - x[k]); d > worst || d != d {
				worst = d
			}
		}
	}
	return worst, nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
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
