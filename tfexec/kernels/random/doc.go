// Package random implements TensorFlow's stateful random ops on the
// executor: RandomUniform, RandomStandardNormal and TruncatedNormal (the
// float types), RandomUniformInt (int32 and int64) and Multinomial (class
// indices drawn from softmax(logits), non-finite logits never drawn, as
// multinomial_op.cc). Importing the package registers its kernel table
// (ops.go).
//
// The values follow TensorFlow's distributions but not its Philox stream:
// the same seeds give different numbers than TensorFlow. As in TensorFlow,
// a node with seed or seed2 set draws a reproducible sequence that
// advances with every run of that node; a node with both zero draws fresh
// numbers. Models use these ops for dropout and noise, whose outputs at
// inference (keep_prob 1, zero noise) do not depend on the numbers.
package random
