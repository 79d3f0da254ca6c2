package image

import (
	"fmt"

	tf "github.com/tfoffload/tfoffload/compat/tf"
	"github.com/tfoffload/tfoffload/compat/tf/op"
	tg "github.com/tfoffload/tfoffload/compat/tfgo"
)

func boxes2batch(scope *op.Scope, boxes []Box) tf.Output {
	rows := make([][]float32, len(boxes))
	for i, box := range boxes {
		rows[i] = []float32{box.Start.Y, box.Start.X, box.End.Y, box.End.X}
	}
	return rows2batch(scope.SubScope("boxes2batch"), rows)
}

// points2batch batches points as (y, x) rows, as ExtractGlimpse's
// offsets.
func points2batch(scope *op.Scope, points []Point) tf.Output {
	rows := make([][]float32, len(points))
	for i, p := range points {
		rows[i] = []float32{p.Y, p.X}
	}
	return rows2batch(scope.SubScope("points2batch"), rows)
}

// rows2batch stacks one constant per row in s, as tfgo does.
func rows2batch(s *op.Scope, rows [][]float32) tf.Output {
	consts := make([]tf.Output, len(rows))
	for idx, row := range rows {
		consts[idx] = op.Const(s.SubScope(fmt.Sprint("idx_", idx)), row)
	}
	return tg.Batchify(s, consts)
}
