package gather

import (
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func TestGatherV2(t *testing.T) {
	p32 := f32(s(3, 2), 1, 2, 3, 4, 5, 6)
	tests := []struct {
		name      string
		batchDims int
		params    *tensor.Tensor
		indices   *tensor.Tensor
		axis      *tensor.Tensor
		want      *tensor.Tensor
	}{
		{"axis0", 0, p32, i32(s(2), 2, 0), tensor.Scalar(int32(0)), f32(s(2, 2), 5, 6, 1, 2)},
		{"axis1", 0, p32, i32(s(1), 1), tensor.Scalar(int32(1)), f32(s(3, 1), 2, 4, 6)},
		{"negative axis", 0, p32, i64(s(2), 1, 1), tensor.Scalar(int64(-1)), f32(s(3, 2), 2, 2, 4, 4, 6, 6)},
		{"scalar index", 0, p32, tensor.Scalar(int32(1)), tensor.Scalar(int32(0)), f32(s(2), 3, 4)},
		{"2-D indices", 0, p32, i32(s(2, 2), 0, 1, 2, 2), tensor.Scalar(int32(0)),
			f32(s(2, 2, 2), 1, 2, 3, 4, 5, 6, 5, 6)},
		{"duplicates", 0, f32(s(3), 7, 8, 9), i32(s(4), 2, 2, 0, 2), tensor.Scalar(int32(0)), f32(s(4), 9, 9, 7, 9)},
		{"empty indices", 0, p32, i32(s(0)), tensor.Scalar(int32(0)), f32(s(0, 2))},
		{"empty inner skips index checks", 0, f32(s(3, 0)), i32(s(2), 7, -1), tensor.Scalar(int32(0)), f32(s(2, 0))},
		{"batch_dims 1", 1, f32(s(2, 3), 1, 2, 3, 4, 5, 6), i32(s(2, 2), 2, 0, 1, 1), tensor.Scalar(int32(1)),
			f32(s(2, 2), 3, 1, 5, 5)},
		{"batch_dims -1", -1, f32(s(2, 3), 1, 2, 3, 4, 5, 6), i32(s(2, 2), 2, 0, 1, 1), tensor.Scalar(int32(1)),
			f32(s(2, 2), 3, 1, 5, 5)},
		{"batch_dims with outer and inner", 1,
			f32(s(2, 2, 2, 1), 1, 2, 3, 4, 5, 6, 7, 8), i32(s(2, 1), 1, 0), tensor.Scalar(int32(2)),
			f32(s(2, 2, 1, 1), 2, 4, 5, 7)},
		{"string", 0, str(s(3), "a", "b", "c"), i32(s(2), 2, 1), tensor.Scalar(int32(0)), str(s(2), "c", "b")},
		{"bool", 0, bools(s(2, 2), true, false, false, true), i32(s(1), 1), tensor.Scalar(int32(1)), bools(s(2, 1), false, true)},
		{"half", 0, f16(s(3), 0.5, 1.5, 2.5), i32(s(1), 2), tensor.Scalar(int32(0)), f16(s(1), 2.5)},
		{"bfloat16", 0, bf16(s(3), 0.5, 1.5, 2.5), i32(s(1), 0), tensor.Scalar(int32(0)), bf16(s(1), 0.5)},
		{"complex128", 0, tensor.MustFromSlice(s(2), []complex128{1 + 2i, 3 - 4i}), i32(s(2), 1, 0), tensor.Scalar(int32(0)),
			tensor.MustFromSlice(s(2), []complex128{3 - 4i, 1 + 2i})},
		{"uint64", 0, tensor.MustFromSlice(s(2), []uint64{1 << 60, 5}), i64(s(1), 0), tensor.Scalar(int32(0)),
			tensor.MustFromSlice(s(1), []uint64{1 << 60})},
		{"int8", 0, tensor.MustFromSlice(s(2), []int8{-3, 4}), i64(s(2), 1, 1), tensor.Scalar(int32(0)),
			tensor.MustFromSlice(s(2), []int8{4, 4})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, "GatherV2", map[string]any{"batch_dims": tc.batchDims}, tc.params, tc.indices, tc.axis)
			require.Len(t, out, 1)
			assertTensor(t, tc.want, out[0])
		})
	}
}

