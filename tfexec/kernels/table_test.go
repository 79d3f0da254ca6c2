package kernels_test

// These tests hold every row of the kernel table to its DTypes: the dtypes
// a row declares must be the ones its kernel implements.
//
//   - TestFactoriesHonourDTypes prepares a node per dtype with the type
//     attribute set. A declared dtype must never be refused with
//     ErrUnsupported; and where the factory checks dtypes at all (it
//     refuses at least one), it must refuse exactly the undeclared ones.
//   - TestKernelsHonourDTypes runs kernels on inputs of each dtype in
//     turn: a declared dtype must not fail with ErrUnsupported and an
//     undeclared one must fail. The inputs are those of an op-corpus
//     node of the op, its typed inputs converted to each dtype, or those
//     of a recipe (recipes_test.go), which must run without error on
//     every declared dtype. Every row whose factory does not check
//     dtypes must be run this way: a new one needs a corpus node or a
//     recipe.
//   - Both check that the corpus runs every op on dtypes it declares.
//
// A row whose factory checks dtypes and that the corpus cannot run is
// thus checked when it is prepared only; its kernel checks its inputs at
// run time against the same list (and package elementwise runs all its
// rows on every dtype too).

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfops"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// prepare runs d's factory on def with the type attribute set to dt,
// turning a panic into an error.
func prepare(d kernel.Def, def *tfpb.NodeDef, dt tensor.DType) (k kernel.Kernel, n *kernel.Node, err error) {
	def = proto.Clone(def).(*tfpb.NodeDef)
	if def.Attr == nil {
		def.Attr = map[string]*tfpb.AttrValue{}
	}
	if def.Attr[d.TypeAttr], err = graph.AttrValue(dt); err != nil {
		return nil, nil, err
	}
	n = kernel.NewNode(def)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("factory panicked: %v", r)
		}
	}()
	k, err = d.New(n)
	return k, n, err
}

func TestFactoriesHonourDTypes(t *testing.T) {
	templates, _ := corpus(t)
	checked := 0
	for _, d := range kernel.Defs() {
		if d.DTypes == nil {
			continue
		}
		t.Run(d.Op, func(t *testing.T) {
			def, ok := templates[d.Op]
			if !ok {
				def = graph.NewNode("n", d.Op, nil, bareAttrs[d.Op])
			}
			var refused []tensor.DType
			errs := map[tensor.DType]error{}
			for _, dt := range tensor.AllDTypes() {
				_, _, err := prepare(d, def, dt)
				assert.NotContains(t, fmt.Sprint(err), "panicked", "%v", dt)
				if errors.Is(err, kernel.ErrUnsupported) {
					refused = append(refused, dt)
					errs[dt] = err
				}
			}
			require.Less(t, len(refused), len(tensor.AllDTypes()),
				"the factory refuses every dtype (%v): set the other attributes it needs in bareAttrs", errs[tensor.Float32])
			for _, dt := range refused {
				if slices.Contains(d.DTypes, dt) {
					t.Errorf("declares %v, but the factory refuses it: %v", dt, errs[dt])
				}
			}
			if len(refused) > 0 {
				checked++
				accepted := slices.DeleteFunc(tensor.AllDTypes(), func(dt tensor.DType) bool { return slices.Contains(refused, dt) })
				assert.Equal(t, names(d.DTypes), names(accepted), "the dtypes the factory accepts")
			}
		})
	}
	t.Logf("%d rows' factories check their dtypes", checked)
}

// typedInputs lists, for ops with inputs of a fixed dtype equal to a
// corpus node's type, the inputs the type attribute types; other ops'
// inputs are typed when their dtype is the node's type.
var typedInputs = map[string][]int{
	"CropAndResize": {0}, // the boxes are float32
}

// bareAttrs are the attributes a factory needs besides the type, for ops
// the corpus has no node of.
var bareAttrs = map[string]map[string]any{
	"AvgPool":   {"padding": "VALID", "ksize": []int{1, 1, 1, 1}, "strides": []int{1, 1, 1, 1}},
	"MaxPool":   {"padding": "VALID", "ksize": []int{1, 1, 1, 1}, "strides": []int{1, 1, 1, 1}},
	"MaxPoolV2": {"padding": "VALID"},
	"_FusedConv2D": {"padding": "VALID", "strides": []int{1, 1, 1, 1},
		"fused_ops": []string{"BiasAdd"}, "num_args": 1},
	"_FusedDepthwiseConv2dNative": {"padding": "VALID", "strides": []int{1, 1, 1, 1},
		"fused_ops": []string{"BiasAdd"}, "num_args": 1},
	"FusedDepthwiseConv2dNative": {"padding": "VALID", "strides": []int{1, 1, 1, 1},
		"fused_ops": []string{"BiasAdd"}, "num_args": 1},
	"_FusedMatMul": {"fused_ops": []string{"BiasAdd"}, "num_args": 1},
}

