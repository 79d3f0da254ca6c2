package image

import (
	"fmt"

	tf "github.com/tfoffload/tfoffload/compat/tf"
	"github.com/tfoffload/tfoffload/compat/tf/op"
	tg "github.com/tfoffload/tfoffload/compat/tfgo"
)

func boxes2batch(scope *op.Scope, boxes []Box) tf.Output {
	s := scope.SubScope("boxes2batch")
	var tfboxes []tf.Output
	for idx, box := range boxes {
		tfboxes = append(tfboxes, op.Const(s.SubScope(fmt.Sprint("idx_", idx)), []float32{box.Start.Y, box.Start.X, box.End.Y, box.End.X}))
	}
	return tg.Batchify(s, tfboxes)
}
