package tfexec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// withMaxTensorBytes sets the per-tensor budget for one test.
func withMaxTensorBytes(t *testing.T, n int64) {
	prev := tensor.SetMaxTensorBytes(n)
	t.Cleanup(func() { tensor.SetMaxTensorBytes(prev) })
}

func i32s(v ...int32) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(v)}, v) }

func f32s(shape tensor.Shape) *tensor.Tensor {
	return tensor.MustFromSlice(shape, make([]float32, shape.NumElements()))
}

// TestSizesFromDataAreBudgeted runs, under a 1 MiB per-tensor budget, one
// node per op whose output size comes from tensor values, attributes or a
// product of input sizes, each asking for more: every one must fail with
// a one-line *tensor.TooLargeError naming the node, and the same executor
// must then run a small graph normally.
func TestSizesFromDataAreBudgeted(t *testing.T) {
	withMaxTensorBytes(t, 1<<20)
	i32 := map[string]any{"T": tensor.Int32}
	f32 := map[string]any{"T": tensor.Float32}
	for _, tc := range []struct {
		op    string
		attrs map[string]any
		in    []*tensor.Tensor
	}{
		{"Fill", f32, []*tensor.Tensor{i32s(1_000_000, 1_000_000), tensor.Scalar(float32(1))}},
		{"Fill", f32, []*tensor.Tensor{i32s(512, 1024), tensor.Scalar(float32(1))}}, // 2 MiB
		{"BroadcastTo", f32, []*tensor.Tensor{tensor.Scalar(float32(1)), i32s(1<<30, 1<<30)}},
		{"Tile", f32, []*tensor.Tensor{f32s(tensor.Shape{2, 2}), i32s(1000, 1000)}},
		{"Range", map[string]any{"Tidx": tensor.Int32}, []*tensor.Tensor{tensor.Scalar(int32(0)), tensor.Scalar(int32(1 << 30)), tensor.Scalar(int32(1))}},
		{"LinSpace", f32, []*tensor.Tensor{tensor.Scalar(float32(0)), tensor.Scalar(float32(1)), tensor.Scalar(int32(1 << 20))}},
		{"Pad", f32, []*tensor.Tensor{f32s(tensor.Shape{1, 1}), tensor.MustFromSlice(tensor.Shape{2, 2}, []int32{0, 1 << 20, 0, 0})}},
		{"Diag", f32, []*tensor.Tensor{f32s(tensor.Shape{1024})}},
		{"AddV2", f32, []*tensor.Tensor{f32s(tensor.Shape{1024, 1}), f32s(tensor.Shape{1, 1024})}},
		{"Less", f32, []*tensor.Tensor{f32s(tensor.Shape{1024, 1}), f32s(tensor.Shape{1, 1024})}},
		{"SelectV2", f32, []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{1024, 1}, make([]bool, 1024)), f32s(tensor.Shape{1, 1024}), f32s(tensor.Shape{1})}},
		{"MatMul", f32, []*tensor.Tensor{f32s(tensor.Shape{1024, 0}), f32s(tensor.Shape{0, 1024})}},
		{"BatchMatMulV2", f32, []*tensor.Tensor{f32s(tensor.Shape{512, 1, 1, 1}), f32s(tensor.Shape{1, 512, 1, 1})}},
		{"OneHot", map[string]any{"T": tensor.Float32, "TI": tensor.Int32}, []*tensor.Tensor{i32s(0, 1), tensor.Scalar(int32(1 << 20)), tensor.Scalar(float32(1)), tensor.Scalar(float32(0))}},
		{"GatherV2", map[string]any{"Tparams": tensor.Float32, "Tindices": tensor.Int32, "Taxis": tensor.Int32}, []*tensor.Tensor{f32s(tensor.Shape{1, 1024}), i32s(make([]int32, 1024)...), tensor.Scalar(int32(0))}},
		{"ScatterNd", map[string]any{"T": tensor.Float32, "Tindices": tensor.Int32}, []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{1, 1}, []int32{0}), f32s(tensor.Shape{1}), i32s(1 << 20)}},
		{"ResizeBilinear", f32, []*tensor.Tensor{f32s(tensor.Shape{1, 2, 2, 1}), i32s(1024, 1024)}},
		{"ResizeNearestNeighbor", f32, []*tensor.Tensor{f32s(tensor.Shape{1, 2, 2, 1}), i32s(1024, 1024)}},
		{"CropAndResize", f32, []*tensor.Tensor{f32s(tensor.Shape{1, 2, 2, 1}), f32s(tensor.Shape{1, 4}), i32s(0), i32s(1024, 1024)}},
		{"SpaceToBatchND", f32, []*tensor.Tensor{f32s(tensor.Shape{1, 1, 1}), i32s(1), tensor.MustFromSlice(tensor.Shape{1, 2}, []int32{0, 1 << 20})}},
		{"Conv2DBackpropInput", map[string]any{"T": tensor.Float32, "strides": []int64{1, 32, 32, 1}, "padding": "VALID"},
			[]*tensor.Tensor{i32s(1, 1024, 1024, 1), f32s(tensor.Shape{1, 1, 1, 1}), f32s(tensor.Shape{1, 32, 32, 1})}},
		{"Conv2D", map[string]any{"T": tensor.Float32, "strides": []int64{1, 1, 1, 1}, "padding": "VALID"},
			[]*tensor.Tensor{f32s(tensor.Shape{1, 64, 64, 1}), f32s(tensor.Shape{1, 1, 1, 1024})}},
		{"UnsortedSegmentSum", map[string]any{"T": tensor.Float32, "Tindices": tensor.Int32, "Tnumsegments": tensor.Int32},
			[]*tensor.Tensor{f32s(tensor.Shape{1}), i32s(0), tensor.Scalar(int32(1 << 20))}},
		{"Sum", map[string]any{"T": tensor.Float32, "Tidx": tensor.Int32}, []*tensor.Tensor{f32s(tensor.Shape{0, 1024, 1024}), tensor.Scalar(int32(0))}},
		{"RandomUniform", map[string]any{"T": tensor.Int32, "dtype": tensor.Float32}, []*tensor.Tensor{i32s(1024, 1024)}},
		{"Split", map[string]any{"T": tensor.Float32, "num_split": int64(1 << 20)}, []*tensor.Tensor{tensor.Scalar(int32(0)), f32s(tensor.Shape{0})}},
		{"DynamicPartition", map[string]any{"T": tensor.Float32, "num_partitions": int64(1 << 20)}, []*tensor.Tensor{f32s(tensor.Shape{1}), i32s(0)}},
		{"ParseExample", map[string]any{"Nsparse": 0, "Ndense": 1, "sparse_types": []tensor.DType{},
			"Tdense": []tensor.DType{tensor.Float32}, "dense_shapes": []graph.ShapeAttr{{512, 1024}}},
			[]*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{1}, []string{""}), tensor.MustFromSlice(tensor.Shape{0}, []string{}),
				tensor.Scalar("x"), f32s(tensor.Shape{0})}},
		{"TensorListReserve", map[string]any{"element_dtype": tensor.Float32, "shape_type": tensor.Int32}, []*tensor.Tensor{i32s(), tensor.Scalar(int32(1 << 20))}},
		{"TensorArrayV3", map[string]any{"dtype": tensor.Float32}, []*tensor.Tensor{tensor.Scalar(int32(1 << 20))}},
		{"Where", i32, []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{1, 1, 1 << 17}, func() []bool {
			b := make([]bool, 1<<17)
			for i := range b {
				b[i] = true
			}
			return b
		}())}},
	} {
		t.Run(tc.op, func(t *testing.T) {
			var b graph.Builder
			ins := make([]string, len(tc.in))
			for i, v := range tc.in {
				ins[i] = fmt.Sprintf("in%d", i)
				b.Const(ins[i], v)
			}
			b.Add("big", tc.op, ins, tc.attrs)
			b.Const("two", tensor.Scalar(int32(2)))
			b.Add("small", "AddV2", []string{"two", "two"}, i32)
			e, err := New(b.Graph())
			require.NoError(t, err)

			_, err = e.Run(context.Background(), nil, []string{"big"})
			var tl *tensor.TooLargeError
			require.ErrorAs(t, err, &tl, "%v", err)
			assert.Equal(t, tensor.TensorBudget, tl.Budget)
			assert.Greater(t, tl.Bytes, int64(1<<20))
			var ne *NodeError
			require.ErrorAs(t, err, &ne)
			assert.Equal(t, "big", ne.Node)
			assert.Equal(t, tc.op, ne.Op)
			msg := err.Error()
			assert.NotContains(t, msg, "\n")
			assert.NotContains(t, msg, "goroutine")
			assert.True(t, strings.HasPrefix(msg, fmt.Sprintf("node %q (%s): ", "big", tc.op)), msg)
			assert.Contains(t, msg, tl.Shape.String())

			out, err := e.Run(context.Background(), nil, []string{"small"})
			require.NoError(t, err, "the executor keeps working")
			assert.Equal(t, int32(4), tensor.Values[int32](out[0])[0])
		})
	}
}

