package tfshape

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

// The examples of tf.strided_slice's documentation, on a [3,2,3] input.
func TestValidateStridedSliceDocExamples(t *testing.T) {
	shape := tensor.Shape{3, 2, 3}
	cases := []struct {
		name                string
		begin, end, strides []int
		m                   StridedSliceMasks
		wantBegin           []int
		wantFinal           tensor.Shape
	}{
		{"one row", []int{1, 0, 0}, []int{2, 1, 3}, []int{1, 1, 1}, StridedSliceMasks{}, []int{1, 0, 0}, tensor.Shape{1, 1, 3}},
		{"two rows", []int{1, 0, 0}, []int{2, 2, 3}, []int{1, 1, 1}, StridedSliceMasks{}, []int{1, 0, 0}, tensor.Shape{1, 2, 3}},
		{"reversed rows", []int{1, -1, 0}, []int{2, -3, 3}, []int{1, -1, 1}, StridedSliceMasks{}, []int{1, 1, 0}, tensor.Shape{1, 2, 3}},
		// t[1, ..., tf.newaxis]: shrink, ellipsis, new axis.
		{"shrink ellipsis newaxis", []int{1, 0, 0}, []int{2, 0, 0}, []int{1, 1, 1},
			StridedSliceMasks{Shrink: 1, Ellipsis: 2, NewAxis: 4}, []int{1, 0, 0}, tensor.Shape{2, 3, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := ValidateStridedSlice(shape, c.begin, c.end, c.strides, c.m)
			require.NoError(t, err)
			assert.Equal(t, c.wantBegin, s.Begin)
			assert.Equal(t, c.wantFinal, s.Final)
		})
	}
}

func TestValidateStridedSliceErrors(t *testing.T) {
	shape := tensor.Shape{3, 2}
	for name, c := range map[string]struct {
		begin, end, strides []int
		m                   StridedSliceMasks
	}{
		"zero stride":         {[]int{0}, []int{1}, []int{0}, StridedSliceMasks{}},
		"shrink out of range": {[]int{3}, []int{4}, []int{1}, StridedSliceMasks{Shrink: 1}},
		"too many dims":       {[]int{0, 0, 0}, []int{1, 1, 1}, []int{1, 1, 1}, StridedSliceMasks{}},
		"lengths differ":      {[]int{0}, []int{1, 1}, []int{1}, StridedSliceMasks{}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ValidateStridedSlice(shape, c.begin, c.end, c.strides, c.m)
			assert.ErrorIs(t, err, ErrInvalidArgument)
		})
	}
}
