package metrics

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

func TestTopK(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name   string
		scores []float64
		k      int
		want   []int
	}{
		{"descending", []float64{0.1, 0.7, 0.2}, 3, []int{1, 2, 0}},
		{"ties to the lower index", []float64{0.5, 0.2, 0.5, 0.5}, 2, []int{0, 2}},
		{"NaN ranks last", []float64{nan, -1, nan, 3}, 4, []int{3, 1, 0, 2}},
		{"k past the classes", []float64{1, 2}, 5, []int{1, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, TopK(tc.scores, tc.k))
		})
	}
}

func TestRank(t *testing.T) {
	scores := tensor.MustFromSlice(tensor.Shape{2, 1, 3}, []float32{0.1, 0.8, 0.1, 0.6, 0.3, 0.1})
	got, err := Rank(scores, 2, 2)
	require.NoError(t, err)
	assert.Equal(t, [][]int{{1, 0}, {0, 1}}, got)

	argmax := tensor.MustFromSlice(tensor.Shape{3}, []int64{7, 0, 2})
	got, err = Rank(argmax, 3, K)
	require.NoError(t, err)
	assert.Equal(t, [][]int{{7}, {0}, {2}}, got)

	for _, tc := range []struct {
		name     string
		t        *tensor.Tensor
		examples int
	}{
		{"scores not divisible", scores, 4},
		{"several classes per example", argmax, 1},
		{"strings", tensor.Scalar("yes"), 1},
		{"nil", nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Rank(tc.t, tc.examples, K)
			require.ErrorIs(t, err, ErrShape)
		})
	}
}

func TestTally(t *testing.T) {
	tl := NewTally(6)
	for _, ex := range []struct {
		label  int
		ranked []int
	}{
		{0, []int{0, 1, 2, 3, 4}},
		{1, []int{0, 1, 2, 3, 4}},
		{5, []int{0, 1, 2, 3, 4}},
		{-1, []int{3}}, // unlabelled: skipped
		{2, []int{2, 0, 1, 3, 4}},
	} {
		require.NoError(t, tl.Add(ex.label, ex.ranked))
	}
	assert.Equal(t, 4, tl.N)
	assert.Equal(t, 2, tl.Top1)
	assert.Equal(t, 3, tl.Top5)
	assert.InDelta(t, 0.5, tl.Top1Rate(), 1e-12)
	assert.InDelta(t, 0.75, tl.Top5Rate(), 1e-12)
	assert.True(t, tl.HasTop5())
	assert.Equal(t, 1, tl.Confusion[1][0])
	assert.Equal(t, 1, tl.Confusion[5][0])
	assert.Equal(t, 1, tl.Confusion[2][2])

	require.NoError(t, tl.Add(3, []int{3}))
	assert.False(t, tl.HasTop5(), "an ArgMax prediction ranks one class")
	assert.ErrorIs(t, tl.Add(6, []int{0}), ErrShape)
	assert.ErrorIs(t, tl.Add(0, []int{9}), ErrShape)
	assert.ErrorIs(t, tl.Add(0, nil), ErrShape)

	small := NewTally(3)
	require.NoError(t, small.Add(2, []int{0, 1, 2}))
	assert.True(t, small.HasTop5(), "three classes all ranked")
	assert.Equal(t, 1, small.Top5)
	assert.Zero(t, NewTally(2).Top1Rate())
}

func TestAgreement(t *testing.T) {
	same, r, err := Agreement([][]int{{1, 0}, {2}, {0}, {3}}, [][]int{{1}, {2, 1}, {1}, {3}})
	require.NoError(t, err)
	assert.Equal(t, 3, same)
	assert.InDelta(t, 0.75, r, 1e-12)
	_, _, err = Agreement([][]int{{1}}, nil)
	assert.ErrorIs(t, err, ErrShape)
	_, _, err = Agreement([][]int{{}}, [][]int{{1}})
	assert.ErrorIs(t, err, ErrShape)
}
