// Package image implements tfexec's kernels for TensorFlow's image ops:
// decoding and encoding image files, resampling, cropping, projective
// transforms, non-maximum suppression of detection boxes and box drawing.
// Each kernel follows TensorFlow's CPU kernel for the op: output shapes and
// dtypes, the order of floating-point operations where it shows in the
// result, and the InvalidArgument checks, which wrap
// [kernel.ErrInvalidArgument]. Importing the package registers its kernel
// table (ops.go), one row an op with the dtypes its kernel implements.
//
// # Ops
//
//   - DecodeJpeg (channels, ratio, fancy_upscaling, try_recover_truncated,
//     acceptable_fraction, dct_method), DecodeAndCropJpeg (crop_window
//     [y, x, height, width]) and ExtractJpegShape, through
//     internal/jpegturbo: the library TensorFlow links, libjpeg-turbo,
//     called with TensorFlow's settings (dct_method "" is TensorFlow's
//     INTEGER_FAST), and checked bit for bit against libjpeg-turbo used
//     directly.
//   - DecodePng (uint8, uint16), DecodeGif (every frame, 4-D), DecodeBmp
//     and DecodeImage (uint8, uint16, float; expand_animations). As in
//     TensorFlow one kernel serves every decode op and tells the file's
//     format by its first bytes, so DecodeJpeg also decodes PNG and
//     single-frame GIF files, and DecodeGif JPEG and PNG ones (4-D).
//     PNG: libpng's conversions as TensorFlow's png_io.cc sets them up
//     (palette and low-bit gray expanded, tRNS to alpha, alpha added with
//     libpng's filler or stripped without composing, ITU-R 601 luma in
//     libpng's fixed point, 16 bits cut to the high byte, 8 bits widened
//     by 257). GIF: TensorFlow's composition (canvas as large as the
//     largest frame, each frame drawn over the previous one, transparent
//     pixels kept, disposal ignored). BMP: TensorFlow's reader (8, 24 and
//     32 bits, BGR, padded rows, bottom-up unless the height is negative).
//   - EncodeJpeg (every attribute, through libjpeg-turbo: TensorFlow's
//     bytes), EncodeJpegVariableQuality (quality as an input) and
//     EncodePng (1 to 4 channels, 8 or 16 bits, compression level): the
//     pixels round-trip exactly; the bytes are not libpng's, which
//     filters rows adaptively.
//   - ResizeBilinear, ResizeNearestNeighbor, ResizeBicubic (align_corners,
//     half_pixel_centers) and ResizeArea (align_corners), with
//     TensorFlow's ImageResizerState scales. Bilinear, bicubic and area
//     resizing output float32 for any real input; nearest neighbour keeps
//     the dtype.
//   - CropAndResize: bilinear or nearest sampling, extrapolation_value
//     outside the image, float32 output.
//   - ImageProjectiveTransformV2 and V3 (projective.go): a projective
//     transform per image, NEAREST or BILINEAR, fill_mode CONSTANT,
//     REFLECT, WRAP or NEAREST, fill_value (V3; V2 fills with 0), in
//     float32 arithmetic; integer images truncate the bilinear mix. In
//     CONSTANT mode a source point outside the image reads fill_value, as
//     the image_ops.h of TensorFlow's repository does (the check made for
//     TensorFlow issue #46637); earlier kernels, and TensorFlow.js, read
//     the nearest pixel within a pixel of the edge.
//   - NonMaxSuppression (iou_threshold attribute), NonMaxSuppressionV2 to
//     V5 (score_threshold from V3, pad_to_max_output_size from V4,
//     soft-NMS sigma and selected scores in V5) and
//     NonMaxSuppressionWithOverlaps.
//   - CombinedNonMaxSuppression (float32): per image and class, the same
//     greedy suppression, then all classes' survivors by score, padded to
//     max_total_size (pad_per_class: per class), boxes clipped to [0, 1]
//     unless clip_boxes is false.
//   - DrawBoundingBoxes, DrawBoundingBoxesV2 (colors input).
//   - AdjustHue, AdjustSaturation, AdjustContrastv2 (images of at least
//     three dimensions, a scalar factor; hue and saturation need three
//     channels), RGBToHSV and HSVToRGB (last dimension 3).
//   - ExtractGlimpse, ExtractGlimpseV2 (float32): one glimpse per image
//     at its offset (centered, normalized), copied from the image. The
//     part of a glimpse outside the image is filled with zeros under
//     noise='zero'; the random fills ('uniform', the default, and
//     'gaussian') are refused with ErrUnsupported when a glimpse needs
//     them, and cost nothing for a glimpse inside the image.
//
// # Dtypes
//
// The resampling ops take every real number type and read half and
// bfloat16 through float32; ResizeNearestNeighbor, which only copies
// pixels, takes every dtype of fixed size. NonMaxSuppressionV2 to V5
// take float32, float16 and bfloat16 and, like TensorFlow, round every
// score computation to the scores' dtype (NonMaxSuppression and
// NonMaxSuppressionWithOverlaps have no type attribute: float32).
// DrawBoundingBoxes takes float32 and float16 images. The colour
// adjustments take float32 and float16 and compute in float32, as
// TensorFlow's CPU kernels do; RGBToHSV and HSVToRGB take float32 and
// float64 (RGBToHSV computes in float64, HSVToRGB in the input's dtype)
// and refuse half and bfloat16, which TensorFlow also registers.
//
// # Semantics worth knowing
//
// A decoded image's size comes from its file: it is checked against the
// tensor budget (TFOFFLOAD_MAX_TENSOR_BYTES) before anything is
// allocated, and TensorFlow's own bound (fewer than 2²⁹ samples) applies.
// Where libjpeg-turbo is not linked (CGO_ENABLED=0 or the nolibjpeg build
// tag) the JPEG ops fall back to image/jpeg, whose pixels differ from
// TensorFlow's; internal/jpegturbo documents by how much.
//
// PNG, GIF and BMP are decoded with Go's image/png and image/gif and this
// package's code, not libpng and giflib. The PNG conversions are checked
// sample for sample against libpng under TensorFlow's settings
// (testdata/pngref: 62 of 64 decodes equal). The departure: an RGB PNG
// decoded to one channel uses libpng's luma without gamma, where libpng
// converts in linear light when the file has a gAMA or sRGB chunk
// (up to 51 levels apart on the test image with gAMA 1/2.2; RGB output is
// not affected). image/gif refuses frames outside the logical screen and
// unknown blocks that giflib may accept, and errors carry Go's decoders'
// messages. Sizes declared in PNG and GIF headers are checked against the
// tensor budget before the decoders allocate.
//
// AdjustHue turns hues one circle at a time like TensorFlow, but reduces
// a hue more than a circle outside [0, 6) with fmod first, so a huge delta
// finishes (TensorFlow's loop does not). AdjustContrastv2 sums each
// channel in float64 for its mean, where TensorFlow sums in float32: the
// means can differ in the last bit.
//
// One deliberate departure: NonMaxSuppression checks that iou_threshold
// lies in [0, 1] only when max_output_size is positive, which the op
// corpus (TensorFlow 1.15) requires.
package image
