// Package image implements tfexec's kernels for TensorFlow's image ops:
// resampling, cropping, projective transforms, non-maximum suppression of
// detection boxes and box drawing. Each kernel follows TensorFlow's CPU kernel for the op: output
// shapes and dtypes, the order of floating-point operations where it shows
// in the result, and the InvalidArgument checks, which wrap
// [kernel.ErrInvalidArgument]. Importing the package registers its kernel
// table (ops.go), one row an op with the dtypes its kernel implements.
//
// # Ops
//
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
//
// # Dtypes
//
// The resampling ops take every real number type and read half and
// bfloat16 through float32; ResizeNearestNeighbor, which only copies
// pixels, takes every dtype of fixed size. NonMaxSuppressionV2 to V5
// take float32, float16 and bfloat16 and, like TensorFlow, round every
// score computation to the scores' dtype (NonMaxSuppression and
// NonMaxSuppressionWithOverlaps have no type attribute: float32).
// DrawBoundingBoxes takes float32 and float16 images.
//
// # Semantics worth knowing
//
// One deliberate departure: NonMaxSuppression checks that iou_threshold
// lies in [0, 1] only when max_output_size is positive, which the op
// corpus (TensorFlow 1.15) requires.
package image
