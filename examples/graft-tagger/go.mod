module example.com/graft-tagger

go 1.26.8

require github.com/wamuir/graft v0.6.0

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
	github.com/tfoffload/tfoffload => ../..
	github.com/wamuir/graft => ../../compat/shims/graft
)
