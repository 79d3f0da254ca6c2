// Package testutil holds helpers shared by tfoffload's tests.
//
// # Shared models
//
// The real TensorFlow models the tests load live outside the repository,
// in ../shared/models relative to the repository root (see that folder's
// README.md). [SharedModels] finds the folder from any package directory.
// When it is absent a test skips with a message saying so, unless the run
// must not skip: with the environment variable CI set (to anything) or
// TFOFFLOAD_REQUIRE_SHARED=1 the test fails instead, so that a CI run
// cannot pass by silently skipping the real-model tests.
//
// These two variables are read here and not through internal/envconfig
// because they configure the test harness, not tfoffload itself.
//
// # Fuzz seed corpora
//
// A package whose seed corpus is built from fixtures commits it under
// testdata/fuzz/<FuzzName>/ and checks it with [CheckFuzzCorpus] in a
// test that rewrites it when run with -update; [FuzzCorpusFile] encodes
// one seed in the format go test reads.
package testutil
