module example.com/tfgo-keras

go 1.26.8

require (
	github.com/galeone/tensorflow/tensorflow/go v0.0.0-20221023090153-6b7fa0680c3e
	github.com/galeone/tfgo v0.0.0-20230214145115-56cedbc56978
)

require (
	github.com/dgryski/go-farm v0.0.0-20240924180020-3414d57e47da // indirect
	github.com/golang/snappy v1.0.0 // indirect
	github.com/tfoffload/tfoffload v0.0.0-00010101000000-000000000000 // indirect
	github.com/x448/float16 v0.8.4 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	golang.org/x/text v0.40.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)

replace (
	github.com/galeone/tensorflow/tensorflow/go => ../../compat/shims/galeone-tensorflow
	github.com/galeone/tfgo => ../../compat/shims/tfgo
	github.com/tfoffload/tfoffload => ../..
)
