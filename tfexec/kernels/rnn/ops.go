package rnn

import "github.com/tfoffload/tfoffload/tfexec/kernel"

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table. Each factory checks the type
// attribute against the same dtype list its row declares.
var kernels = []kernel.Def{
	{Op: "LSTMBlockCell", DTypes: lstmTypes, New: newLSTMBlockCell},
	{Op: "BlockLSTM", DTypes: lstmTypes, New: newBlockLSTM(icfo)},
	{Op: "BlockLSTMV2", DTypes: lstmTypes, New: newBlockLSTM(ifco)},
	{Op: "GRUBlockCell", DTypes: gruTypes, New: newGRUBlockCell},
}
