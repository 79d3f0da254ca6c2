// Package quantize turns the ONNX models of offloaded clusters into
// quantized ones: INT8 in ONNX's QuantizeLinear/DequantizeLinear (QDQ)
// form, dynamic INT8 for MatMuls, or float16 weights. It owns the
// quantization plan, its manifest file and the quantized model's
// folder; package quantize/ptq calibrates plans on real inputs.
//
// # Int8 (static)
//
// A layer is a node ONNX Runtime's QDQ fusions turn into an integer
// kernel: Conv (QLinearConv), MatMul and Gemm with a float weight
// initializer, Add of two activations (QLinearAdd), AveragePool and
// GlobalAveragePool. An Add or a pool is a layer only when each of its
// inputs is another layer's output, or that output moved by Reshape,
// Transpose, Squeeze, Unsqueeze, Flatten, Resize or MaxPool: between
// float tensors it would cost quantizations and precision and save
// nothing. Apply puts a QuantizeLinear → DequantizeLinear pair
// (uint8, per tensor, the calibrated range widened to hold zero) on each
// layer's activation inputs and on its output — after the Relu or Clip
// that alone consumes it, which ONNX Runtime folds into the quantization
// — and replaces its weight by int8 values, symmetric per output channel,
// and its bias by int32 values at the input scale times the weight
// scale, each behind a DequantizeLinear. ONNX Runtime then runs the
// layers on integer kernels (VNNI on CPUs that have it). A layer without
// every range it needs, or named in Plan.Reverted, stays float32.
//
// An input normalization folds into the quantization: when a layer's
// activation is a·x + b computed by Add, Sub, Mul or Div nodes with
// constants of one value each (then moved by Reshape, Transpose,
// Squeeze, Unsqueeze or Flatten) and nothing else reads the values on
// the way, x itself is quantized, with the scale divided by a and the
// zero point shifted by b, the scale widened so that b is a whole number
// of steps. The chain never runs; an Expand (on uint8) keeps the shape
// its constants broadcast to. MoveNet's (x − 0)·(1/127.5) − 1, on
// [1,1,1,3] constants that ONNX Runtime broadcasts three at a time,
// took about 15% of its INT8 time.
//
// # Int8Dynamic and FP16
//
// Int8Dynamic rewrites each MatMul with a 2-D weight initializer into
// DynamicQuantizeLinear + MatMulInteger with int8 weights per column,
// which ONNX Runtime fuses into DynamicQuantizeMatMul; activations are
// quantized at run time, so it needs no calibration. FP16 stores float
// weights as float16 behind a Cast: half the size on disk, the same
// float32 kernels (ONNX Runtime folds the Cast when it loads).
//
// # Calibration
//
// A Calibrator keeps, per tensor, its extremes and a 2048-bin histogram
// of absolute values (exact zeros left out). MinMax takes the extremes;
// Percentile clips at the 99.99th percentile; Entropy at the threshold
// whose 128-level quantization loses the least information
// (Kullback-Leibler divergence, TensorRT's method). Tensors with fewer
// than 4096 values seen use the extremes.
//
// # Weight rounding
//
// Rounding each weight to its nearest int8 step leaves every layer an
// output error no later layer corrects; on MobileNetV2 it flips more
// top-1 classes than quantizing every activation does. With GPTQ (the
// default; Frantar et al., "GPTQ: Accurate Post-Training Quantization
// for Generative Pre-trained Transformers", 2023) the Calibrator also
// accumulates, for each weighted layer, H = X·Xᵀ of the inputs it reads:
// the patches of a Conv (one matrix per group, with its pads, strides,
// dilations and auto_pad), the rows of a MatMul or Gemm, 64 positions a
// calibration input (down to 16 for layers of more than 1448 inputs an
// output). A layer of more than 2304 inputs an output (a 3×3
// convolution of 256 channels), or whose H would take the calibrator
// past 1 GiB, rounds to nearest. Each output channel's weights are then
// rounded one input at a time, each error moved onto the inputs not yet
// rounded through the Cholesky factor of H⁻¹ (dampened by 1% of its
// mean diagonal), with nearest rounding's scales. The plan keeps each layer's
// differences from nearest rounding (mostly 0 and ±1), compressed;
// Apply adds them back. Nearest rounds as before and keeps no weights.
//
// # The quantized model's folder
//
// Write makes a folder holding the manifest (ManifestName, the Plan as
// JSON), the original model under model/, and the quantized cluster
// models under onnx/ (standalone .onnx files for other tools). It writes
// a temporary folder and renames it into place, so the folder is whole
// or absent. package bridge's LoadSession and the tfoffload commands
// that load models recognise the folder and run the model with its plan:
// the plan is keyed by cluster ID and ONNX tensor and node names, which
// come from the TensorFlow graph, so every input signature (batch size)
// compiles quantized the same way. The same model and calibration inputs
// give the same bytes.
package quantize
