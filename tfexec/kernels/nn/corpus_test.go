package nn

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// tfopsDir is the TensorFlow op corpus, relative to this package.
const tfopsDir = "../../../../shared/models/tfops"

// TestCorpusSingleOp runs this package's kernels on the corpus graphs that
// hold one of its ops fed by constants and placeholders through Identity
// nodes only, and compares with TensorFlow's recorded outputs. Graphs with
// other compute ops are left to tfexec's whole-graph corpus test.
func TestCorpusSingleOp(t *testing.T) {
	_, err := os.Stat(tfopsDir)
	testutil.RequireOrSkip(t, "the op corpus", err)
	// The corpus prints values with 8 decimals; a difference within half a
	// unit of the last printed decimal is no difference at all.
	printed := tensor.Tolerance{ATol: 5.01e-9}
	// LRN uses Eigen's approximate vectorised rsqrt, exp and log.
	ulps := tensor.Tolerance{RTol: 2.5e-7, ATol: 5.01e-9}
	cases := []struct {
		dir, node string
		outputs   int
		tol       tensor.Tolerance
	}{
		{"batch_to_space/rank4nhwc", "BatchToSpaceND", 1, printed},
		{"batch_to_space/rank4nhwc_crop", "BatchToSpaceND", 1, printed},
		{"space_to_batch/rank4nhwc", "SpaceToBatchND", 1, printed},
		{"depth_to_space/rank4nhwc", "DepthToSpace", 1, printed},
		{"lrn/dr3_b05_a05_b02", "LRN", 1, ulps},
		{"lrn/dr5_b1_a1_b05", "LRN", 1, ulps},
		{"fused_batch_norm/float32_nhcw", "FusedBatchNormV3", 3, printed},
		{"fused_batch_norm/float16_nhwc", "FusedBatchNormV3", 3, printed},
		{"batchnorm/rank4_nchw_batch2_sz5_fused", "batch_normalization/FusedBatchNorm", 1, printed},
		{"batchnorm/rank4_nhwc_batch2_sz5_fused", "batch_normalization/FusedBatchNorm", 1, printed},
		{"batchnorm/rank4_nhwc_batch3_sz5_fused_m50_e01", "batch_normalization/FusedBatchNorm", 1, printed},
		{"log_softmax/rank2_float64_with_axis", "LogSoftmax", 1, printed},
		{"log_softmax/rank2_half_with_axis", "LogSoftmax", 1, printed},
		{"log_softmax/rank3_half_with_axis", "LogSoftmax", 1, printed},
	}
	for _, tc := range cases {
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join(tfopsDir, tc.dir)
			nodes := loadGraphNodes(t, dir)
			def, ok := nodes[tc.node]
			require.True(t, ok, "node %s not in graph", tc.node)
			dtypes := loadDTypes(t, dir)
			var inputs []*tensor.Tensor
			for _, in := range def.GetInput() {
				if strings.HasPrefix(in, "^") {
					continue
				}
				inputs = append(inputs, resolveInput(t, dir, nodes, dtypes, in))
			}
			got, err := kerneltest.Call(proto.Clone(def).(*tfpb.NodeDef), inputs...)
			require.NoError(t, err)
			for i := range tc.outputs {
				want := loadCSV(t, dir, predictionBase(dir, tc.node, i), tensor.Float64)
				assert.NoError(t, tensor.Compare(asFloat64(t, got[i]), want, tc.tol), "output %d", i)
			}
		})
	}
}

// predictionBase returns the file name, without extension, of output i
// of node: with "/" spelled "____", or as sub-folders.
func predictionBase(dir, node string, i int) string {
	suffix := ".prediction"
	if i > 0 {
		suffix = "." + strconv.Itoa(i) + suffix
	}
	flat := strings.ReplaceAll(node, "/", "____") + suffix
	if _, err := os.Stat(filepath.Join(dir, flat+".csv")); err == nil {
		return flat
	}
	return node + suffix
}

// asFloat64 widens a float tensor to float64, so that it can be compared
// with the corpus values, which are printed with 8 decimals: fewer digits
// than a float32 needs, so parsing them as float32 could pick a neighbour.
func asFloat64(t *testing.T, x *tensor.Tensor) *tensor.Tensor {
	t.Helper()
	v, err := tensor.Float64s(x)
	require.NoError(t, err)
	return tensor.MustFromSlice(x.Shape(), v)
}

func loadGraphNodes(t *testing.T, dir string) map[string]*tfpb.NodeDef {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "frozen_model.pb"))
	require.NoError(t, err)
	var g tfpb.GraphDef
	require.NoError(t, proto.Unmarshal(b, &g))
	nodes := make(map[string]*tfpb.NodeDef, len(g.GetNode()))
	for _, n := range g.GetNode() {
		nodes[n.GetName()] = n
	}
	return nodes
}

