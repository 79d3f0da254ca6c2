// Package image is tfgo's image package over tfoffload: an Image is a
// tfgo Tensor holding a batch of images, with chained methods that add
// TensorFlow's image operations (read and decode, scale, normalize,
// resize, crop, convolve, colour adjustments and colour spaces,
// dilation and erosion, encode). A graph that cannot be built panics, as
// tfgo does. ExtractGlimpse is not provided: its signature names
// op.ExtractGlimpseAttr, which exists only once the op has a kernel.
package image
