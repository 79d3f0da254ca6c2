package lists_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
)

// cumsumLoop builds the graph of a running sum over the rows of x [n, 2]
// as a TF1 while loop, the way tf.while_loop lowers it: the rows reach the
// loop through a container, the loop adds row i to the accumulator and
// stores the sum at index i of a second container, which is stacked after
// the loop. With arrays the containers are TensorArrays threaded by flow
// scalars (what dynamic_rnn builds); otherwise TensorLists carried as loop
// variables (what TF2's lowered loops and TF.js graphs carry). v2 builds
// the arrays with TensorFlow 1.0's V2 ops: string handles, and a flow
// that starts from a constant.
func cumsumLoop(arrays, v2 bool) *tfpb.GraphDef {
	var b graph.Builder
	f32 := map[string]any{"T": tensor.Float32}
	i32 := map[string]any{"T": tensor.Int32}
	enter := func(name, in string, dt tensor.DType, constant bool) {
		b.Add(name, "Enter", []string{in}, map[string]any{"T": dt, "frame_name": "loop", "is_constant": constant})
	}
	b.Placeholder("x", tensor.Float32, graph.ShapeAttr{-1, 2})
	b.Placeholder("n", tensor.Int32, graph.ShapeAttr{})
	b.Const("zero", tensor.Scalar(int32(0)))
	b.Const("one", tensor.Scalar(int32(1)))
	b.Const("acc0", tensor.MustFromSlice(tensor.Shape{2}, []float32{0, 0}))
	b.Const("elem_shape", tensor.MustFromSlice(tensor.Shape{1}, []int32{2}))
	b.Add("range", "Range", []string{"zero", "n", "one"}, map[string]any{"Tidx": tensor.Int32})

	// The input container, and the output container's initial value.
	carried, carriedT := "flow0", tensor.Float32
	v, handle := "V3", tensor.Resource
	if v2 {
		v, handle = "V2", tensor.String
	}
	if arrays {
		ta := map[string]any{"dtype": tensor.Float32, "element_shape": graph.ShapeAttr{2}}
		b.Add("ta_in", "TensorArray"+v, []string{"n"}, ta)
		b.Add("ta_out", "TensorArray"+v, []string{"n"}, ta)
		if v2 {
			b.Const("flow_in", tensor.Scalar(float32(0)))
			b.Const("flow0", tensor.Scalar(float32(0)))
		} else {
			b.Add("flow_in", "Identity", []string{"ta_in:1"}, f32)
			b.Add("flow0", "Identity", []string{"ta_out:1"}, f32)
		}
		b.Add("scatter", "TensorArrayScatter"+v, []string{"ta_in", "range", "x", "flow_in"}, f32)
		enter("loop/in", "ta_in", handle, true)
		enter("loop/in_flow", "scatter", tensor.Float32, true)
		enter("loop/out_ta", "ta_out", handle, true)
	} else {
		la := map[string]any{"element_dtype": tensor.Float32, "shape_type": tensor.Int32}
		b.Const("unknown_shape", tensor.Scalar(int32(-1)))
		b.Add("list_in", "TensorListFromTensor", []string{"x", "unknown_shape"}, la)
		b.Add("list0", "TensorListReserve", []string{"elem_shape", "n"}, la)
		carried, carriedT = "list0", tensor.Variant
		enter("loop/in", "list_in", tensor.Variant, true)
	}
	enter("loop/n", "n", tensor.Int32, true)
	enter("loop/shape", "elem_shape", tensor.Int32, true)
	vars := []struct {
		name, init string
		dt         tensor.DType
	}{{"i", "zero", tensor.Int32}, {"acc", "acc0", tensor.Float32}, {"out", carried, carriedT}}
	for _, v := range vars {
		enter("loop/"+v.name+"_enter", v.init, v.dt, false)
		b.Add("loop/"+v.name+"_merge", "Merge", []string{"loop/" + v.name + "_enter", "loop/" + v.name + "_next"}, map[string]any{"T": v.dt, "N": 2})
	}
	b.Add("loop/less", "Less", []string{"loop/i_merge", "loop/n"}, i32)
	b.Add("loop/cond", "LoopCond", []string{"loop/less"}, nil)
	for _, v := range vars {
		b.Add("loop/"+v.name+"_switch", "Switch", []string{"loop/" + v.name + "_merge", "loop/cond"}, map[string]any{"T": v.dt})
		b.Add("loop/"+v.name, "Identity", []string{"loop/" + v.name + "_switch:1"}, map[string]any{"T": v.dt})
		b.Add("loop/"+v.name+"_exit", "Exit", []string{"loop/" + v.name + "_switch"}, map[string]any{"T": v.dt})
	}
	b.Const("loop/one", tensor.Scalar(int32(1))).Input = []string{"^loop/i"}
	b.Add("loop/i_add", "AddV2", []string{"loop/i", "loop/one"}, i32)
	if arrays {
		b.Add("loop/row", "TensorArrayRead"+v, []string{"loop/in", "loop/i", "loop/in_flow"}, map[string]any{"dtype": tensor.Float32})
		b.Add("loop/sum", "AddV2", []string{"loop/acc", "loop/row"}, f32)
		b.Add("loop/out_new", "TensorArrayWrite"+v, []string{"loop/out_ta", "loop/i", "loop/sum", "loop/out"}, f32)
	} else {
		el := map[string]any{"element_dtype": tensor.Float32}
		b.Add("loop/row", "TensorListGetItem", []string{"loop/in", "loop/i", "loop/shape"}, el)
		b.Add("loop/sum", "AddV2", []string{"loop/acc", "loop/row"}, f32)
		b.Add("loop/out_new", "TensorListSetItem", []string{"loop/out", "loop/i", "loop/sum"}, el)
	}
	b.Add("loop/i_next", "NextIteration", []string{"loop/i_add"}, i32)
	b.Add("loop/acc_next", "NextIteration", []string{"loop/sum"}, f32)
	b.Add("loop/out_next", "NextIteration", []string{"loop/out_new"}, map[string]any{"T": carriedT})
	if arrays {
		b.Add("sizes", "TensorArraySize"+v, []string{"ta_out", "loop/out_exit"}, nil)
		b.Add("all", "Range", []string{"zero", "sizes", "one"}, map[string]any{"Tidx": tensor.Int32})
		b.Add("result", "TensorArrayGather"+v, []string{"ta_out", "all", "loop/out_exit"}, map[string]any{"dtype": tensor.Float32, "element_shape": graph.ShapeAttr{2}})
	} else {
		b.Add("result", "TensorListStack", []string{"loop/out_exit", "elem_shape"}, map[string]any{"element_dtype": tensor.Float32})
	}
	return b.Graph()
}