// TestReshapeToAHugeShapeAllocatesNothing: Reshape shares its input's
// memory, so a huge declared shape is only a shape mismatch.
func TestReshapeToAHugeShapeAllocatesNothing(t *testing.T) {
	var b graph.Builder
	b.Const("x", f32s(tensor.Shape{4}))
	b.Const("shape", i32s(1_000_000, 1_000_000))
	b.Add("r", "Reshape", []string{"x", "shape"}, map[string]any{"T": tensor.Float32, "Tshape": tensor.Int32})
	_, err := runGraph(t, b.Graph(), nil, "r")
	var ne *NodeError
	require.ErrorAs(t, err, &ne)
	assert.Equal(t, "r", ne.Node)
	assert.NotContains(t, err.Error(), "\n")
}

func init() {
	kernel.Register(kernel.Def{Op: "TestMustNew", New: kernel.Stateless(func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		return []*tensor.Tensor{tensor.MustNew(tensor.Float32, tensor.Shape{int(tensor.Values[int32](in[0])[0])})}, nil
	})})
}

// TestMustNewOverBudgetIsAnOrdinaryError: kernels allocate outputs with
// tensor.MustNew; over the budget it panics with the TooLargeError, which
// the executor reports as the node's error, without a stack.
func TestMustNewOverBudgetIsAnOrdinaryError(t *testing.T) {
	withMaxTensorBytes(t, 1<<10)
	var b graph.Builder
	b.Const("n", i32(1024))
	b.Add("m", "TestMustNew", []string{"n"}, nil)
	_, err := runGraph(t, b.Graph(), nil, "m")
	var tl *tensor.TooLargeError
	require.ErrorAs(t, err, &tl)
	var pe *PanicError
	assert.False(t, errors.As(err, &pe))
	assert.Equal(t, `node "m" (TestMustNew): tensor: float32[1024] needs 4 KiB, over the limit of 1 KiB for one tensor (TFOFFLOAD_MAX_TENSOR_BYTES)`, err.Error())
}

