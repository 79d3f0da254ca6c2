// Package ptq is post-training quantization of a model's offloaded
// clusters: it calibrates activation ranges (and, with GPTQ, the
// rounding of weights) on real inputs, builds a
// quantize.Plan, and in accuracy-aware mode reverts the layers that cost
// the most accuracy to float32 until the drop is within a bound.
//
// # Calibration
//
// Each cluster is compiled with the activations Int8 quantization needs
// added to its outputs (quantize.Observe); the calibration inputs run
// through the whole model, so a cluster deep in the graph sees the
// inputs the model really gives it, and a quantize.Calibrator turns
// what it saw into ranges (min/max, percentile or entropy) and, with
// GPTQ rounding (the default), into each weighted layer's int8 weights.
//
// # Accuracy-aware mode
//
// With data and a maximum drop, ptq measures the metric of the float32
// and the quantized model on the data: accuracy when every input has a
// label, else the agreement of their top-1 classes. When the drop is too
// large it ranks the quantized layers by how close to float32's outputs
// the model gets with that layer alone reverted (on the first 32
// inputs), then finds by bisection the fewest best-ranked layers whose
// reverting meets the bound. A bound only reverting every layer meets is
// a *MaxDropError.
package ptq
