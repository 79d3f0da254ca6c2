package image

import tg "github.com/tfoffload/tfoffload/compat/tfgo"

// Image is a tensor holding a batch of images ([batch, height, width,
// channels]), float32 unless cast. Its methods add operations and chain.
type Image struct {
	*tg.Tensor
}

// Point is a point in 2-D space.
type Point struct {
	X, Y float32
}

// Size is the spatial extent of an image.
type Size struct {
	Height, Width float32
}

// Rectangle is a rectangle starting at Start with the given Extent.
type Rectangle struct {
	Start  Point
	Extent Size
}

// Box is a box between two corner points.
type Box struct {
	Start, End Point
}

// Stride is the step in pixels along each dimension.
type Stride struct {
	X, Y int64
}
