// Package dataset reads labelled inputs for measuring a model: the files
// of a data set, their labels, and how each file becomes the tensor the
// model takes.
//
// # Data sets
//
// [Open] takes a folder or a CSV file:
//
//   - a folder with one sub-folder per class ("cat/1.jpg", "dog/2.png"):
//     each file's label is its sub-folder's name;
//   - a folder of files without sub-folders: unlabelled samples;
//   - a CSV file of "file,label" rows (a first row "file,label" is a
//     header; a row with one field or an empty label is unlabelled;
//     lines starting with # are comments); files are relative to the
//     CSV's folder.
//
// Only files with a known extension count (.jpg, .jpeg, .png, .wav, .npy);
// others and hidden files are skipped, and a set with no usable file is
// [ErrEmpty]. A [Set] holds paths and labels only: inputs are read one at
// a time, so memory does not grow with the set.
//
// # Labels
//
// A label names a class. [Set.Classes] turns labels into class indexes —
// the positions of the model's scores — through a labels list (one name a
// line, as in TensorFlow's labels.txt files, read by [ReadLabels]);
// without a list a label must be the index itself ("0", "7"). A label the
// list lacks is an [*UnknownLabelError] naming the file.
//
// # Inputs
//
// [Preprocess] says how an image becomes a tensor; [ParsePreset] reads it
// from a small JSON preset and flags can set each field. The steps follow
// TensorFlow's: decode to 8-bit RGB (JPEG through libjpeg-turbo with
// tf.io.decode_jpeg's defaults, so the pixels are TensorFlow's; PNG, GIF
// through Go's decoders), or luminance with TensorFlow's rgb_to_grayscale
// weights, an optional central square crop, a resize
// run by tfexec's own ResizeBilinear / ResizeNearestNeighbor /
// ResizeBicubic / ResizeArea kernels with tf.image.resize's half-pixel
// centers, channel order, value = (pixel·scale − mean[c]) / std[c],
// layout NHWC or NCHW and the model's dtype. Every tensor has a batch
// dimension of 1.
//
// A .wav file becomes the string scalar of its bytes, which keyword-
// spotting models take (their graph decodes it). A .npy file is fed as it
// is. Decoding images goes through one function, decodeImage.
package dataset
