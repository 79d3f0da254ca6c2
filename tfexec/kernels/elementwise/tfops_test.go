package elementwise

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// This file runs the graphs of TensorFlow's op corpus
// (../shared/models/tfops) that use only this package's ops plus Const,
// Placeholder and Identity, and compares every output TensorFlow recorded.
// The executor's own corpus test covers graphs mixing packages; this one
// keeps the package honest on its own.

const tfopsDir = "../../../../shared/models/tfops"

// plumbing ops are evaluated by the test itself.
var plumbing = map[string]bool{"Const": true, "Placeholder": true, "Identity": true, "NoOp": true, "StopGradient": true, "Snapshot": true, "Pack": true}

type corpusCase struct {
	dir   string
	graph *tfpb.GraphDef
}

func loadCorpus(t *testing.T) []corpusCase {
	t.Helper()
	_, err := os.Stat(tfopsDir)
	testutil.RequireOrSkip(t, "the op corpus", err)
	var cases []corpusCase
	err = filepath.WalkDir(tfopsDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Name() != "frozen_model.pb" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		g := &tfpb.GraphDef{}
		if err := proto.Unmarshal(b, g); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		cases = append(cases, corpusCase{dir: filepath.Dir(p), graph: g})
		return nil
	})
	require.NoError(t, err)
	return cases
}

// ours reports whether every op of g is plumbing or registered (by this
// package: the test binary links no other kernels).
func ours(g *tfpb.GraphDef) bool {
	mine := false
	for _, n := range g.Node {
		if plumbing[n.Op] {
			continue
		}
		if _, ok := kernel.Lookup(n.Op); !ok {
			return false
		}
		mine = true
	}
	return mine
}

type evaluator struct {
	dir   string
	nodes map[string]*tfpb.NodeDef
	memo  map[string][]*tensor.Tensor
}

func (e *evaluator) output(ref string) (*tensor.Tensor, error) {
	name, idx := ref, 0
	if i := strings.LastIndexByte(ref, ':'); i >= 0 {
		name = ref[:i]
		idx, _ = strconv.Atoi(ref[i+1:])
	}
	outs, err := e.eval(name)
	if err != nil {
		return nil, err
	}
	if idx >= len(outs) {
		return nil, fmt.Errorf("%s has %d outputs", name, len(outs))
	}
	return outs[idx], nil
}

func (e *evaluator) eval(name string) ([]*tensor.Tensor, error) {
	if v, ok := e.memo[name]; ok {
		return v, nil
	}
	def, ok := e.nodes[name]
	if !ok {
		return nil, fmt.Errorf("no node %q", name)
	}
	node := kernel.NewNode(def)
	var inputs []*tensor.Tensor
	for _, in := range def.Input {
		if strings.HasPrefix(in, "^") {
			continue
		}
		v, err := e.output(in)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, v)
	}
	var outs []*tensor.Tensor
	switch def.Op {
	case "Const":
		v, err := node.Attrs.Tensor("value")
		if err != nil {
			return nil, err
		}
		outs = []*tensor.Tensor{v}
	case "Placeholder":
		dt, err := node.Attrs.Type("dtype", tensor.Float32)
		if err != nil {
			return nil, err
		}
		v, err := readCSVTensor(filepath.Join(e.dir, fileName(name)+".placeholder"), dt)
		if err != nil {
			return nil, fmt.Errorf("placeholder %s: %w", name, err)
		}
		outs = []*tensor.Tensor{v}
	case "Identity", "StopGradient", "Snapshot":
		outs = inputs[:1]
	case "NoOp":
	case "Pack":
		axis, err := node.Attrs.Int("axis", 0)
		if err != nil {
			return nil, err
		}
		v, err := testPack(inputs, int(axis))
		if err != nil {
			return nil, err
		}
		outs = []*tensor.Tensor{v}
	default:
		f, _ := kernel.Lookup(def.Op)
		k, err := f(node)
		if err != nil {
			return nil, fmt.Errorf("prepare %s (%s): %w", name, def.Op, err)
		}
		outs, err = k(&kernel.Context{Context: context.Background(), Node: node}, inputs)
		if err != nil {
			return nil, fmt.Errorf("run %s (%s): %w", name, def.Op, err)
		}
	}
	e.memo[name] = outs
	return outs, nil
}

