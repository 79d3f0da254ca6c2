package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
)

const runLong = `Run loads MODEL, feeds its inputs and computes its outputs, offloading what
it can to ONNX Runtime (--backend CPU, the default) or on the Go executor
alone (--backend none). Without --backend, TFOFFLOAD_BACKEND and
TFOFFLOAD_DISABLE decide, as for the library.

Inputs: --input NAME=FILE.npy feeds a NumPy array; --input NAME=@FILE feeds
the file's bytes as a string scalar (a WAV file for the keyword-spotting
models). NAME is a placeholder or tensor name ("x" or "x:0") or an input key
of the signature (--signature, default "serving_default" or the model's only
signature). The array's dtype must be the input's; a bfloat16 input may be
given as float32.

Files: a ReadFile node in the model reads only inside the model's folder;
--allow-read DIR (repeatable) lets it read inside DIR too.

Outputs: --output TENSOR (repeatable; a tensor name or a signature output
key) chooses what to fetch; without it, the model's outputs are fetched.
With --out-dir DIR, the i-th fetched tensor (0-based, in order) is written
to DIR/<i>.npy and DIR/outputs.json lists them as
[{"name", "key", "dtype", "shape", "file"}]. Without --out-dir, a summary of
each output is printed.

With --json, a run summary is printed as one JSON object:
  model       the MODEL argument
  backend     the backend used ("none" for the executor alone)
  inputs      [{name, dtype, shape}] of the fed tensors
  outputs     [{name, key, dtype, shape, file}] as in outputs.json (file is
              "" without --out-dir)
  time_ms     wall time of the run, model loading excluded
  offload     the offload statistics: nodes and non-trivial nodes offloaded
              and in all, the minimum cluster size used, and per cluster
              its compiles, runs and times (nanoseconds)`

type runOptions struct {
	signature string
	inputs    []string
	outputs   []string
	outDir    string
	backend   string
	json      bool
	tags      []string
	allowRead []string
}

func newRunCmd() *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run MODEL --input NAME=FILE.npy ... [--output TENSOR ...]",
		Short: "Run a model on inputs from .npy files and write its outputs",
		Long:  runLong,
		Example: `  tfoffload run model.json --input input=image.npy --out-dir out
  tfoffload run kws/DS_CNN_S.pb --input wav_data=@yes.wav --backend none --json`,
		Args: exactArgs("MODEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runModel(cmd.Context(), cmd.OutOrStdout(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.signature, "signature", "", "signature whose input and output keys NAME and TENSOR may use")
	f.StringArrayVar(&o.inputs, "input", nil, "NAME=FILE.npy, or NAME=@FILE to feed the file's bytes as a string (repeatable)")
	f.StringArrayVar(&o.outputs, "output", nil, "tensor or signature output key to fetch (repeatable; default: the model's outputs)")
	f.StringVar(&o.outDir, "out-dir", "", "write each output as DIR/<i>.npy and list them in DIR/outputs.json")
	f.StringVar(&o.backend, "backend", "", "backend to offload to, or none for the Go executor alone (default: TFOFFLOAD_BACKEND, else CPU; see 'tfoffload backends')")
	f.BoolVar(&o.json, "json", false, "print a JSON run summary")
	f.StringSliceVar(&o.tags, "tags", nil, "SavedModel tag set (default: serve)")
	f.StringArrayVar(&o.allowRead, "allow-read", nil, "directory the model's ReadFile nodes may read besides the model's folder (repeatable)")
	return cmd
}

type runOutput struct {
	Name  string `json:"name"`
	Key   string `json:"key,omitempty"`
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
	File  string `json:"file"`
}

type runInput struct {
	Name  string `json:"name"`
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
}

type runSummary struct {
	Model   string        `json:"model"`
	Backend string        `json:"backend"`
	Inputs  []runInput    `json:"inputs"`
	Outputs []runOutput   `json:"outputs"`
	TimeMS  float64       `json:"time_ms"`
	Offload *bridge.Stats `json:"offload,omitempty"`
}