func TestGatherV1(t *testing.T) {
	out := run(t, "Gather", map[string]any{"validate_indices": true}, f32(s(3, 2), 1, 2, 3, 4, 5, 6), i64(s(2), 2, 0))
	assertTensor(t, f32(s(2, 2), 5, 6, 1, 2), out[0])
}

func TestGatherV2Errors(t *testing.T) {
	p := f32(s(3, 2), 1, 2, 3, 4, 5, 6)
	zero := tensor.Scalar(int32(0))
	kerneltest.RunInvalid(t, "GatherV2", []kerneltest.InvalidCase{
		{Name: "index too large", In: []*tensor.Tensor{p, i32(s(2), 0, 3), zero}},
		{Name: "negative index", In: []*tensor.Tensor{p, i64(s(1), -1), zero}},
		{Name: "axis out of range", In: []*tensor.Tensor{p, i32(s(1), 0), tensor.Scalar(int32(2))}},
		{Name: "axis below range", In: []*tensor.Tensor{p, i32(s(1), 0), tensor.Scalar(int32(-3))}},
		{Name: "axis not scalar", In: []*tensor.Tensor{p, i32(s(1), 0), i32(s(1), 0)}},
		{Name: "scalar params", In: []*tensor.Tensor{tensor.Scalar(float32(1)), i32(s(1), 0), zero}},
		{Name: "batch_dims above axis", Attrs: map[string]any{"batch_dims": 1}, In: []*tensor.Tensor{p, i32(s(3, 1), 0, 0, 0), zero}},
		{Name: "batch_dims too large", Attrs: map[string]any{"batch_dims": 2}, In: []*tensor.Tensor{p, i32(s(3, 1), 0, 0, 0), tensor.Scalar(int32(1))}},
		{Name: "batch dims differ", Attrs: map[string]any{"batch_dims": 1}, In: []*tensor.Tensor{p, i32(s(2, 1), 0, 0), tensor.Scalar(int32(1))}},
	})
}

func TestGatherV2OutOfRangeMessage(t *testing.T) {
	_, err := call("GatherV2", nil, f32(s(3), 1, 2, 3), i32(s(2, 2), 0, 1, 2, 5), tensor.Scalar(int32(0)))
	require.ErrorIs(t, err, kernel.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "indices[1,1] = 5 is not in [0, 3)")
}

func TestGatherV2BadIndexDType(t *testing.T) {
	_, err := call("GatherV2", map[string]any{"Tindices": tensor.Float32}, f32(s(1), 1), i32(s(1), 0), tensor.Scalar(int32(0)))
	require.Error(t, err)
}

// TestGatherV2Concurrent runs one prepared kernel from many goroutines,
// for the race detector, and checks the inputs stay untouched.
func TestGatherV2Concurrent(t *testing.T) {
	params := f32(s(64, 8), make([]float32, 512)...)
	for i := range tensor.Values[float32](params) {
		tensor.Values[float32](params)[i] = float32(i)
	}
	before := params.Clone()
	idx := i32(s(4), 63, 0, 5, 5)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := call("GatherV2", nil, params, idx, tensor.Scalar(int32(0)))
			assert.NoError(t, err)
			assert.Equal(t, float32(63*8), tensor.Values[float32](out[0])[0])
		}()
	}
	wg.Wait()
	assertTensor(t, before, params)
}

func TestGatherV2Large(t *testing.T) {
	// Big enough to run on several goroutines, with inner size 1 and > 1.
	for _, inner := range []int{1, 3} {
		n := 1 << 16
		vals := make([]int32, n*inner)
		for i := range vals {
			vals[i] = int32(i)
		}
		params := i32(s(n, inner), vals...)
		idx := make([]int64, n)
		for i := range idx {
			idx[i] = int64(n - 1 - i)
		}
		out := run(t, "GatherV2", nil, params, i64(s(n), idx...), tensor.Scalar(int32(0)))[0]
		got := tensor.Values[int32](out)
		for i := 0; i < n; i++ {
			for c := 0; c < inner; c++ {
				if got[i*inner+c] != int32((n-1-i)*inner+c) {
					t.Fatalf("inner %d: out[%d,%d] = %d", inner, i, c, got[i*inner+c])
				}
			}
		}
	}
}
