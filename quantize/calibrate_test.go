package quantize

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

func TestCalibratorMethods(t *testing.T) {
	// 20000 values, mostly near zero with a long tail up to 1, and
	// one outlier at 20: min/max keeps it, percentile and entropy clip
	// it.
	vals := make([]float32, 20001)
	for i := range 20000 {
		x := float64(i%2001-1000) / 1000
		vals[i] = float32(x * x * x)
	}
	vals[20000] = 20
	for _, tc := range []struct {
		method   Method
		min, max float32 // bounds on the range's max
	}{
		{MinMax, 20, 20},
		{Percentile, 0.9, 1.1},
		{Entropy, 0.2, 10},
	} {
		t.Run(string(tc.method), func(t *testing.T) {
			cal, err := NewCalibrator(tc.method, "")
			require.NoError(t, err)
			cal.Add(3, "t", tensor.MustFromSlice(tensor.Shape{len(vals)}, vals))
			cal.Add(3, "ints", tensor.MustFromSlice(tensor.Shape{1}, []int32{7}))
			p, err := cal.Plan(nil)
			require.NoError(t, err)
			require.Len(t, p.Clusters, 1)
			require.Equal(t, 3, p.Clusters[0].ID)
			require.Len(t, p.Clusters[0].Ranges, 1, "only float tensors count")
			r := p.Clusters[0].Ranges[0]
			assert.Equal(t, float32(-1), r.Min)
			assert.GreaterOrEqual(t, r.Max, tc.min)
			assert.LessOrEqual(t, r.Max, tc.max)
		})
	}
	_, err := NewCalibrator("median", "")
	assert.ErrorIs(t, err, ErrPlan)
	_, err = NewCalibrator(MinMax, "stochastic")
	assert.ErrorIs(t, err, ErrPlan)
}

func TestAsymmetricHoldsZero(t *testing.T) {
	scale, zp := asymmetric(Range{})
	assert.Equal(t, float32(1), scale, "an empty range still has a scale")
	assert.Zero(t, zp)
	for _, r := range []Range{{Min: 0, Max: 6}, {Min: -2, Max: 2}, {Min: 1, Max: 3}, {Min: -5, Max: -1}} {
		scale, zp := asymmetric(r)
		assert.Positive(t, scale)
		// zero is exactly representable and the range fits in 0..255.
		lo, hi := min(r.Min, 0), max(r.Max, 0)
		assert.InDelta(t, lo, scale*(0-float32(zp)), float64(scale), "%+v", r)
		assert.InDelta(t, hi, scale*(255-float32(zp)), float64(scale)+1e-6, "%+v", r)
	}
}
