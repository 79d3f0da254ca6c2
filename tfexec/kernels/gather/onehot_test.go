package gather

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func TestOneHot(t *testing.T) {
	depth3 := tensor.Scalar(int32(3))
	tests := []struct {
		name    string
		axis    any
		indices *tensor.Tensor
		depth   *tensor.Tensor
		on, off *tensor.Tensor
		want    *tensor.Tensor
	}{
		// The examples of TensorFlow's OneHot documentation.
		{"features", -1, i64(s(4), 0, 2, -1, 1), depth3, tensor.Scalar(float32(5)), tensor.Scalar(float32(0)),
			f32(s(4, 3), 5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 5, 0)},
		{"axis 0", 0, i64(s(4), 0, 2, -1, 1), depth3, tensor.Scalar(float32(0)), tensor.Scalar(float32(3)),
			f32(s(3, 4), 0, 3, 3, 3, 3, 3, 3, 0, 3, 0, 3, 3)},
		{"batch", -1, i32(s(2, 2), 0, 2, 1, -1), depth3, tensor.Scalar(float32(1)), tensor.Scalar(float32(0)),
			f32(s(2, 2, 3), 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0)},
		{"batch axis 1", 1, i32(s(2, 2), 0, 2, 1, -1), depth3, tensor.Scalar(float32(1)), tensor.Scalar(float32(0)),
			f32(s(2, 3, 2), 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0)},
		{"default axis", nil, i32(s(2), 1, 0), tensor.Scalar(int32(2)), tensor.Scalar(int32(7)), tensor.Scalar(int32(-1)),
			i32(s(2, 2), -1, 7, 7, -1)},
		{"scalar index", -1, tensor.Scalar(int32(1)), depth3, tensor.Scalar(true), tensor.Scalar(false),
			bools(s(3), false, true, false)},
		{"uint8 indices", -1, u8(s(2), 2, 200), depth3, tensor.Scalar(float64(1)), tensor.Scalar(float64(0)),
			f64(s(2, 3), 0, 0, 1, 0, 0, 0)},
		{"int8 indices", -1, tensor.MustFromSlice(s(1), []int8{-1}), depth3, tensor.Scalar(int64(1)), tensor.Scalar(int64(0)),
			i64(s(1, 3), 0, 0, 0)},
		{"out of range index", -1, i64(s(1), 3), depth3, tensor.Scalar(float32(1)), tensor.Scalar(float32(0)),
			f32(s(1, 3), 0, 0, 0)},
		{"strings", -1, i32(s(2), 1, 0), tensor.Scalar(int32(2)), tensor.Scalar("on"), tensor.Scalar("off"),
			str(s(2, 2), "off", "on", "on", "off")},
		{"half", -1, i32(s(1), 0), tensor.Scalar(int32(2)), f16(s(), 0.5), f16(s(), -0.5), f16(s(1, 2), 0.5, -0.5)},
		{"depth 0", -1, i32(s(2), 0, 1), tensor.Scalar(int32(0)), tensor.Scalar(float32(1)), tensor.Scalar(float32(0)),
			f32(s(2, 0))},
		{"empty indices", 0, i32(s(0)), depth3, tensor.Scalar(float32(1)), tensor.Scalar(float32(0)), f32(s(3, 0))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			attrs := map[string]any{}
			if tc.axis != nil {
				attrs["axis"] = tc.axis
			}
			out := run(t, "OneHot", attrs, tc.indices, tc.depth, tc.on, tc.off)
			assertTensor(t, tc.want, out[0])
		})
	}
}

func TestOneHotLarge(t *testing.T) {
	n, depth := 1000, 100
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i % (depth + 1)) // depth itself is out of range
	}
	out := run(t, "OneHot", nil, i32(s(n), idx...), tensor.Scalar(int32(depth)), tensor.Scalar(float32(1)), tensor.Scalar(float32(0)))[0]
	v := tensor.Values[float32](out)
	for i := 0; i < n; i++ {
		for d := 0; d < depth; d++ {
			want := float32(0)
			if int(idx[i]) == d {
				want = 1
			}
			if v[i*depth+d] != want {
				t.Fatalf("out[%d,%d] = %v, want %v", i, d, v[i*depth+d], want)
			}
		}
	}
}

func TestOneHotErrors(t *testing.T) {
	one, zero := tensor.Scalar(float32(1)), tensor.Scalar(float32(0))
	kerneltest.RunInvalid(t, "OneHot", []kerneltest.InvalidCase{
		{Name: "axis beyond rank", Attrs: map[string]any{"axis": 2}, In: []*tensor.Tensor{i32(s(2), 0, 1), tensor.Scalar(int32(3)), one, zero}},
		{Name: "negative depth", In: []*tensor.Tensor{i32(s(2), 0, 1), tensor.Scalar(int32(-1)), one, zero}},
		{Name: "depth not scalar", In: []*tensor.Tensor{i32(s(2), 0, 1), i32(s(1), 3), one, zero}},
		{Name: "on not scalar", In: []*tensor.Tensor{i32(s(2), 0, 1), tensor.Scalar(int32(3)), f32(s(1), 1), zero}},
		{Name: "off not scalar", In: []*tensor.Tensor{i32(s(2), 0, 1), tensor.Scalar(int32(3)), one, f32(s(1), 0)}},
	})
	_, err := call("OneHot", map[string]any{"axis": -2}, i32(s(2), 0, 1), tensor.Scalar(int32(3)), one, zero)
	assert.ErrorContains(t, err, "axis")
}

func TestWhere(t *testing.T) {
	nan := float32(math.NaN())
	negZero := float32(math.Copysign(0, -1))
	tests := []struct {
		name string
		in   *tensor.Tensor
		want *tensor.Tensor
	}{
		{"bool matrix", bools(s(2, 2), true, false, false, true), i64(s(2, 2), 0, 0, 1, 1)},
		{"float truthiness", f32(s(5), 0, 1.5, negZero, nan, -2), i64(s(3, 1), 1, 3, 4)},
		{"rank 3", i32(s(2, 1, 2), 0, 3, 4, 0), i64(s(2, 3), 0, 0, 1, 1, 0, 0)},
		{"scalar true", tensor.Scalar(true), i64(s(1, 0))},
		{"scalar false", tensor.Scalar(int8(0)), i64(s(0, 0))},
		{"empty", f32(s(0, 3)), i64(s(0, 2))},
		{"none", u8(s(2, 2), 0, 0, 0, 0), i64(s(0, 2))},
		{"half zeros", tensor.MustFromSlice(s(3), []tensor.F16{0x8000, 0, 0x3c00}), i64(s(1, 1), 2)},
		{"bfloat16", bf16(s(2), 0, -1), i64(s(1, 1), 1)},
		{"complex", tensor.MustFromSlice(s(3), []complex64{0, 1i, 0}), i64(s(1, 1), 1)},
		{"uint64", tensor.MustFromSlice(s(2), []uint64{1 << 63, 0}), i64(s(1, 1), 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, "Where", map[string]any{"T": tc.in.DType()}, tc.in)
			assertTensor(t, tc.want, out[0])
		})
	}
	_, err := call("Where", nil, str(s(1), "a"))
	assert.Error(t, err)
}
