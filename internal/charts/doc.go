// Package charts draws the PNG charts of tfoffload's measuring commands
// with gonum/plot: bench's FPS and latency against batch size (or
// requests in flight), one line per backend and thread count, and
// accuracy's confusion matrix. Each function returns the PNG's bytes, so
// the command writes them atomically (internal/fsutil).
//
// Series take their colours from SeriesColors, in order, so that tests can
// find every series' pixels in the image.
package charts
