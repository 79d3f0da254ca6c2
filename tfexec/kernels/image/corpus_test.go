package image

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestOpCorpus runs the corpus graphs that use only this package's ops
// and compares the results with TensorFlow's.
func TestOpCorpus(t *testing.T) {
	ran := kerneltest.RunCorpus(t, "resize_bilinear", "resize_nearest_neighbor", "resize_area", "resize_bicubic",
		"crop_and_resize", "non_max_suppression", "non_max_suppression_v2", "non_max_suppression_v3",
		"non_max_suppression_v4", "non_max_suppression_v5", "draw_bounding_boxes")
	assert.GreaterOrEqual(t, ran, 28)
}
