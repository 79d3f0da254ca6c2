// Package filter forwards to github.com/tfoffload/tfoffload/compat/tfgo/image/filter.
package filter

import "github.com/tfoffload/tfoffload/compat/tfgo/image/filter"

// The Sobel kernels.
var (
	SobelX = filter.SobelX
	SobelY = filter.SobelY
)
