// Package tfgo forwards to github.com/tfoffload/tfoffload/compat/tfgo:
// every name is an alias, so tfgo programs run on tfoffload unchanged.
package tfgo

import tg "github.com/tfoffload/tfoffload/compat/tfgo"

// Model is tfgo.Model.
type Model = tg.Model

// Tensor is tfgo.Tensor.
type Tensor = tg.Tensor

// The functions of tfgo.
var (
	LoadModel   = tg.LoadModel
	ImportModel = tg.ImportModel
	NewRoot     = tg.NewRoot
	NewScope    = tg.NewScope
	NewTensor   = tg.NewTensor
	Const       = tg.Const
	Cast        = tg.Cast
	IsClose     = tg.IsClose
	Exec        = tg.Exec
	Batchify    = tg.Batchify
	IsInteger   = tg.IsInteger
	IsFloat     = tg.IsFloat
	MaxValue    = tg.MaxValue
	MinValue    = tg.MinValue
)