func fileName(node string) string { return strings.ReplaceAll(node, "/", "____") }

// readCSVTensor reads base+".csv" and base+".shape" as a tensor of dt.
func readCSVTensor(base string, dt tensor.DType) (*tensor.Tensor, error) {
	shapeText, err := os.ReadFile(base + ".shape")
	if err != nil {
		return nil, err
	}
	csvText, err := os.ReadFile(base + ".csv")
	if err != nil {
		return nil, err
	}
	var shape tensor.Shape
	for _, l := range strings.Fields(string(shapeText)) {
		d, err := strconv.Atoi(l)
		if err != nil {
			return nil, err
		}
		shape = append(shape, d)
	}
	vals := strings.Fields(string(csvText))
	if len(shape) == 1 && shape[0] == 0 && len(vals) == 1 {
		shape = tensor.Shape{}
	}
	if shape == nil {
		shape = tensor.Shape{}
	}
	t, err := tensor.New(dt, shape)
	if err != nil {
		return nil, err
	}
	if len(vals) != t.NumElements() {
		return nil, fmt.Errorf("%s: %d values for shape %v", base, len(vals), shape)
	}
	for i, s := range vals {
		if err := setElement(t, i, s); err != nil {
			return nil, fmt.Errorf("%s: value %d %q: %w", base, i, s, err)
		}
	}
	return t, nil
}

func parseFloat(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "nan", "-nan":
		return math.NaN(), nil
	case "inf", "+inf", "infinity":
		return math.Inf(1), nil
	case "-inf", "-infinity":
		return math.Inf(-1), nil
	case "true":
		return 1, nil
	case "false":
		return 0, nil
	}
	return strconv.ParseFloat(s, 64)
}

// parseInt parses an integer written possibly as "12.00000000", exactly.
func parseInt(s string) (*big.Int, error) {
	f, _, err := big.ParseFloat(s, 10, 256, big.ToNearestEven)
	if err != nil {
		if v, err2 := parseFloat(s); err2 == nil {
			return big.NewInt(int64(v)), nil
		}
		return nil, err
	}
	i, _ := f.Int(nil)
	return i, nil
}

func setElement(t *tensor.Tensor, i int, s string) error {
	switch d := t.Data().(type) {
	case []bool:
		v, err := parseFloat(s)
		d[i] = v != 0
		return err
	case []float32:
		v, err := parseFloat(s)
		d[i] = float32(v)
		return err
	case []float64:
		v, err := parseFloat(s)
		d[i] = v
		return err
	case []tensor.F16:
		v, err := parseFloat(s)
		d[i] = tensor.NewF16(float32(v))
		return err
	case []tensor.BF16:
		v, err := parseFloat(s)
		d[i] = tensor.NewBF16(float32(v))
		return err
	}
	v, err := parseInt(s)
	if err != nil {
		return err
	}
	switch d := t.Data().(type) {
	case []int8:
		d[i] = int8(v.Int64())
	case []int16:
		d[i] = int16(v.Int64())
	case []int32:
		d[i] = int32(v.Int64())
	case []int64:
		d[i] = v.Int64()
	case []uint8:
		d[i] = uint8(v.Uint64())
	case []uint16:
		d[i] = uint16(v.Uint64())
	case []uint32:
		d[i] = uint32(v.Uint64())
	case []uint64:
		d[i] = v.Uint64()
	default:
		return fmt.Errorf("cannot parse %v", t.DType())
	}
	return nil
}

// expectation is one recorded output: node name, output index, file base.
type expectation struct {
	node string
	idx  int
	base string
}

func expectations(dir string) ([]expectation, error) {
	var out []expectation
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".prediction.csv") {
			return err
		}
		rel, _ := filepath.Rel(dir, strings.TrimSuffix(p, ".prediction.csv"))
		name, idx := rel, 0
		if i := strings.LastIndexByte(rel, '.'); i >= 0 {
			if n, err := strconv.Atoi(rel[i+1:]); err == nil {
				name, idx = rel[:i], n
			}
		}
		name = strings.ReplaceAll(filepath.ToSlash(name), "____", "/")
		out = append(out, expectation{node: name, idx: idx, base: strings.TrimSuffix(p, ".csv")})
		return nil
	})
	return out, err
}

