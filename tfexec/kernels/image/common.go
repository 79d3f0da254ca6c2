package image

import "math"

// roundHalfAway rounds like C's roundf: halfway cases away from zero.
func roundHalfAway(x float32) float32 { return float32(math.Round(float64(x))) }

// floor32 is C's floorf.
func floor32(x float32) float32 { return float32(math.Floor(float64(x))) }

// ceil32 is C's ceilf.
func ceil32(x float32) float32 { return float32(math.Ceil(float64(x))) }
