package filter

import (
	tf "github.com/tfoffload/tfoffload/compat/tf"
	"github.com/tfoffload/tfoffload/compat/tf/op"
)

var (
	sobelX = [3][3][1][1]float32{
		{{{1}}, {{0}}, {{-1}}},
		{{{2}}, {{0}}, {{-2}}},
		{{{1}}, {{0}}, {{-1}}}}
	sobelY = [3][3][1][1]float32{
		{{{1}}, {{2}}, {{1}}},
		{{{0}}, {{0}}, {{0}}},
		{{{-1}}, {{-2}}, {{-1}}}}
)

// SobelX returns the [3,3,1,1] Sobel kernel along X.
func SobelX(scope *op.Scope) tf.Output {
	return op.Const(scope.SubScope("SobelX"), sobelX)
}

// SobelY returns the [3,3,1,1] Sobel kernel along Y.
func SobelY(scope *op.Scope) tf.Output {
	return op.Const(scope.SubScope("SobelY"), sobelY)
}
