// Package tfgo is tfgo's API (github.com/galeone/tfgo) over tfoffload's
// TensorFlow Go API (package compat/tf): LoadModel, ImportModel,
// Model.Exec and Model.Op, NewRoot, NewScope, Const, Cast, IsClose, Exec,
// Batchify, the Tensor helper with its chained methods, and the type
// helpers IsInteger, IsFloat, MaxValue and MinValue. It behaves as tfgo
// does, panics included: tfgo panics when a model cannot be loaded, an
// operation is missing or a run fails, and so does this package.
//
// Programs that import github.com/galeone/tfgo keep their source: a
// replace line points that module at compat/shims/tfgo, whose packages
// are aliases of this one.
package tfgo
