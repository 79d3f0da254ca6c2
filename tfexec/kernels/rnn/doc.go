// Package rnn implements tfexec's kernels for TensorFlow's fused recurrent
// cells (tf.contrib.rnn's LSTMBlockCell, LSTMBlockFusedCell and
// GRUBlockCell, Keras' fused LSTM), following TensorFlow's CPU kernels:
// shapes, gate layouts, attribute defaults and InvalidArgument checks.
// Importing the package registers its kernel table (ops.go), one row an op
// with the dtypes its kernel implements.
//
// # Ops
//
//   - LSTMBlockCell (half, float32): one LSTM step (see below). Inputs x
//     [batch, input_size], cs_prev and h_prev [batch, cell_size], w
//     [input_size + cell_size, 4·cell_size], the peephole vectors wci,
//     wcf, wco [cell_size] and b [4·cell_size]; outputs i, cs, f, o, ci,
//     co and h, each [batch, cell_size]. Defaults: forget_bias 1,
//     cell_clip 3, use_peephole false. cs_prev must not be empty.
//   - BlockLSTM and BlockLSTMV2 (half, float32): the same cell over the
//     time steps of x [time, batch, input_size] up to seq_len_max (an
//     int64 scalar in [0, time]), each step starting from the previous
//     one's cs and h; outputs are [time, batch, cell_size]. BlockLSTMV2
//     orders the gate blocks i, f, ci, o (Keras' order), has no
//     forget_bias attribute (the forget bias is 0, being part of b) and
//     defaults cell_clip to 0, that is no clipping. Steps from seq_len_max
//     on are zero in every output: TensorFlow zeroes cs and h there and
//     leaves the other five uninitialised.
//   - GRUBlockCell (float32): r = σ(r̄), u = σ(ū) with [r̄, ū] =
//     [x, h_prev]·w_ru + b_ru; c = tanh([x, r ⊙ h_prev]·w_c + b_c);
//     h = u ⊙ (h_prev − c) + c. Outputs r, u, c, h, each [batch,
//     cell_size].
//
// # The LSTM cell
//
// With gates = [x, h_prev]·w + b, whose column blocks are i, ci, f, o (i,
// f, ci, o for BlockLSTMV2):
//
//	i  = σ(gates_i + cs_prev ⊙ wci)
//	ci = tanh(gates_ci)
//	f  = σ(gates_f + forget_bias + cs_prev ⊙ wcf)
//	cs = clip(i ⊙ ci + f ⊙ cs_prev, −cell_clip, cell_clip)
//	co = tanh(cs)
//	o  = σ(gates_o + cs ⊙ wco)
//	h  = o ⊙ co
//
// The peephole terms apply only with use_peephole (the vectors are not
// read otherwise, as in TensorFlow, whose kernel does not check their
// length; here a wrong length is an error) and the clip only for a
// positive cell_clip: 0 and negative values disable it.
//
// # Numerics
//
// The products [x, h]·w run on package conv's GEMM through the registry's
// MatMul and _FusedMatMul kernels (which must be registered, as importing
// tfexec/kernels ensures); BlockLSTM multiplies the inputs of all steps
// at once and then only h by the recurrent rows of w per step. The gate
// arithmetic is float32 in TensorFlow's order, with tanh as Eigen's
// rational approximation and σ as 1/(1 + e^−x) on a float32 exponential,
// like Eigen's scalar path; summation order differs from Eigen's, so
// results agree with TensorFlow's to an ulp or two per step, not bit for
// bit. Half is computed in float32 and rounded once at the end
// (TensorFlow rounds every intermediate to half).
package rnn
