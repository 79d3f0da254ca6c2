// Package metrics scores a classifier's predictions: top-1 and top-5
// accuracy, a confusion matrix, and the agreement of two sets of top-1
// predictions (a backend's against the Go executor's, a quantized
// model's against its FP32 original).
//
// # Predictions
//
// [Rank] reads a model's output tensor as one ranked list of classes per
// example: for scores (a float tensor whose last dimension is the
// classes) the classes in decreasing score, ties to the lower index as
// tf.math.top_k breaks them; for an integer tensor (a model that ends in
// ArgMax) each element is the predicted class, ranked alone.
//
// # Accuracy
//
// A [Tally] counts examples with a known class: top-1 hits, top-5 hits
// (when every prediction ranked five classes, or all of them) and the
// confusion matrix (rows: true class, columns: predicted). Examples
// without a class (index -1) are skipped. [Agreement] compares two
// prediction lists of equal length.
package metrics
