// Package soak holds tfoffload's long-running checks, which CI's default
// test run leaves out: they run only with the soak build tag.
//
// # The soak test
//
// TestSoak loads two real models from ../shared/models (the nsfwjs
// MobileNetV2 TF.js model on a photo, the DS_CNN keyword-spotting frozen
// GraphDef on a WAV file, whose audio front end stays on the Go executor),
// each as an executor-only and an offloaded session, and computes every
// reference result once. N goroutines then run the four sessions in turn
// for the given duration and compare every result byte for byte with its
// reference. Every report interval, and at the end, it prints runs, runs
// per second, errors, mismatches and the resident set size (VmRSS). It
// fails on any error or mismatch, and when the RSS at a report after the
// first (the warm-up) exceeds the first by more than the allowed growth.
//
// # The churn test
//
// TestSessionChurn loads, runs once and closes sessions of the same models
// (offloaded, so each compiles ONNX Runtime sessions) many times, and
// fails when, after the warm-up (the first half of the cycles), the open
// file descriptors differ from their count at the end of the warm-up or
// the RSS (sampled after returning the Go heap's free memory to the system)
// grows beyond the allowed growth. The warm-up is long because the C
// allocator's arenas, which ONNX Runtime goes through, take about 200
// cycles to reach their size; after that the RSS stays flat.
//
// # Running
//
//	make soak                                            # 3 minutes, 8 goroutines
//	make soak SOAK_DURATION=30m SOAK_GOROUTINES=16
//	go test -tags soak -timeout 0 -v ./internal/soak -soak.duration 10m -soak.goroutines 8
//
// Flags (after the package): -soak.duration (default 3m), -soak.goroutines
// (8), -soak.report (1m), -soak.cycles (churn cycles, 400) and
// -soak.rss-growth (allowed RSS growth after warm-up, a fraction of the
// warm RSS: 0.10, never less than 64 MiB).
//
// RSS and OpenFDs, which the tests sample, read /proc and so work on Linux
// only.
package soak
