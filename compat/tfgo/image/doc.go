// Package image is tfgo's image package over tfoffload: an Image is a
// tfgo Tensor holding a batch of images, with chained methods that add
// TensorFlow's image operations (read and decode, scale, normalize,
// resize, crop, convolve, colour adjustments and colour spaces,
// dilation and erosion, encode). A graph that cannot be built panics, as
// tfgo does. ExtractGlimpse fills the part of a glimpse outside the
// image only with zeros (noise='zero'); the random fills are refused when
// the graph runs.
package image
