package tfshape

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Cases from TensorFlow's padding documentation (tf.nn convolution
// "SAME"/"VALID"): out = ceil(in/stride) for SAME with the odd padding
// element after, out = ceil((in-k+1)/stride) for VALID.
func TestWindowed(t *testing.T) {
	cases := []struct {
		name               string
		in, k, dil, stride int
		p                  Padding
		pb, pa             int
		out, before, after int
	}{
		{"same even padding", 5, 3, 1, 2, PaddingSame, 0, 0, 3, 1, 1},
		{"same odd padding goes after", 4, 3, 1, 2, PaddingSame, 0, 0, 2, 0, 1},
		{"same dilated", 7, 3, 2, 1, PaddingSame, 0, 0, 7, 2, 2},
		{"valid", 5, 3, 1, 2, PaddingValid, 0, 0, 2, 0, 0},
		{"valid dilated", 7, 3, 2, 1, PaddingValid, 0, 0, 3, 0, 0},
		{"explicit", 5, 3, 1, 1, PaddingExplicit, 1, 2, 6, 1, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, before, after, err := Windowed(c.in, c.k, c.dil, c.stride, c.p, c.pb, c.pa)
			require.NoError(t, err)
			assert.Equal(t, []int{c.out, c.before, c.after}, []int{out, before, after})
		})
	}
	_, _, _, err := Windowed(2, 5, 1, 1, PaddingValid, 0, 0)
	assert.ErrorIs(t, err, ErrInvalidArgument, "a window larger than the input")
}

func TestExplicitPaddings(t *testing.T) {
	top, bottom, left, right, err := ExplicitPaddings([]int64{0, 0, 1, 2, 3, 4, 0, 0}, PaddingExplicit, false)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3, 4}, []int{top, bottom, left, right})
	top, bottom, left, right, err = ExplicitPaddings([]int64{0, 0, 0, 0, 1, 2, 3, 4}, PaddingExplicit, true)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3, 4}, []int{top, bottom, left, right})
	_, _, _, _, err = ExplicitPaddings([]int64{0, 0, 1, 1, 1, 1, 1, 0}, PaddingExplicit, false)
	assert.ErrorIs(t, err, ErrUnsupported, "padding the depth")
	_, _, _, _, err = ExplicitPaddings([]int64{0, 0}, PaddingSame, false)
	assert.ErrorIs(t, err, ErrInvalidArgument, "explicit paddings with SAME")
}
