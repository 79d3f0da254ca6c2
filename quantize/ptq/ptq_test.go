package ptq

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/quantize"
	"github.com/tfoffload/tfoffload/tensor"
)

// sensitiveNet is x [N,8] → MatMul mm0 → MatMul mm1 → MatMul mm2 →
// logits [N,4]. mm1's weights are the trap: every column has one huge
// value, on a row its input never uses (mm0 leaves column 0 zero), and
// small ones that carry all the signal; int8 per column keeps the huge
// one and rounds the rest to zero, so mm1 alone ruins the top-1. With
// sensitiveOnly, mm1 is the only layer.
func sensitiveNet(sensitiveOnly bool) *graph.Model {
	rng := rand.New(rand.NewPCG(7, 7))
	small := func(n int) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = (rng.Float32()*2 - 1) * 0.05
		}
		return out
	}
	var b graph.Builder
	f32 := map[string]any{"T": tensor.Float32}
	b.Placeholder("x", tensor.Float32, graph.ShapeAttr{-1, 8})
	w0 := make([]float32, 64)
	for i := 1; i < 8; i++ {
		w0[i*8+i] = 1 // identity, but column 0 (feature 0) is dropped
	}
	w1 := small(8 * 16)
	for j := range 16 {
		w1[j] = 1000
	}
	b.Const("w0", tensor.MustFromSlice(tensor.Shape{8, 8}, w0))
	b.Const("w1", tensor.MustFromSlice(tensor.Shape{8, 16}, w1))
	b.Const("w2", tensor.MustFromSlice(tensor.Shape{16, 4}, small(64)))
	in := "x"
	if !sensitiveOnly {
		b.Add("mm0", "MatMul", []string{"x", "w0"}, f32)
		in = "mm0"
	}
	b.Add("mm1", "MatMul", []string{in, "w1"}, f32)
	out := "mm1"
	if !sensitiveOnly {
		b.Add("mm2", "MatMul", []string{"mm1", "w2"}, f32)
		out = "mm2"
	}
	b.Add("logits", "Identity", []string{out}, f32)
	return &graph.Model{Path: "sensitive", Graph: b.Graph()}
}

func randomInputs(seed uint64, n int) []map[string]*tensor.Tensor {
	rng := rand.New(rand.NewPCG(seed, 3))
	out := make([]map[string]*tensor.Tensor, n)
	for i := range out {
		x := make([]float32, 8)
		for j := 1; j < 8; j++ {
			x[j] = rng.Float32()*2 - 1
		}
		out[i] = map[string]*tensor.Tensor{"x": tensor.MustFromSlice(tensor.Shape{1, 8}, x)}
	}
	return out
}

func unlabelled(feeds []map[string]*tensor.Tensor) []Sample {
	out := make([]Sample, len(feeds))
	for i, f := range feeds {
		out[i] = Sample{Feeds: f, Label: -1}
	}
	return out
}

func sensitiveConfig(maxDrop float64) Config {
	return Config{Mode: quantize.Int8, Method: quantize.MinMax, Calib: randomInputs(1, 16), Data: unlabelled(randomInputs(2, 64)),
		MaxDrop: maxDrop, Fetch: "logits:0", Options: []bridge.Option{bridge.WithMinNontrivialNodes(1)}}
}

// TestRevertFindsTheSensitiveLayer: quantized, the trap model agrees
// with float32 on few inputs; accuracy-aware mode reverts mm1, and only
// it.
func TestRevertFindsTheSensitiveLayer(t *testing.T) {
	enginetest.Require(t)
	m := sensitiveNet(false)
	plain, err := Quantize(context.Background(), m, Config{Mode: quantize.Int8, Method: quantize.MinMax, Calib: randomInputs(1, 16),
		Fetch: "logits:0", MaxDrop: -1, Options: []bridge.Option{bridge.WithMinNontrivialNodes(1)}})
	require.NoError(t, err)
	assert.Equal(t, map[int][]string{0: {"mm0/MatMul", "mm1/MatMul", "mm2/MatMul"}}, plain.Layers)
	assert.Nil(t, plain.Plan.Metric, "no data, no measurement")

	res, err := Quantize(context.Background(), m, sensitiveConfig(0.05))
	require.NoError(t, err)
	r := res.Plan.Metric
	require.NotNil(t, r)
	assert.Less(t, r.Initial, 0.8, "the trap works: %+v", r)
	assert.Equal(t, []string{"mm1/MatMul"}, res.Plan.Reverted)
	assert.Equal(t, 1, r.Reverted)
	assert.GreaterOrEqual(t, r.Final, r.FP32-0.05)
	assert.Equal(t, map[int][]string{0: {"mm0/MatMul", "mm2/MatMul"}}, res.Layers, "the exported model keeps mm1 in float")
}

func TestMaxDropCannotBeMet(t *testing.T) {
	enginetest.Require(t)
	_, err := Quantize(context.Background(), sensitiveNet(true), sensitiveConfig(0.01))
	var de *MaxDropError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 1, de.Layers)
	assert.Greater(t, de.Drop, 0.01)
	assert.NotContains(t, err.Error(), "\n")
}

func TestQuantizeIsDeterministic(t *testing.T) {
	enginetest.Require(t)
	var first []byte
	var firstONNX map[string][]byte
	for i := range 2 {
		res, err := Quantize(context.Background(), sensitiveNet(false), sensitiveConfig(0.05))
		require.NoError(t, err)
		data, err := res.Plan.Marshal()
		require.NoError(t, err)
		if i == 0 {
			first, firstONNX = data, res.ONNX
			continue
		}
		assert.Equal(t, string(first), string(data))
		assert.Equal(t, firstONNX, res.ONNX)
	}
}

func TestQuantizeRefuses(t *testing.T) {
	enginetest.Require(t)
	m := sensitiveNet(false)
	opts := []bridge.Option{bridge.WithMinNontrivialNodes(1)}
	_, err := Quantize(context.Background(), m, Config{Mode: quantize.Int8, Method: quantize.MinMax, Fetch: "logits:0", Options: opts})
	assert.ErrorIs(t, err, ErrNoCalibration)
	_, err = Quantize(context.Background(), m, Config{Mode: quantize.Int8, Method: "median", Calib: randomInputs(1, 2), Fetch: "logits:0", Options: opts})
	assert.ErrorIs(t, err, quantize.ErrPlan)
	bad := []map[string]*tensor.Tensor{{"x": tensor.MustFromSlice(tensor.Shape{1, 3}, []float32{1, 2, 3})}}
	_, err = Quantize(context.Background(), m, Config{Mode: quantize.Int8, Method: quantize.MinMax, Calib: bad, Fetch: "logits:0", Options: opts})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "calibration input 1")
	// A model nothing of which offloads has nothing to quantize.
	_, err = Quantize(context.Background(), m, Config{Mode: quantize.Int8Dynamic, Fetch: "logits:0", Data: unlabelled(randomInputs(2, 2)), MaxDrop: -1,
		Options: []bridge.Option{bridge.WithMinNontrivialNodes(100)}})
	assert.True(t, errors.Is(err, ErrNothingQuantized), "%v", err)
}
