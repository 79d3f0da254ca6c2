package conv

import (
	"bufio"
	"errors"
	"fmt"
	"math/cmplx"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// corpusDir holds TensorFlow's own results for small graphs (see
// shared/models/README.md).
const corpusDir = "../../../../shared/models/tfops"

// corpusGroups are the folders whose graphs use this package's ops.
var corpusGroups = []string{"cnn2d_nn", "cnn2d_layers", "sepconv2d_layers", "conv_4", "conv2d_transpose", "matmul", "mlp_00", "ae_00", "transforms"}

// errNeedsOtherOps marks a graph that uses ops outside this package.
var errNeedsOtherOps = errors.New("needs ops of other packages")

// TestCorpus evaluates every corpus graph made only of constants,
// placeholders, Identity and this package's ops, and compares each
// expected output with TensorFlow's.
func TestCorpus(t *testing.T) {
	_, err := os.Stat(corpusDir)
	testutil.RequireOrSkip(t, "the op corpus", err)
	var dirs []string
	for _, g := range corpusGroups {
		err := filepath.WalkDir(filepath.Join(corpusDir, g), func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Name() == "frozen_model.pb" {
				dirs = append(dirs, filepath.Dir(p))
			}
			return err
		})
		require.NoError(t, err)
	}
	evaluated := 0
	for _, dir := range dirs {
		name, _ := filepath.Rel(corpusDir, dir)
		t.Run(name, func(t *testing.T) {
			n, err := runCorpusGraph(t, dir)
			if errors.Is(err, errNeedsOtherOps) {
				t.Skip(err)
			}
			require.NoError(t, err)
			evaluated += n
		})
	}
	t.Logf("compared %d TensorFlow outputs", evaluated)
}

// runCorpusGraph evaluates the graph in dir and compares the outputs it
// has expectations for; it returns how many it compared.
func runCorpusGraph(t *testing.T, dir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, "frozen_model.pb"))
	if err != nil {
		return 0, err
	}
	var g tfpb.GraphDef
	if err := proto.Unmarshal(b, &g); err != nil {
		return 0, err
	}
	nodes := map[string]*tfpb.NodeDef{}
	for _, n := range g.Node {
		nodes[n.Name] = n
		switch n.Op {
		case "Const", "Identity", "Placeholder", "NoOp":
		default:
			if _, ok := kernel.Lookup(n.Op); !ok {
				return 0, fmt.Errorf("%w: %s", errNeedsOtherOps, n.Op)
			}
		}
	}
	values := map[string]*tensor.Tensor{}
	var eval func(name string) (*tensor.Tensor, error)
	eval = func(ref string) (*tensor.Tensor, error) {
		name := strings.TrimSuffix(ref, ":0")
		if v, ok := values[name]; ok {
			return v, nil
		}
		n, ok := nodes[name]
		if !ok {
			return nil, fmt.Errorf("no node %q", ref)
		}
		var out *tensor.Tensor
		switch n.Op {
		case "Const":
			out, err = graph.AttrsOf(n).Tensor("value")
		case "Placeholder":
			dt, _ := graph.AttrsOf(n).Type("dtype", tensor.Float32)
			out, err = readCorpusTensor(filepath.Join(dir, fileName(name)+".placeholder"), dt)
		case "Identity":
			out, err = eval(n.Input[0])
		default:
			var in []*tensor.Tensor
			for _, ref := range n.Input {
				if strings.HasPrefix(ref, "^") {
					continue
				}
				v, err := eval(ref)
				if err != nil {
					return nil, err
				}
				in = append(in, v)
			}
			var outs []*tensor.Tensor
			outs, err = kerneltest.Call(proto.Clone(n).(*tfpb.NodeDef), in...)
			if err == nil {
				out = outs[0]
			}
		}
		if err != nil {
			return nil, fmt.Errorf("node %q (%s): %w", name, n.Op, err)
		}
		values[name] = out
		return out, nil
	}
	compared := 0
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".prediction.csv") {
			return err
		}
		rel, _ := filepath.Rel(dir, strings.TrimSuffix(p, ".prediction.csv"))
		name := strings.ReplaceAll(filepath.ToSlash(rel), "____", "/")
		if i := strings.LastIndex(name, "."); i > strings.LastIndex(name, "/") && isDigits(name[i+1:]) {
			name = name[:i]
		}
		got, err := eval(name)
		if err != nil {
			return err
		}
		want, err := readCorpusTensor(strings.TrimSuffix(p, ".csv"), got.DType())
		if err != nil {
			return err
		}
		if err := tensor.Compare(got, want, tensor.Tolerance{RTol: 1e-5, ATol: 1e-5}); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		compared++
		return nil
	})
	return compared, err
}

func isDigits(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

func fileName(node string) string { return strings.ReplaceAll(node, "/", "____") }

// readCorpusTensor reads base.csv and base.shape as a tensor of dtype dt.
func readCorpusTensor(base string, dt tensor.DType) (*tensor.Tensor, error) {
	var shape tensor.Shape
	lines, err := readLines(base + ".shape")
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		d, err := strconv.Atoi(l)
		if err != nil {
			return nil, fmt.Errorf("%s.shape: %w", base, err)
		}
		shape = append(shape, d)
	}
	vals, err := readLines(base + ".csv")
	if err != nil {
		return nil, err
	}
	if len(shape) == 1 && shape[0] == 0 && len(vals) == 1 {
		shape = tensor.Shape{}
	}
	if len(vals) != shape.NumElements() {
		return nil, fmt.Errorf("%s: %d values for shape %v", base, len(vals), shape)
	}
	t, err := tensor.New(dt, shape)
	if err != nil {
		return nil, err
	}
	for i, s := range vals {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", base, err)
		}
		switch v := t.Data().(type) {
		case []float32:
			v[i] = float32(f)
		case []float64:
			v[i] = f
		case []int32:
			v[i] = int32(f)
		case []int64:
			v[i] = int64(f)
		case []tensor.F16:
			v[i] = tensor.NewF16(float32(f))
		case []complex64:
			v[i] = complex64(cmplx.Rect(f, 0))
		default:
			return nil, fmt.Errorf("%s: dtype %v", base, dt)
		}
	}
	return t, nil
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		if l := strings.TrimSpace(s.Text()); l != "" {
			out = append(out, l)
		}
	}
	return out, s.Err()
}
