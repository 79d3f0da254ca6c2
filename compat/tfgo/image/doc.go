// Package image is tfgo's image package over tfoffload: an Image is a
// tfgo Tensor holding a batch of images, with chained methods that add
// TensorFlow's image operations (read and decode, scale, normalize,
// resize, crop, convolve, colour adjustments, encode). Methods whose ops
// have no kernel in tfoffload's executor (the colour-space and contrast
// adjustments, Dilation2D) fail when building the graph, and panic as
// tfgo does for a graph it cannot build. ExtractGlimpse is not provided:
// its signature names op.ExtractGlimpseAttr, which exists only once the
// op has a kernel.
package image