func TestKernelsHonourDTypes(t *testing.T) {
	templates, examples := corpus(t)
	fromCorpus := 0
	for _, d := range kernel.Defs() {
		if d.DTypes == nil {
			continue
		}
		probe, ok := examples[d.Op]
		recipe, fromRecipe := recipes[d.Op]
		switch {
		case fromRecipe:
			probe = recipe.example(d)
		case ok && !probe.empty():
			fromCorpus++
		default:
			assert.True(t, checksDTypes(d, templates), "%s: no factory check and no corpus node to run: add a recipe", d.Op)
			continue
		}
		t.Run(d.Op, func(t *testing.T) {
			for _, dt := range tensor.AllDTypes() {
				err := probe.run(d, dt)
				switch {
				case !slices.Contains(d.DTypes, dt):
					assert.Error(t, err, "%v is not declared, but the kernel runs it", dt)
				case fromRecipe:
					// A recipe's inputs are valid for every declared dtype.
					assert.NoError(t, err, "declares %v", dt)
					if dt.IsQuantized() {
						assert.NoError(t, probe.keepsQuantized(d, dt))
					}
				case errors.Is(err, kernel.ErrUnsupported) || strings.Contains(fmt.Sprint(err), "panicked"):
					// Converted corpus values may be invalid for the op
					// (a zero divisor, say), but never unsupported.
					t.Errorf("declares %v, but the kernel refuses it: %v", dt, err)
				}
			}
		})
	}
	t.Logf("%d rows run on corpus inputs, %d on recipes", fromCorpus, len(recipes))
}

// checksDTypes reports whether d's factory refuses some dtype.
func checksDTypes(d kernel.Def, templates map[string]*tfpb.NodeDef) bool {
	def, ok := templates[d.Op]
	if !ok {
		def = graph.NewNode("n", d.Op, nil, bareAttrs[d.Op])
	}
	for _, dt := range tensor.AllDTypes() {
		if _, _, err := prepare(d, def, dt); errors.Is(err, kernel.ErrUnsupported) {
			return true
		}
	}
	return false
}

// names returns the dtypes' names, sorted by dtype.
func names(dts []tensor.DType) []string {
	dts = slices.Clone(dts)
	slices.Sort(dts)
	out := make([]string, len(dts))
	for i, dt := range dts {
		out[i] = dt.String()
	}
	return out
}

var (
	corpusOnce      sync.Once
	corpusTemplates map[string]*tfpb.NodeDef
	corpusExamples  map[string]example
)

// corpus returns, for each op of a row with dtypes, a corpus node to
// prepare (with the op's other attributes set as a real graph sets them)
// and, where the executor can compute its inputs, an example to run.
func corpus(t *testing.T) (map[string]*tfpb.NodeDef, map[string]example) {
	root := filepath.Join(testutil.SharedModels(t), "tfops")
	corpusOnce.Do(func() {
		names, err := tfops.Find(root)
		require.NoError(t, err)
		defs := map[string]kernel.Def{}
		for _, d := range kernel.Defs() {
			if d.DTypes != nil {
				defs[d.Op] = d
			}
		}
		corpusTemplates, corpusExamples = findExamples(t, root, names, defs)
	})
	require.NotNil(t, corpusExamples, "loading the corpus failed")
	return corpusTemplates, corpusExamples
}

// example is a node to run with the values of its data inputs for a
// dtype.
type example struct {
	def    *tfpb.NodeDef
	inputs func(tensor.DType) []*tensor.Tensor
}

// empty reports whether an input of ex has no elements: a kernel may
// return before it looks at the dtype, so running it proves little.
func (ex example) empty() bool {
	return slices.ContainsFunc(ex.inputs(tensor.Float32), func(x *tensor.Tensor) bool { return x.NumElements() == 0 })
}

// run prepares and runs ex's kernel with its type set to dt, turning a
// panic into an error.
func (ex example) run(d kernel.Def, dt tensor.DType) error {
	_, err := ex.outputs(d, dt)
	return err
}

// outputs runs the example with dtype dt.
func (ex example) outputs(d kernel.Def, dt tensor.DType) (out []*tensor.Tensor, err error) {
	k, n, err := prepare(d, ex.def, dt)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("kernel panicked: %v", r)
		}
	}()
	return k(&kernel.Context{Context: context.Background(), Node: n}, ex.inputs(dt))
}

