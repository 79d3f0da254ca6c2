package tfshape

import (
	"fmt"

	"github.com/tfoffload/tfoffload/graph"
)

// Window3D holds the attributes of the 3-D convolution and pooling ops
// (Conv3D, AvgPool3D, MaxPool3D) in depth, row and column terms.
type Window3D struct {
	NCDHW bool
	// Ksize is the pooling window (all ones for Conv3D, whose window is
	// its filter).
	Ksize     [3]int
	Strides   [3]int
	Dilations [3]int
	Padding   Padding
}

// ReadConv3D reads and validates Conv3D's attributes as TensorFlow's
// Conv3DOp constructor does.
func ReadConv3D(a graph.Attrs) (Window3D, error) {
	w, err := readFormat3D(a)
	if err != nil {
		return w, err
	}
	w.Ksize = [3]int{1, 1, 1}
	if w.Strides, err = w.spatial3(a, "strides", nil, "strides"); err != nil {
		return w, err
	}
	if w.Dilations, err = w.spatial3(a, "dilations", []int64{1, 1, 1, 1, 1}, "dilation rates"); err != nil {
		return w, err
	}
	return w, w.readPadding(a)
}

// ReadPool3D reads and validates AvgPool3D's and MaxPool3D's attributes
// as TensorFlow's Pooling3DOp constructor does.
func ReadPool3D(a graph.Attrs) (Window3D, error) {
	w, err := readFormat3D(a)
	if err != nil {
		return w, err
	}
	w.Dilations = [3]int{1, 1, 1}
	if w.Ksize, err = w.spatial3(a, "ksize", nil, "ksize"); err != nil {
		return w, err
	}
	if w.Strides, err = w.spatial3(a, "strides", nil, "strides"); err != nil {
		return w, err
	}
	return w, w.readPadding(a)
}

func readFormat3D(a graph.Attrs) (Window3D, error) {
	var w Window3D
	df, err := a.String("data_format", "NDHWC")
	if err != nil {
		return w, err
	}
	switch df {
	case "NDHWC":
	case "NCDHW":
		w.NCDHW = true
	default:
		return w, invalid("attribute data_format: invalid data format %q", df)
	}
	return w, nil
}

// spatial3 reads a 5-value attribute, refuses values other than 1 in the
// batch and channel dimensions, and returns its depth, row and column
// values, each positive.
func (w Window3D) spatial3(a graph.Attrs, name string, def []int64, what string) ([3]int, error) {
	var out [3]int
	v, err := a.Ints(name, def)
	if err != nil {
		return out, err
	}
	if len(v) != 5 {
		return out, invalid("attribute %s: sliding window %s field must specify 5 dimensions", name, what)
	}
	n, c, d := v[0], v[4], v[1:4]
	if w.NCDHW {
		c, d = v[1], v[2:5]
	}
	if n != 1 || c != 1 {
		return out, invalid("attribute %s: sliding window %s is only supported across depth, rows and columns, got %v", name, what, v)
	}
	for i, x := range d {
		if x <= 0 || x > 1<<31-1 {
			return out, invalid("attribute %s: sliding window %s must be positive int32 values, got %v", name, what, v)
		}
		out[i] = int(x)
	}
	return out, nil
}

func (w *Window3D) readPadding(a graph.Attrs) error {
	ps, err := a.String("padding", "")
	if err != nil {
		return err
	}
	if w.Padding, err = ParsePadding(ps); err != nil {
		return fmt.Errorf("attribute padding: %w", err)
	}
	if w.Padding == PaddingExplicit {
		return invalid("attribute padding: the 3-D ops have no EXPLICIT padding")
	}
	return nil
}

// Dims returns the N, D, H, W, C dimensions of a 5-D shape in the op's
// data format.
func (w Window3D) Dims(s []int) (n int, spatial [3]int, c int) {
	if w.NCDHW {
		return s[0], [3]int{s[2], s[3], s[4]}, s[1]
	}
	return s[0], [3]int{s[1], s[2], s[3]}, s[4]
}

// Shape returns the 5-D shape with the given N, spatial and C dimensions
// in the op's data format.
func (w Window3D) Shape(n int, spatial [3]int, c int) []int {
	if w.NCDHW {
		return []int{n, c, spatial[0], spatial[1], spatial[2]}
	}
	return []int{n, spatial[0], spatial[1], spatial[2], c}
}

// Output returns the output size of each spatial dimension of an input of
// the given size under a window of size k (the filter's for Conv3D, Ksize
// for pooling), and the padding before each.
func (w Window3D) Output(in, k [3]int) (out, padBefore, padAfter [3]int, err error) {
	for i := range 3 {
		if out[i], padBefore[i], padAfter[i], err = Windowed(in[i], k[i], w.Dilations[i], w.Strides[i], w.Padding, 0, 0); err != nil {
			return out, padBefore, padAfter, err
		}
	}
	return out, padBefore, padAfter, nil
}
