package strings

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func run(t *testing.T, op string, attrs map[string]any, in ...*tensor.Tensor) *tensor.Tensor {
	t.Helper()
	return kerneltest.Run(t, graph.NewNode("n", op, nil, attrs), in...)[0]
}

// tf.strings.to_hash_bucket_fast's docstring:
// to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3) is [0, 2, 2].
func TestHashBucketFastDocstring(t *testing.T) {
	got := run(t, "StringToHashBucketFast", map[string]any{"num_buckets": int64(3)}, kerneltest.Vector("Hello", "TensorFlow", "2.x"))
	assert.NoError(t, tensor.Compare(got, kerneltest.Vector[int64](0, 2, 2), tensor.Tolerance{}))
}

// tf.strings.as_string's docstring: as_string([3, 2]) is ["3", "2"];
// as_string([3.1415926, 2.71828], precision=2) is ["3.14", "2.72"].
func TestAsStringDocstring(t *testing.T) {
	got := run(t, "AsString", map[string]any{"T": tensor.Int32}, kerneltest.Vector[int32](3, 2))
	assert.Equal(t, []string{"3", "2"}, got.Data())
	got = run(t, "AsString", map[string]any{"T": tensor.Float32, "precision": int64(2)}, kerneltest.Vector[float32](3.1415926, 2.71828))
	assert.Equal(t, []string{"3.14", "2.72"}, got.Data())
	// printf's own: %f has six decimals, %05d pads with zeros, %.6g drops
	// trailing zeros.
	got = run(t, "AsString", map[string]any{"T": tensor.Float64}, kerneltest.Vector(1.5))
	assert.Equal(t, []string{"1.500000"}, got.Data())
	got = run(t, "AsString", map[string]any{"T": tensor.Int64, "width": int64(5), "fill": "0"}, kerneltest.Vector[int64](42))
	assert.Equal(t, []string{"00042"}, got.Data())
	got = run(t, "AsString", map[string]any{"T": tensor.Float32, "shortest": true}, kerneltest.Vector[float32](0.5))
	assert.Equal(t, []string{"0.5"}, got.Data())
	got = run(t, "AsString", map[string]any{"T": tensor.Bool}, kerneltest.Vector(true, false))
	assert.Equal(t, []string{"true", "false"}, got.Data())
}