func runModel(ctx context.Context, stdout io.Writer, path string, o runOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	m, implied, err := openModel(path, o.tags)
	if err != nil {
		return err
	}
	sig, err := chooseSignature(m, o.signature)
	if err != nil {
		return err
	}
	specs, err := parseFeeds(m, sig, o.inputs)
	if err != nil {
		return err
	}
	feeds, inputs, err := readFeeds(specs)
	if err != nil {
		return err
	}
	fetches, outs, err := chooseFetches(m, sig, o.outputs)
	if err != nil {
		return err
	}
	if o.outDir != "" { // before the run, which may be long
		if err := os.MkdirAll(o.outDir, 0o755); err != nil {
			return fmt.Errorf("--out-dir %s: %w", o.outDir, err)
		}
	}
	opts := append(implied, bridge.WithOutputs(fetches...), bridge.WithFileAccess(o.allowRead...))
	switch {
	case strings.EqualFold(o.backend, "none"):
		opts = append(opts, bridge.WithOffload(false))
	case o.backend != "":
		opts = append(opts, bridge.WithBackend(o.backend), bridge.WithOffload(true))
	} // else TFOFFLOAD_BACKEND and TFOFFLOAD_DISABLE decide, CPU by default
	sess, err := bridge.NewSession(m, opts...)
	if err != nil {
		return err
	}
	defer sess.Close()
	backend := sess.BackendName()
	if backend == "" {
		backend = "none"
	}
	start := time.Now()
	got, err := sess.Run(ctx, feeds, fetches)
	if errors.Is(err, tfexec.ErrFeed) {
		if len(o.inputs) == 0 {
			return fmt.Errorf("--input: %w (feed each input with --input NAME=FILE.npy)", err)
		}
		return fmt.Errorf("--input: %w", err)
	}
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	for i, t := range got {
		outs[i].DType, outs[i].Shape = t.DType().String(), t.Shape().Clone()
	}
	if o.outDir != "" {
		if err := writeOutputs(o.outDir, got, outs); err != nil {
			return fmt.Errorf("--out-dir %s: %w", o.outDir, err)
		}
	}
	if !o.json {
		if o.outDir == "" {
			for i, t := range got {
				fmt.Fprintf(stdout, "%s: %v\n", outs[i].Name, t)
			}
		}
		return nil
	}
	sum := runSummary{Model: path, Backend: backend, Inputs: inputs, Outputs: outs, TimeMS: float64(elapsed.Microseconds()) / 1000}
	if backend != "none" {
		st := sess.Stats()
		sum.Offload = &st
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(sum)
}

// chooseSignature returns the named signature, else the default one (nil
// when the model has none).
func chooseSignature(m *graph.Model, key string) (*graph.Signature, error) {
	if key == "" {
		return m.DefaultSignature(), nil
	}
	if s := m.Signature(key); s != nil {
		return s, nil
	}
	keys := make([]string, len(m.Signatures))
	for i, s := range m.Signatures {
		keys[i] = s.Key
	}
	return nil, fmt.Errorf("%s has no signature %q (it has: %s)", m.Path, key, strings.Join(keys, ", "))
}

// resolveName maps a signature key or tensor name to a graph tensor.
func resolveName(m *graph.Model, infos []graph.TensorInfo, name string) (graph.TensorInfo, error) {
	if in, found, err := graph.FindTensor(infos, name); err != nil || found {
		return in, err
	}
	t, _ := graph.ParseTensorName(name) // FindTensor has parsed it
	ix, err := graph.NewIndex(m.Graph)
	if err != nil {
		return graph.TensorInfo{}, err
	}
	n := ix.Node(t.Node)
	if n == nil {
		return graph.TensorInfo{}, fmt.Errorf("the model has no tensor %q", name)
	}
	if count, known := outputCount(n); known && t.Output >= count {
		return graph.TensorInfo{}, fmt.Errorf("the model has no tensor %q: node %q (%s) has %d output(s)", name, n.GetName(), n.GetOp(), count)
	}
	for _, in := range graph.Inputs(m.Graph) {
		if in.Name == t.Canonical() {
			return in, nil
		}
	}
	return graph.TensorInfo{Name: t.Canonical()}, nil
}

// feedSpec is one parsed --input flag.
type feedSpec struct {
	name string           // as given
	info graph.TensorInfo // the tensor it feeds
	file string           // a .npy file, or "@path" for raw bytes
}

// parseFeeds resolves the --input flags to the tensors they feed, without
// reading the files.
func parseFeeds(m *graph.Model, sig *graph.Signature, specs []string) ([]feedSpec, error) {
	infos := m.InputsOf(sig)
	seen := map[string]bool{}
	var out []feedSpec
	for _, spec := range specs {
		name, file, ok := strings.Cut(spec, "=")
		if !ok || name == "" || file == "" {
			return nil, fmt.Errorf("--input %q: want NAME=FILE.npy or NAME=@FILE", spec)
		}
		info, err := resolveName(m, infos, name)
		if err != nil {
			return nil, fmt.Errorf("--input %s: %w", name, err)
		}
		if seen[info.Name] {
			return nil, fmt.Errorf("--input %s: %s is fed twice", name, info.Name)
		}
		seen[info.Name] = true
		out = append(out, feedSpec{name: name, info: info, file: file})
	}
	return out, nil
}

// readFeeds reads the values parseFeeds resolved.
// singleOutputOps are ops with exactly one output, whatever their
// attributes.
var singleOutputOps = map[string]bool{
	"Placeholder": true, "PlaceholderV2": true, "PlaceholderWithDefault": true, "Const": true, "Identity": true,
}

// outputCount returns how many outputs n has, when the graph says: its op
// has one output, or it carries an _output_shapes list.
func outputCount(n *tfpb.NodeDef) (int, bool) {
	if singleOutputOps[n.GetOp()] {
		return 1, true
	}
	if a, ok := n.GetAttr()["_output_shapes"]; ok && a.GetList() != nil {
		return len(a.GetList().GetShape()), true
	}
	return 0, false
}

func readFeeds(specs []feedSpec) (map[string]*tensor.Tensor, []runInput, error) {
	feeds := map[string]*tensor.Tensor{}
	var summary []runInput
	for _, fs := range specs {
		var t *tensor.Tensor
		var err error
		if raw, isRaw := strings.CutPrefix(fs.file, "@"); isRaw {
			data, err := os.ReadFile(raw)
			if err != nil {
				return nil, nil, fmt.Errorf("--input %s: %w", fs.name, err)
			}
			t = tensor.Scalar(string(data))
		} else if t, err = tensor.ReadNPYFile(fs.file); err != nil {
			return nil, nil, fmt.Errorf("--input %s: %w", fs.name, err)
		}
		if t, err = graph.MatchDType(t, fs.info.DType); err != nil {
			return nil, nil, fmt.Errorf("--input %s (%s): %w", fs.name, fs.info.Name, err)
		}
		feeds[fs.info.Name] = t
		summary = append(summary, runInput{Name: fs.info.Name, DType: t.DType().String(), Shape: t.Shape().Clone()})
	}
	return feeds, summary, nil
}

func chooseFetches(m *graph.Model, sig *graph.Signature, names []string) ([]string, []runOutput, error) {
	infos := m.OutputsOf(sig)
	var fetches []string
	var outs []runOutput
	if len(names) == 0 {
		if len(infos) == 0 {
			return nil, nil, fmt.Errorf("%s declares no outputs; name them with --output", m.Path)
		}
		for _, in := range infos {
			fetches = append(fetches, in.Name)
			outs = append(outs, runOutput{Name: in.Name, Key: in.Key})
		}
		return fetches, outs, nil
	}
	for _, n := range names {
		info, err := resolveName(m, infos, n)
		if err != nil {
			return nil, nil, fmt.Errorf("--output %s: %w", n, err)
		}
		fetches = append(fetches, info.Name)
		outs = append(outs, runOutput{Name: info.Name, Key: info.Key})
	}
	return fetches, outs, nil
}

func writeOutputs(dir string, got []*tensor.Tensor, outs []runOutput) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, t := range got {
		outs[i].File = strconv.Itoa(i) + ".npy"
		if err := tensor.WriteNPYFile(filepath.Join(dir, outs[i].File), t); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(outs, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "outputs.json"), append(data, '\n'), 0o644)
}
