// Command tfoffload inspects, partitions and runs TensorFlow models,
// offloading what it can to ONNX Runtime.
//
// Usage:
//
//	tfoffload <command> [flags] [args]
//
// The commands:
//
//	inspect     describe a model: format, inputs and outputs, signatures, ops, weights
//	run         run a model on inputs from .npy files and write its outputs
//	partition   show the clusters a model would offload and why other nodes stay on the executor
//	backends    list the backends and whether each is usable on this machine
//	convert     translate a model (or its offloadable clusters) to ONNX
//	freeze      write a SavedModel or checkpoint signature as a frozen GraphDef
//	bench       compare inference speed on the Go executor and on offload backends
//	accuracy    measure top-1/top-5 accuracy and agreement with the Go executor on labelled data
//
// SavedModels that still hold variables run, partition and bench as they
// are: package bridge freezes them on load.
//
// Run "tfoffload <command> --help" for a command's flags and output. Errors
// are printed as one line, "tfoffload: <error>", on standard error; the exit
// status is 0 on success, 1 when a command fails and 2 for a usage error
// (an unknown command or flag, a missing argument, a flag value out of
// range such as --batch 0, or a --batch or --input-shape that would make a
// random input larger than 1 GiB); a usage error names the flag.
//
// # Adding a command
//
// Each command lives in its own file as a constructor returning a
// *cobra.Command; list the constructor in commands in main.go. Commands
// write to cmd.OutOrStdout() and return errors instead of printing them, so
// that [run] reports them uniformly and tests can call it in-process.
package main
