package rnn_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfops"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestCorpus runs the op-corpus graphs built around this package's ops
// (those that need no TensorArray) on the executor and compares with
// TensorFlow's outputs more tightly than tfexec's corpus test does.
func TestCorpus(t *testing.T) {
	root := testutil.SharedModels(t) + "/tfops"
	// The cells use correctly rounded σ and tanh where TensorFlow uses
	// Eigen's approximations, and sum their products in another order.
	cells := tensor.Tolerance{RTol: 1e-6, ATol: 1e-7}
	cases := []struct {
		name string
		tol  tensor.Tolerance
	}{
		{"rnn/lstmblockcell/static_batch1_n3-2_tsLength1_noPH_noClip_fBias1_noIS", cells},
		{"rnn/lstmblockcell/static_batch1_n5-3_tsLength4_noPH_clip-0.3_fBias2_noIS", cells},
		{"rnn/lstmblockcell/static_batch1_n5-3_tsLength4_noPH_noClip_fBias1_noIS", cells},
		{"rnn/lstmblockcell/static_batch2_n2-3_tsLength4_withPH_noClip_fBias1_noIS", cells},
		{"rnn/lstmblockfusedcell/batch1_n5-3_tsLength4_noPH_clip-0.3_fBias2_withIS", cells},
		{"rnn/lstmblockfusedcell/batch1_n5-3_tsLength4_noPH_noClip_fBias1_noIS", cells},
		{"rnn/tr_lstmbfc/batch1_n5-3_tsLength4_noPH_clip-0.3_fBias2_withIS", cells},
		{"rnn/tr_lstmbfc/batch1_n5-3_tsLength4_noPH_noClip_fBias1_noIS", cells},
		{"rnn/tr_lstmbfc/batch2_n2-3_tsLength4_withPH_noClip_fBias1_noIS", cells},
		{"rnn/grublockcellv2/static_b1_n5-3_ts4_withIS_f32", cells},
		// dynamic_rnn: the cells inside while loops over TensorArrays.
		{"rnn/lstmblockcell/dynamic_b1_n5-3_ts4_noPH_clip-0.3-0.4_fB1_Tanh_noIS_noTM", cells},
		{"rnn/lstmblockcell/dynamic_b1_n5-3_ts4_noPH_noClip_fB1_noIS_withTM", cells},
		{"rnn/lstmblockcell/dynamic_b1_n5-3_ts4_noPH_noClip_fB2_withIS_noTM", cells},
		{"rnn/grublockcellv2/dynamic_b1_n3-2_ts1_noIS_noTM", cells},
		{"rnn/grublockcellv2/dynamic_b1_n5-3_ts4_noIS_noTM", cells},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tfops.Load(root, tc.name)
			require.NoError(t, err)
			e, err := tfexec.New(c.Graph)
			require.NoError(t, err)
			got, err := e.Run(context.Background(), c.Feeds, c.Fetches())
			var unsupported *tfexec.UnsupportedOpsError
			if errors.As(err, &unsupported) {
				t.Skipf("needs kernels from other packages: %v", err)
			}
			require.NoError(t, err)
			kerneltest.AssertFloatOutputs(t, c, got, tc.tol)
		})
	}
}