func loadDTypes(t *testing.T, dir string) map[string]tensor.DType {
	t.Helper()
	out := map[string]tensor.DType{}
	b, err := os.ReadFile(filepath.Join(dir, "dtypes"))
	if err != nil {
		return out
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		dt, err := tensor.ParseDType(f[1])
		require.NoError(t, err)
		out[f[0]] = dt
	}
	return out
}

// resolveInput follows Identity nodes from a tensor name to a Const (its
// value) or a Placeholder (its recorded feed).
func resolveInput(t *testing.T, dir string, nodes map[string]*tfpb.NodeDef, dtypes map[string]tensor.DType, name string) *tensor.Tensor {
	t.Helper()
	name, _, _ = strings.Cut(name, ":")
	for {
		n, ok := nodes[name]
		require.True(t, ok, "input %s not in graph", name)
		switch n.GetOp() {
		case "Identity":
			name, _, _ = strings.Cut(n.GetInput()[0], ":")
			continue
		case "Const":
			v, err := graph.AttrsOf(n).Tensor("value")
			require.NoError(t, err)
			return v
		case "Placeholder":
			file := strings.ReplaceAll(name, "/", "____")
			dt, ok := dtypes[file]
			if !ok {
				var err error
				dt, err = graph.AttrsOf(n).Type("dtype", tensor.Float32)
				require.NoError(t, err)
			}
			return loadCSV(t, dir, file+".placeholder", dt)
		}
		t.Fatalf("input %s comes from a %s node", name, n.GetOp())
	}
}

// loadCSV reads a corpus tensor: base.csv values and base.shape dims.
func loadCSV(t *testing.T, dir, base string, dt tensor.DType) *tensor.Tensor {
	t.Helper()
	shapeText, err := os.ReadFile(filepath.Join(dir, base+".shape"))
	require.NoError(t, err)
	shape := tensor.Shape{}
	for line := range strings.Lines(string(shapeText)) {
		if line = strings.TrimSpace(line); line != "" {
			d, err := strconv.Atoi(line)
			require.NoError(t, err)
			shape = append(shape, d)
		}
	}
	f, err := os.Open(filepath.Join(dir, base+".csv"))
	require.NoError(t, err)
	defer f.Close()
	var vals []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		v, err := strconv.ParseFloat(line, 64)
		if err != nil {
			switch strings.ToLower(line) {
			case "true":
				v = 1
			case "false":
				v = 0
			default:
				require.NoError(t, err)
			}
		}
		vals = append(vals, v)
	}
	require.NoError(t, sc.Err())
	if len(shape) == 1 && shape[0] == 0 && len(vals) == 1 {
		shape = tensor.Shape{}
	}
	out, err := tensor.FromFloat64s(dt, shape, vals)
	require.NoError(t, err)
	return out
}

// TestCorpusG09 replays corpus graph g_09 through this package's ops: the
// row softmax of [softsign(in1); softplus(in2); in3] and of the constant w
// feed SoftmaxCrossEntropyWithLogits, whose loss goes through LogSoftmax
// into output_1. The elementwise ops are computed here in float64.
func TestCorpusG09(t *testing.T) {
	dir := filepath.Join(tfopsDir, "g_09")
	_, err := os.Stat(dir)
	testutil.RequireOrSkip(t, "the op corpus", err)
	nodes := loadGraphNodes(t, dir)
	dtypes := loadDTypes(t, dir)
	in1 := tensor.Values[float64](resolveInput(t, dir, nodes, dtypes, "input_1"))
	in2 := tensor.Values[float64](resolveInput(t, dir, nodes, dtypes, "input_2"))
	in3 := tensor.Values[float64](resolveInput(t, dir, nodes, dtypes, "input_3"))
	w := resolveInput(t, dir, nodes, dtypes, "w/read")
	var concat []float64
	for _, v := range in1 {
		concat = append(concat, v/(1+math.Abs(v)))
	}
	for _, v := range in2 {
		concat = append(concat, math.Log1p(math.Exp(v)))
	}
	concat = append(concat, in3...)
	run := func(op string, in ...*tensor.Tensor) []*tensor.Tensor {
		return kerneltest.Run(t, graph.NewNode(op, op, nil, nil), in...)
	}
	logits := run("Softmax", tensor.MustFromSlice(tensor.Shape{10, 10}, concat))[0]
	labels := run("Softmax", w)[0]
	loss := run("SoftmaxCrossEntropyWithLogits", logits, labels)[0]
	row, err := loss.Reshape(tensor.Shape{1, 10})
	require.NoError(t, err)
	got, err := run("LogSoftmax", row)[0].Reshape(tensor.Shape{10})
	require.NoError(t, err)
	want := loadCSV(t, dir, "output_1.prediction", tensor.Float64)
	assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{RTol: 1e-7, ATol: 1e-8}))
}
