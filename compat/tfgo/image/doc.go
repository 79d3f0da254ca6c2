// Package image is tfgo's image package over tfoffload: an Image is a
// tfgo Tensor holding a batch of images, with chained methods that add
// TensorFlow's image operations (read and decode, scale, normalize,
// resize, crop, convolve, colour adjustments). Methods whose ops have no
// kernel in tfoffload's executor yet (ReadPNG and ReadGIF's decoders, the
// colour-space and contrast adjustments, Dilation2D) fail when building
// the graph, and panic as tfgo does for a graph it cannot build.
// ExtractGlimpse, EncodeJPEG and EncodePNG are not provided yet: their
// signatures name op attribute types that exist only once those ops have
// kernels.
package image
