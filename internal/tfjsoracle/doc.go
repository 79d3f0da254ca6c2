// Package tfjsoracle runs TensorFlow.js graph models with TensorFlow.js
// itself, under Node, so that tests can hold tfoffload's answers against
// a second implementation of TensorFlow's ops besides the op corpus.
//
// # Installation
//
// scripts/install-tfjs.sh installs @tensorflow/tfjs-core, -converter and
// -backend-cpu, at the versions pinned in testdata/tfjs/package.json and
// package-lock.json, into ${XDG_CACHE_HOME:-$HOME/.cache}/tfoffload/tfjs
// (scripts/test.sh runs it). [Find] locates that installation and node,
// and refuses one whose converter is not the pinned version, so a stale
// cache cannot stand in for the pinned oracle.
//
// # Running a model
//
// [Oracle.Run] writes the feeds as .npy files, runs
// testdata/tfjs/run_tfjs.js, which loads the model from disk (an IOHandler
// reading model.json and its shards: no network) and executes it on
// TensorFlow.js's CPU backend, and reads the outputs back. TensorFlow.js
// computes integers as int32 and has no float64: outputs come back in its
// dtypes (float32, int32, bool, complex64).
//
// # The converter's op list
//
// testdata/tfjs/converter_ops.txt is a committed copy of the ops the
// pinned converter maps, by category (its dist/operations/op_list files),
// read by [ReadOpList] for the coverage table docs/ops.md; a test checks
// it against the installed package.
package tfjsoracle