// TestRunBudget checks the per-run budget: what a run holds at once is
// counted (views once, with their source), freed as consumers finish, and
// going over is an error naming the node.
func TestRunBudget(t *testing.T) {
	const mib = 1 << 20
	f32 := map[string]any{"T": tensor.Float32}
	fill := func(b *graph.Builder, name string) {
		b.Add(name, "Fill", []string{"dims", "one"}, f32)
	}
	base := func() *graph.Builder {
		var b graph.Builder
		b.Const("dims", i32s(512, 512)) // 1 MiB of float32
		b.Const("one", tensor.Scalar(float32(1)))
		return &b
	}
	for _, tc := range []struct {
		name  string
		build func() (*graph.Builder, string)
		limit int64
		peak  int64 // 0: the run must fail
	}{
		{"four live tensors", func() (*graph.Builder, string) {
			b := base()
			for _, n := range []string{"a", "b", "c", "d"} {
				fill(b, n)
			}
			b.Add("sum", "AddN", []string{"a", "b", "c", "d"}, map[string]any{"T": tensor.Float32, "N": 4})
			return b, "sum"
		}, 3 * mib, 0},
		{"a chain frees as it goes", func() (*graph.Builder, string) {
			b := base()
			fill(b, "x0")
			for i := 1; i <= 10; i++ {
				b.Add(fmt.Sprintf("x%d", i), "AddV2", []string{fmt.Sprintf("x%d", i-1), "one"}, f32)
			}
			return b, "x10"
		}, 3 * mib, 2 * mib},
		{"views count once", func() (*graph.Builder, string) {
			b := base()
			fill(b, "x")
			b.Const("flat", i32s(512*512))
			b.Add("r1", "Reshape", []string{"x", "flat"}, map[string]any{"T": tensor.Float32, "Tshape": tensor.Int32})
			b.Add("r2", "Reshape", []string{"r1", "dims"}, map[string]any{"T": tensor.Float32, "Tshape": tensor.Int32})
			b.Add("r3", "Identity", []string{"r2"}, f32)
			return b, "r3"
		}, mib + 1, mib},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, fetch := tc.build()
			e, err := New(b.Graph(), WithMaxRunBytes(tc.limit))
			require.NoError(t, err)
			var stats RunStats
			_, err = e.Run(context.Background(), nil, []string{fetch}, WithRunStats(&stats))
			if tc.peak > 0 {
				require.NoError(t, err)
				assert.Equal(t, tc.peak, stats.PeakBytes)
				return
			}
			var tl *tensor.TooLargeError
			require.ErrorAs(t, err, &tl)
			assert.Equal(t, tensor.RunBudget, tl.Budget)
			assert.Equal(t, int64(mib), tl.Bytes)
			assert.Greater(t, tl.Held, tc.limit)
			var ne *NodeError
			require.ErrorAs(t, err, &ne)
			assert.Equal(t, "Fill", ne.Op)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

// TestRunBudgetOfALoop: a loop carrying 1 MiB for 200 iterations holds a
// few of them at once, not 200.
func TestRunBudgetOfALoop(t *testing.T) {
	g, fetch := counterLoop(200, 1<<18, 10)
	e, err := New(g, WithMaxRunBytes(16<<20))
	require.NoError(t, err)
	var stats RunStats
	out, err := e.Run(context.Background(), nil, []string{fetch}, WithRunStats(&stats))
	require.NoError(t, err)
	assert.Equal(t, float32(200*(1<<18)), tensor.Values[float32](out[0])[0])
	t.Logf("peak %s", tensor.FormatBytes(stats.PeakBytes))
	assert.LessOrEqual(t, stats.PeakBytes, int64(4<<20))
}
