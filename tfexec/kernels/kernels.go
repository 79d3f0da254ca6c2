// Package kernels links every kernel family into the registry of package
// kernel. Importing it (tfexec does) makes all ops available.
package kernels

import (
	// Each package registers its ops in init.
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/array"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/audio"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/conv"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/elementwise"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/gather"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/image"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/linalg"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/lists"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/nn"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/quant"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/random"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/reduce"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/rnn"
)
