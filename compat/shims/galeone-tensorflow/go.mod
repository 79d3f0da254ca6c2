module github.com/galeone/tensorflow/tensorflow/go

go 1.26.8

require github.com/tfoffload/tfoffload v0.0.0-00010101000000-000000000000

require (
	github.com/dgryski/go-farm v0.0.0-20240924180020-3414d57e47da // indirect
	github.com/golang/snappy v1.0.0 // indirect
	github.com/x448/float16 v0.8.4 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	golang.org/x/text v0.40.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)

// Used when this module is built inside the tfoffload repository; a
// program that uses the shim needs its own replace for tfoffload (see
// the README's "Existing TensorFlow Go code").
replace github.com/tfoffload/tfoffload => ../../..