// keepsQuantized checks, for a quantized dt, that the outputs that have
// the node's type (those that are int8 when it runs on int8 and int64 when
// it runs on int64) have dt: a quantized type is held as its integer type
// (qint8 as int8), and a kernel that rebuilds its output from the Go slice
// would silently drop it.
func (ex example) keepsQuantized(d kernel.Def, dt tensor.DType) error {
	plain, err := ex.outputs(d, dt.Storage())
	if err != nil {
		return nil // nothing to compare with
	}
	wide, err := ex.outputs(d, tensor.Int64)
	if err != nil || len(wide) != len(plain) {
		return nil
	}
	out, err := ex.outputs(d, dt)
	if err != nil {
		return err
	}
	for i, o := range plain {
		typed := o != nil && o.DType() == dt.Storage() && wide[i].DType() == tensor.Int64
		if typed && i < len(out) && out[i].DType() != dt {
			return fmt.Errorf("output %d is %v, want %v", i, out[i].DType(), dt)
		}
	}
	return nil
}

// corpusExample is the example of a corpus node of type dt with the
// given inputs: its typed inputs are converted to the dtype asked for.
func corpusExample(op string, def *tfpb.NodeDef, dt tensor.DType, inputs []*tensor.Tensor) example {
	return example{def: def, inputs: func(to tensor.DType) []*tensor.Tensor {
		in := make([]*tensor.Tensor, len(inputs))
		for i, x := range inputs {
			in[i] = x
			typed, ok := typedInputs[op]
			if ok && slices.Contains(typed, i) || !ok && x.DType() == dt {
				in[i] = convert(x, to)
			}
		}
		return in
	}}
}

// findExamples finds, for each op in defs, corpus nodes whose type
// attribute is set, preferring a float type (so that index inputs, which
// are integers, are never taken for values of the type): the first as a
// template and the first whose inputs the executor computes as an
// example. It also checks that each node's dtype is one its op declares:
// the corpus passes, so its dtypes are implemented.
func findExamples(t *testing.T, root string, names []string, defs map[string]kernel.Def) (map[string]*tfpb.NodeDef, map[string]example) {
	type candidate struct {
		c   *tfops.Case
		def *tfpb.NodeDef
		dt  tensor.DType
	}
	candidates := map[string][]candidate{}
	for _, name := range names {
		c, err := tfops.Load(root, name)
		require.NoError(t, err, name)
		for _, n := range c.Graph.GetNode() {
			d, ok := defs[n.GetOp()]
			if !ok || !graph.AttrsOf(n).Has(d.TypeAttr) {
				continue
			}
			dt, err := graph.AttrsOf(n).Type(d.TypeAttr, tensor.Invalid)
			require.NoError(t, err)
			assert.Contains(t, d.DTypes, dt, "%s: node %q of the corpus case %s runs %s on an undeclared dtype", n.GetOp(), n.GetName(), name, dt)
			candidates[n.GetOp()] = append(candidates[n.GetOp()], candidate{c, n, dt})
		}
	}
	templates, examples := map[string]*tfpb.NodeDef{}, map[string]example{}
	for op, cs := range candidates {
		slices.SortStableFunc(cs, func(a, b candidate) int {
			return boolOrder(a.dt.IsFloat(), b.dt.IsFloat())
		})
		templates[op] = cs[0].def
		for _, cand := range cs[:min(len(cs), 8)] {
			in, err := inputsOf(cand.c, cand.def)
			if err != nil || ambiguous(cand.dt, in) {
				continue
			}
			ex := corpusExample(op, cand.def, cand.dt, in)
			if _, ok := examples[op]; !ok || !ex.empty() {
				examples[op] = ex
			}
			if !ex.empty() {
				break
			}
		}
	}
	return templates, examples
}

// ambiguous reports whether inputs of the type dt may hold something
// else than values of the type: indices, which are integers too.
func ambiguous(dt tensor.DType, inputs []*tensor.Tensor) bool {
	n := 0
	for _, x := range inputs {
		if x.DType() == dt {
			n++
		}
	}
	return dt.IsInteger() && n > 1
}

func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// inputsOf runs the case's graph up to def's data inputs.
func inputsOf(c *tfops.Case, def *tfpb.NodeDef) ([]*tensor.Tensor, error) {
	var fetches []string
	for _, in := range def.GetInput() {
		if !strings.HasPrefix(in, "^") {
			fetches = append(fetches, in)
		}
	}
	if len(fetches) == 0 {
		return nil, nil
	}
	e, err := tfexec.New(c.Graph)
	if err != nil {
		return nil, err
	}
	return e.Run(context.Background(), c.Feeds, fetches)
}

// convert returns x's values as dtype dt (see kerneltest.Values; strings
// are parsed, and values without a real form are zeros).
func convert(x *tensor.Tensor, dt tensor.DType) *tensor.Tensor {
	if x.DType() == dt {
		return x
	}
	vals, err := tensor.Float64s(x)
	if err != nil {
		vals = make([]float64, x.NumElements())
		if s, ok := x.Data().([]string); ok {
			for i, v := range s {
				vals[i], _ = strconv.ParseFloat(v, 64)
			}
		}
	}
	return kerneltest.Values(dt, x.Shape().Clone(), vals...)
}