// tolerance is the comparison bound per dtype: the corpus prints values
// with 8 decimals, and transcendental functions are computed in float64
// here but with Eigen's float32 approximations in TensorFlow.
func tolerance(dt tensor.DType) tensor.Tolerance {
	switch dt {
	case tensor.Float16:
		return tensor.Tolerance{RTol: 1e-3, ATol: 1e-3}
	case tensor.BFloat16:
		return tensor.Tolerance{RTol: 1e-2, ATol: 1e-2}
	case tensor.Float32:
		return tensor.Tolerance{RTol: 1e-6, ATol: 1e-8}
	case tensor.Float64:
		// The corpus prints 8 decimals.
		return tensor.Tolerance{RTol: 1e-8, ATol: 1e-8}
	}
	return tensor.Tolerance{}
}

func TestTFOpsCorpus(t *testing.T) {
	cases := loadCorpus(t)
	ran := 0
	for _, c := range cases {
		if !ours(c.graph) {
			continue
		}
		rel, _ := filepath.Rel(tfopsDir, c.dir)
		t.Run(rel, func(t *testing.T) {
			exps, err := expectations(c.dir)
			require.NoError(t, err)
			if len(exps) == 0 {
				t.Skip("no recorded outputs")
			}
			e := &evaluator{dir: c.dir, nodes: map[string]*tfpb.NodeDef{}, memo: map[string][]*tensor.Tensor{}}
			for _, n := range c.graph.Node {
				e.nodes[n.Name] = n
			}
			dtypes := readDTypes(t, c.dir)
			for _, x := range exps {
				got, err := e.output(fmt.Sprintf("%s:%d", x.node, x.idx))
				require.NoError(t, err, "output %s:%d", x.node, x.idx)
				if dt, ok := dtypes[fmt.Sprintf("%s.%d", fileName(x.node), x.idx)]; ok && dt != got.DType() {
					t.Errorf("output %s:%d has dtype %v, TensorFlow's has %v", x.node, x.idx, got.DType(), dt)
				}
				want, err := readCSVTensor(x.base, got.DType())
				require.NoError(t, err)
				if want.Rank() == 0 && got.Rank() == 1 && got.NumElements() == 1 {
					// A one-element vector can be recorded as a scalar.
					want, _ = want.Reshape(got.Shape())
				}
				if err := tensor.Compare(got, want, tolerance(got.DType())); err != nil {
					t.Errorf("output %s:%d (%v): %v", x.node, x.idx, got.DType(), err)
				}
			}
		})
		ran++
	}
	t.Logf("ran %d of %d corpus graphs", ran, len(cases))
	ops := map[string]bool{}
	for _, c := range cases {
		if ours(c.graph) {
			for _, n := range c.graph.Node {
				ops[n.Op] = true
			}
		}
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range ops {
			if !yield(k) {
				return
			}
		}
	})
	t.Logf("ops exercised: %v", names)
}

// testPack is a minimal Pack for the corpus graphs (fixed-size dtypes).
func testPack(in []*tensor.Tensor, axis int) (*tensor.Tensor, error) {
	s := in[0].Shape()
	if axis < 0 {
		axis += len(s) + 1
	}
	out := append(append(s[:axis:axis].Clone(), len(in)), s[axis:]...)
	size := in[0].DType().Size()
	inner := s[axis:].NumElements() * size
	outer := s[:axis].NumElements()
	var b []byte
	for o := range outer {
		for _, t := range in {
			b = append(b, t.Bytes()[o*inner:(o+1)*inner]...)
		}
	}
	return tensor.FromBytes(in[0].DType(), out, b)
}

// readDTypes reads a case's dtypes file: "<node>.<index> <dtype>" lines.
func readDTypes(t *testing.T, dir string) map[string]tensor.DType {
	m := map[string]tensor.DType{}
	b, err := os.ReadFile(filepath.Join(dir, "dtypes"))
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		if dt, err := tensor.ParseDType(f[1]); err == nil {
			m[f[0]] = dt
		}
	}
	return m
}
