// Package jpegturbo decodes and encodes JPEG images with the pixels
// TensorFlow's DecodeJpeg and EncodeJpeg give: it calls libjpeg-turbo, the
// library TensorFlow links, through cgo with the settings of TensorFlow's
// jpeg_mem.cc (its memory source and truncation recovery, the IFAST DCT
// TensorFlow chooses by default, fancy upsampling, CMYK to RGB, crop
// windows). libjpeg's fatal errors come back as Go errors; nothing is
// printed and the process never exits.
//
// # Building without libjpeg-turbo
//
// The cgo implementation needs libjpeg-turbo's headers and library at
// build time (Debian and Ubuntu: libjpeg62-turbo-dev, which
// scripts/install-deps.sh installs). Building with CGO_ENABLED=0 or the
// build tag nolibjpeg selects a pure-Go fallback on the standard library's
// image/jpeg instead; [Exact] reports which one is in the binary. The
// fallback's pixels differ from TensorFlow's. Measured by
// TestStdDifference with TensorFlow's default settings: on the seven
// photos in ../shared/models/images samples differ by at most 64 levels
// (mean absolute difference 0.96 to 2.0 per photo; the maxima sit on
// sharp colour edges), and on the package's synthetic 4:2:0 test image,
// whose chroma changes every pixel, by up to 112 (mean 18). The cause:
// image/jpeg uses an accurate IDCT and replicates chroma samples, where
// TensorFlow's libjpeg-turbo uses the fast IFAST IDCT and interpolates
// chroma ("fancy upsampling"). The fallback implements ratio 1 only,
// decodes no partial images (acceptable_fraction, try_recover_truncated),
// and its EncodeJpeg output is a valid JPEG of the same image but not
// TensorFlow's bytes.
package jpegturbo