// TestLoopsOverContainers runs the running-sum loop with both container
// kinds, for several lengths, from several goroutines at once: every run
// must get its own arrays (run with -race).
func TestLoopsOverContainers(t *testing.T) {
	for _, c := range []struct {
		name       string
		arrays, v2 bool
	}{{"TensorArray", true, false}, {"TensorArrayV2", true, true}, {"TensorList", false, false}} {
		t.Run(c.name, func(t *testing.T) {
			e, err := tfexec.New(cumsumLoop(c.arrays, c.v2))
			require.NoError(t, err)
			var wg sync.WaitGroup
			for _, n := range []int{0, 1, 5, 40, 5, 1} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					x := make([]float32, 2*n)
					want := make([]float32, 2*n)
					for i := range x {
						x[i] = float32(i + 1)
						want[i] = x[i]
						if i >= 2 {
							want[i] += want[i-2]
						}
					}
					out, err := e.Run(context.Background(), map[string]*tensor.Tensor{
						"x": tensor.MustFromSlice(tensor.Shape{n, 2}, x),
						"n": tensor.Scalar(int32(n)),
					}, []string{"result"})
					if !assert.NoError(t, err, "n=%d", n) {
						return
					}
					assert.Equal(t, tensor.MustFromSlice(tensor.Shape{n, 2}, want), out[0], "n=%d", n)
				}()
			}
			wg.Wait()
		})
	}
}

// TestArrayPerRun checks that a TensorArray is per run: successive runs
// write index 0 of the array node's array, which a shared array would
// refuse ("already been written to").
func TestArrayPerRun(t *testing.T) {
	var b graph.Builder
	b.Placeholder("v", tensor.Float32, graph.ShapeAttr{})
	b.Const("size", tensor.Scalar(int32(1)))
	b.Const("idx", tensor.Scalar(int32(0)))
	b.Add("ta", "TensorArrayV3", []string{"size"}, map[string]any{"dtype": tensor.Float32})
	b.Add("w", "TensorArrayWriteV3", []string{"ta", "idx", "v", "ta:1"}, map[string]any{"T": tensor.Float32})
	b.Add("r", "TensorArrayReadV3", []string{"ta", "idx", "w"}, map[string]any{"dtype": tensor.Float32})
	e, err := tfexec.New(b.Graph())
	require.NoError(t, err)
	for i := range 3 {
		out, err := e.Run(context.Background(), map[string]*tensor.Tensor{"v": tensor.Scalar(float32(i))}, []string{"r"})
		require.NoError(t, err, fmt.Sprint(i))
		assert.Equal(t, tensor.Scalar(float32(i)), out[0])
	}
}

// TestListConstant runs a graph whose list is a Const of dtype variant,
// as constant folding leaves an empty or reserved list: [7], unset.
func TestListConstant(t *testing.T) {
	meta := []byte{1, 1, byte(tensor.Float32), 0x7f}
	shape, err := proto.Marshal(tensor.TFShapeProto(tensor.Shape{1}))
	require.NoError(t, err)
	elem, err := tensor.ToTFProto(tensor.MustFromSlice(tensor.Shape{1}, []float32{7}))
	require.NoError(t, err)
	l, err := tensor.FromAny(tensor.Variant, tensor.Shape{}, []any{&tfpb.VariantTensorDataProto{
		TypeName: "tensorflow::TensorList", Metadata: append(meta, shape...), Tensors: []*tfpb.TensorProto{elem}}})
	require.NoError(t, err)
	var b graph.Builder
	b.Const("list", l)
	b.Const("shape", tensor.Scalar(int32(-1)))
	b.Add("stack", "TensorListStack", []string{"list", "shape"}, map[string]any{"element_dtype": tensor.Float32})
	e, err := tfexec.New(b.Graph())
	require.NoError(t, err)
	out, err := e.Run(context.Background(), nil, []string{"stack"})
	require.NoError(t, err)
	assert.Equal(t, tensor.MustFromSlice(tensor.Shape{2, 1}, []float32{7, 0}), out[0])
}
